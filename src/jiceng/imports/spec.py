"""What each import kind's columns are: Chinese header, accepted aliases (Traditional headers are
normalised to Simplified before matching), whether required, and an example value."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from jiceng.people.search import to_simplified


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""


def normalise_header(text: str) -> str:
    t = to_simplified(text or "")
    for ch in " \u3000*＊:：\n\r\t":
        t = t.replace(ch, "")
    for suffix in ("（必填）", "(必填)", "（选填）", "(选填)"):
        t = t.replace(suffix, "")
    return t.lower()


def kind_specs() -> dict:
    """Every import kind's spec: the registry's own people kinds, then those other modules register with an
    ``engine`` (an ``Importer`` subclass carrying its ``spec``)."""
    from jiceng.core.modules import registry, resolve

    found = dict(SPECS)
    for code, k in registry.import_kinds().items():
        if k.engine is not None and code not in found:
            found[code] = resolve(k.engine).spec
    return found


def spec_for(kind: str):
    """One kind's spec, or None."""
    return kind_specs().get(kind)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: object  # lazily translated
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def header_map(self) -> dict[str, str]:
        out = {}
        for c in self.columns:
            for name in (c.header, *c.aliases):
                out[normalise_header(name)] = c.key
        return out


def unit_code_aliases(*places: str) -> tuple[str, ...]:
    """The names a unit-code column goes by: 所在网格编码, 所属网格代码, 网格编号, 单位代码 …
    (所在/所属 or nothing, the kind of place, 编码/代码/编号)."""
    return tuple(f"{prefix}{place}{suffix}" for place in places for prefix in ("", "所在", "所属")
                 for suffix in ("编码", "代码", "编号"))


# Where a household or resident is registered (one of HOUSEHOLD_KINDS), named as the county's rolls do.
PLACE_CODE_ALIASES = unit_code_aliases("单元", "网格", "楼栋", "小区", "社区", "村", "村民小组", "单位")

ORG_UNITS = KindSpec("org_units", _("组织单元"), (
    Column("code", "编码", True, ("单元编码", "单元代码", "单元编号", "区划代码", "区划编码", "行政区划代码",
                                  "统计用区划代码", "代码", "编号"), "530124001003",
           "街道、乡镇、社区、村填写12位统计用区划代码；其他单元自定，全局唯一"),
    Column("parent_code", "上级编码", True, ("上级单元编码", "上级单元代码", "上级单元编号", "上级代码", "上级编号",
                                           "上级区划代码", "上级行政区划代码"), "530124001000"),
    Column("name", "名称", True, ("单元名称",), "凤鸣社区"),
    Column("kind", "类型", True, ("单元类型", "层级"), "社区", "街道/乡镇/社区/村/村民小组/安置点/网格/小区/楼栋/单元/楼层"),
    Column("party_org_kind", "党组织类型", False, (), "党委", "党工委/党委/党总支/党支部/党小组，未设立留空"),
    Column("party_org_name", "党组织名称", False, (), "中共凤鸣社区委员会"),
))

HOUSEHOLDS = KindSpec("households", _("住户"), (
    Column("number", "户编号", True, ("户号", "户编码"), "530124001001-G01-0101"),
    Column("unit_code", "所在单元编码", True, PLACE_CODE_ALIASES, "530124001001-G01"),
    Column("address", "住址", True, ("详细地址", "家庭住址", "地址"), "翠湖苑小区1栋1单元101室"),
    Column("phone", "联系电话", False, ("电话", "手机号", "手机号码"), "13812345678"),
    Column("status", "状态", False, ("住户状态",), "在册", "在册/已迁出/已注销，留空为在册"),
))

RESIDENTS = KindSpec("residents", _("居民"), (
    Column("name", "姓名", True, ("居民姓名",), "张三"),
    Column("id_number", "身份证号", True, ("身份证号码", "公民身份号码", "证件号码", "身份证"), "530124198005010035"),
    Column("gender", "性别", False, (), "男", "可留空，按身份证号识别"),
    Column("birth_date", "出生日期", False, ("出生年月",), "1980-5-1", "可留空，按身份证号识别"),
    Column("phone", "联系电话", False, ("电话", "手机号", "手机号码"), "13812345678"),
    Column("ethnicity", "民族", False, (), "汉族"),
    Column("household_number", "户编号", False, ("户号", "户编码"), "530124001001-G01-0101",
           "已登记的户；新户编号需同时填写“所在单元编码”"),
    Column("relationship", "与户主关系", False, ("与户主的关系", "关系"), "户主"),
    Column("unit_code", "所在单元编码", False, PLACE_CODE_ALIASES, "530124001001-G01"),
    Column("registered_address", "户籍地址", False, ("户籍地",), "云南省昆明市富民县永定街道"),
    Column("actual_address", "现居住地址", False, ("现住址", "居住地址", "住址"), "翠湖苑小区1栋1单元101室"),
    Column("status", "居住状态", False, ("状态",), "在住", "在住/已迁出/已故，留空为在住"),
    Column("tags", "特殊群体", False, ("特殊人群", "标签"), "独居老人、退役军人", "多个用顿号或逗号分隔"),
))

PARTY_MEMBERS = KindSpec("party_members", _("党员"), (
    Column("id_number", "身份证号", True, ("身份证号码", "公民身份号码", "证件号码"), "530124198005010035",
           "须是已登记的居民"),
    Column("name", "姓名", False, (), "张三", "用于核对，可留空"),
    Column("branch_code", "所在党组织单元编码", True, unit_code_aliases("党组织", "党组织单元", "支部", "党支部"),
           "530124001001-G01"),
    Column("status", "党员类型", False, ("类型",), "正式党员", "正式党员/预备党员，留空为正式党员"),
    Column("join_date", "入党日期", True, ("入党时间",), "2005-7-1"),
    Column("party_post", "党内职务", False, ("职务",), "组织委员"),
    Column("linked_households", "联系户", False, ("联系户编号", "党员联系户"), "530124001001-G01-0001、530124001001-G01-0002",
           "户编号，多个用顿号或逗号分隔"),
))

CADRES = KindSpec("cadres", _("干部"), (
    Column("name", "姓名", True, (), "李四"),
    Column("gender", "性别", True, (), "女"),
    Column("phone", "联系电话", False, ("电话", "手机号"), "13812345678"),
    Column("kind", "类别", False, (), "社区工作者", "干部/社区工作者/网格员/驻村第一书记/驻村工作队员"),
    Column("post", "职务", True, ("岗位",), "社区专职工作者"),
    Column("unit_code", "所在单元编码", True, unit_code_aliases("单元", "单位", "街道", "乡镇", "社区", "村", "网格"),
           "530124001001"),
    Column("is_reserve", "后备干部", False, ("是否后备干部",), "否", "是/否"),
    Column("is_village_stationed", "驻村干部", False, ("是否驻村",), "否", "是/否"),
))

PARTNER_UNITS = KindSpec("partner_units", _("共建单位"), (
    Column("name", "单位名称", True, ("名称",), "富民县人民医院"),
    Column("kind", "单位类型", True, ("类型",), "医院", "机关单位/事业单位/企业/学校/医院/社会组织"),
    Column("party_org_name", "单位党组织", False, (), "中共富民县人民医院委员会"),
    Column("contact_name", "联系人", False, (), "王五"),
    Column("contact_phone", "联系电话", False, ("电话",), "13812345678"),
    Column("address", "地址", False, (), "富民县永定街道"),
    Column("communities", "结对社区编码", True, ("结对社区代码", "结对单元编码", "结对单元代码", "结对村编码",
                                                "结对村代码", "共建社区编码", "共建社区代码", "结对社区"),
           "530124001001、530124001002",
           "多个用顿号或逗号分隔"),
    Column("commitments", "共建事项", False, (), "义诊进社区"),
))

SPECS = {s.kind: s for s in (ORG_UNITS, HOUSEHOLDS, RESIDENTS, PARTY_MEMBERS, CADRES, PARTNER_UNITS)}
