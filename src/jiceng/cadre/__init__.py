"""Cadre work (干部工作): task lists, performance points on the ledger primitive, appeals."""
