"""Personal details typed into free text (问题描述、办理结果), masked before the text is shown publicly.

A resident often writes "我是3栋王阿姨，电话13912345678" into the description. Wherever report text
leaves the staff's screens (the Open311 GET endpoints, which need no api_key), mobile and landline
numbers, e-mail addresses, ID numbers, the report's own reporter name and "name + 先生/女士/…" forms
are replaced by ``*``. This is best effort on free text — a bare name with no marker cannot be told
from other words — so the structured personal fields (reporter_name, reporter_phone, the account,
the household) are never output at all.
"""
from __future__ import annotations

import re

MASK = "***"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
# 11-digit mobiles, also written 139 1234 5678 / 139-1234-5678 / +86 139…; landlines 0871-6512345.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)|(?<!\d)\d{7,8}(?!\d)")
# 联系人：张三 / 姓名 王小明 / 我叫李四
_NAME_AFTER_MARKER = re.compile(r"(联系人|姓名|反映人|报告人|举报人|我叫)([:：\s]*)([\u4e00-\u9fff]{2,4})")
# 王女士 / 陈师傅 / 赵奶奶: a common surname before a form of address loses the surname.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_SURNAME_TITLE = re.compile(f"[{SURNAMES}](?=先生|女士|小姐|阿姨|大爷|大妈|大姐|大哥|奶奶|爷爷|师傅|老师)")


def mask_personal(text: str, *, names=()) -> str:
    """``text`` with phone numbers, e-mails, ID numbers and people's names masked."""
    if not text:
        return text or ""
    out = _EMAIL.sub(MASK, text)
    out = _ID_NUMBER.sub(MASK, out)
    out = _MOBILE.sub(MASK, out)
    out = _LANDLINE.sub(MASK, out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, MASK)
    out = _NAME_AFTER_MARKER.sub(lambda m: m.group(1) + m.group(2) + MASK, out)
    out = _SURNAME_TITLE.sub("*", out)
    return out
