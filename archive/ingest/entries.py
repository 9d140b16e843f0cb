"""One place that turns the values a parser read into an entry as stored."""

import re

from .fields import clean_name, company_prefix, operator_of, parse_birth, parse_team_size, \
    region_of

#: Entry kinds as written in notices and lists -> the stored kind.
KINDS = {"individual": "individual", "个人": "individual", "明星": "individual",
         "服务明星": "individual", "team": "team", "班组": "team", "集体": "team",
         "明星班组": "team", "服务明星班组": "team"}
#: The award each kind receives unless the notice names another.
AWARDS = {"individual": "全国用户满意电信服务明星", "team": "全国用户满意电信服务明星班组"}
_TEXT_FIELDS = ("gender", "ethnicity", "education", "position", "unit", "team_category", "company",
               "citation")


class EntryError(ValueError):
    """A value that cannot be stored; `field` names it."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


def kind_of(value):
    """individual | team for a kind as written (个人, 班组 …), or None."""
    return KINDS.get(str(value or "").strip().lower())


_SHORT_UNIT = re.compile(r"^[\u4e00-\u9fff]{2,10}(?:分公司|营业厅|营业部|分局|支局|中心|局|部)"
                         r"[\u4e00-\u9fff]{0,16}$")


def complete_unit(unit, company):
    """A short unit (九江分公司, 重要通信局) under a heading that names its company
    (…公司) as the whole unit: the company's name before it. A unit that names a
    company of its own, or a heading that names only an operator, leaves it as is."""
    if not unit or not company or not company.endswith("公司") \
            or "公司" in unit.removesuffix("分公司") \
            or not _SHORT_UNIT.match(unit) or unit.startswith(company[:4]) \
            or unit.startswith("中国"):
        return unit
    return company + unit


def build_entry(values, notice):
    """An entry from a parser's values (kind, name and the optional fields).

    Names lose layout spaces; a team whose name starts with its company gets
    that company as its unit; the company falls back to the unit's company;
    operator and region are derived. Raises EntryError for a bad value."""
    kind = values["kind"]
    name = clean_name(values["name"])
    if not name:
        raise EntryError("姓名为空", "name")
    out = {"kind": kind, "name": name, "award": values.get("award") or AWARDS[kind]}
    for key in _TEXT_FIELDS:
        out[key] = values.get(key) or None
    for key, convert in (("birth", parse_birth), ("team_size", parse_team_size)):
        try:
            out[key] = convert(values[key]) if values.get(key) else None
        except ValueError as exc:
            raise EntryError(str(exc), key) from exc
    if kind == "team" and not out["unit"]:
        out["unit"] = company_prefix(name)
    # 推荐单位 is what a 推荐单位 column or a group row names, never a copy of the unit.
    out["company"] = out["company"] or values.get("group_company")
    out["unit"] = complete_unit(out["unit"], values.get("group_company"))
    out["operator"] = operator_of(out["company"], out["unit"])
    if out["operator"] == "其他" and values.get("group_operator"):
        out["operator"] = values["group_operator"]
    given = values.get("region")
    out["region"] = (region_of(given) or given if given else None) or values.get("group_region") \
        or notice.get("region") or region_of(out["unit"], out["company"])
    return out
