"""Chinese resident ID numbers (居民身份证号码, GB 11643) through python-stdnum's pieces.

``stdnum.cn.ric.validate`` also rejects an area code not in use in the birth year, which refuses
real people registered late; we check format, check digit, birth date and gender ourselves with the
library's functions and treat an unknown birth place as a warning.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum.cn import ric

from jiceng.core.masking import mask_id_number, mask_name, mask_phone  # noqa: F401 (the registry's names)


@dataclass
class IdCheck:
    number: str = ""
    birth_date: dt.date | None = None
    gender: str = ""  # "M" / "F"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Full-width digits typed on a phone keyboard, and a lower-case or full-width x.
_TRANSLATE = {0xFF10 + i: ord("0") + i for i in range(10)} | {ord("ｘ"): "X", ord("x"): "X"}
_PLAIN = re.compile(r"[0-9]{17}[0-9X]")


def normalise(value: str) -> str:
    value = (value or "").strip()
    if len(value) == 18 and _PLAIN.fullmatch(value):
        return value  # already compact: the common case, without stdnum's per-character clean-up
    return ric.compact(value.translate(_TRANSLATE))


@lru_cache(maxsize=65536)
def _birth_place_known(area: str, year: int) -> bool:
    """Whether ``area`` was a county code in ``year`` (stdnum's table; the lookup is the slow part)."""
    try:
        ric.get_birth_place(f"{area}{year:04d}0101000")
    except Exception:
        return False
    return True


def check_id_number(value: str, *, birth_date: dt.date | None = None, gender: str | None = None,
                    today: dt.date | None = None) -> IdCheck:
    result = IdCheck()
    number = normalise(value)
    result.number = number
    if not number:
        result.errors.append(_("请填写身份证号"))
        return result
    if len(number) == 15:
        result.errors.append(_("这是15位旧身份证号，请填写18位身份证号"))
        return result
    if len(number) != 18:
        result.errors.append(_("身份证号应为18位，当前为%(n)d位") % {"n": len(number)})
        return result
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        result.errors.append(_("身份证号前17位应为数字，最后一位为数字或X"))
        return result
    expected = ric.calc_check_digit(number)
    if expected != number[17]:
        result.errors.append(_("身份证号校验位不正确，请核对号码（按前17位计算，最后一位应为%(d)s）") % {"d": expected})
        return result
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))  # ric.get_birth_date
    except ValueError:
        result.errors.append(_("身份证号中的出生日期%(d)s无效") % {"d": number[6:14]})
        return result
    today = today or dt.date.today()
    if born > today or born.year < 1890:
        result.errors.append(_("身份证号中的出生日期%(d)s不合理") % {"d": born.isoformat()})
        return result
    result.birth_date = born
    result.gender = "M" if int(number[16]) % 2 == 1 else "F"
    if birth_date and birth_date != born:
        result.errors.append(
            _("出生日期%(given)s与身份证号中的出生日期%(born)s不一致")
            % {"given": birth_date.isoformat(), "born": born.isoformat()}
        )
    if gender and gender != result.gender:
        result.errors.append(
            _("性别与身份证号不一致：第17位为%(d)s，应为%(g)s")
            % {"d": number[16], "g": _("男") if result.gender == "M" else _("女")}
        )
    if not _birth_place_known(number[:6], born.year):
        result.warnings.append(_("行政区划代码%(c)s在出生年份未启用，请核对（补登户口的居民可能如此）") % {"c": number[:6]})
    return result


