"""The printable points-card sheet (积分卡): ten cards per A4 page, QR codes by segno, Chinese text
in the embedded Noto Sans CJK SC font (weasyprint)."""
from __future__ import annotations

import segno
from django.template.loader import render_to_string

from jiceng.people.idnumber import mask_name

PER_PAGE = 10


def qr_svg(number: str) -> str:
    return segno.make(number, error="m", boost_error=False).svg_inline(scale=3, border=1)


def cards_pdf(cards, *, programme_name: str) -> bytes:
    from weasyprint import HTML

    items = [{"number": c.number, "qr": qr_svg(c.number), "household": c.household.number,
              "name": mask_name(c.household.head.name) if c.household.head_id else "",
              "address": c.household.address} for c in cards]
    pages = [items[i: i + PER_PAGE] for i in range(0, len(items), PER_PAGE)] or [[]]
    html = render_to_string("points/cards_pdf.html", {"pages": pages, "programme_name": programme_name})
    return HTML(string=html).write_pdf()
