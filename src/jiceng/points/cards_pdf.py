"""The printable points-card sheet (积分卡): ten cards per A4 page, QR codes by segno, Chinese text
in the embedded Noto Sans CJK SC font (weasyprint)."""
from __future__ import annotations

import segno
from django.template.loader import render_to_string

from jiceng.people.idnumber import mask_name

PER_PAGE = 10
MAX_CARDS = 1000  # one PDF of 100 pages renders in about 20 s; larger units print grid by grid


def qr_svg(number: str) -> str:
    return segno.make(number, error="m", boost_error=False).svg_inline(scale=3, border=1)


def _place(household) -> str:
    """Where the household lives, from the compound down (the part that tells neighbours apart)."""
    address = household.address or ""
    unit = household.org_unit.name if household.org_unit_id else ""
    for marker in ("小区", "安置点", "社区", "村"):
        i = address.rfind(marker)
        if 0 <= i < len(address) - 1:
            return address[i + len(marker):][:24] or unit
    return address[-24:] or unit


def cards_pdf(cards, *, programme_name: str) -> bytes:
    from weasyprint import HTML

    items = []
    for i, c in enumerate(cards):
        row, col = divmod(i % PER_PAGE, 2)
        items.append({"number": c.number, "qr": qr_svg(c.number), "household": c.household.number,
                      "name": mask_name(c.household.head.name) if c.household.head_id else "",
                      "place": _place(c.household), "top": row * 55, "left": col * 97})
    pages = [items[i: i + PER_PAGE] for i in range(0, len(items), PER_PAGE)] or [[]]
    html = render_to_string("points/cards_pdf.html", {"pages": pages, "programme_name": programme_name})
    return HTML(string=html).write_pdf()
