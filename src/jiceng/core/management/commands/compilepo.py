"""jiceng compilepo: compile every django.po under LOCALE_PATHS to django.mo with polib.

Pure Python, so installs need no system gettext (msgfmt), unlike Django's compilemessages.
Like msgfmt, fuzzy and untranslated entries are left out of the .mo file.
"""
from __future__ import annotations

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every django.po under settings.LOCALE_PATHS to django.mo (pure Python, uses polib)"
    requires_system_checks: list[str] = []

    def handle(self, *args, **opts):
        po_files: list[Path] = []
        for locale_path in settings.LOCALE_PATHS:
            locale_path = Path(locale_path)
            if locale_path.is_dir():
                po_files.extend(sorted(locale_path.rglob("django.po")))
        if not po_files:
            self.stdout.write("No django.po files found under LOCALE_PATHS")
            return
        for po_path in po_files:
            mo_path = po_path.with_suffix(".mo")
            try:
                po = polib.pofile(str(po_path))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {po_path}: {exc}") from exc
            # Write next to the target, then rename, so a running server never sees a half-written file.
            tmp_path = mo_path.with_name(f".{mo_path.name}.tmp")
            po.save_as_mofile(str(tmp_path))
            os.replace(tmp_path, mo_path)
            total = len([e for e in po if not e.obsolete])
            translated = len(po.translated_entries())
            self.stdout.write(f"compiled {po_path} -> {mo_path.name} ({translated}/{total} messages translated)")
