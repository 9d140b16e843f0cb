"""Chinese labels for stored codes, as Jinja filters."""

KINDS = {"individual": "个人", "team": "班组"}
#: Entry fields as pages name them.
FIELDS = {"name": "姓名/班组名称", "gender": "性别", "birth": "出生年月", "education": "学历",
          "position": "职务", "unit": "单位", "company": "推荐单位", "operator": "运营商",
          "region": "地区", "team_category": "班组类别", "team_size": "班组人数",
          "citation": "申报说明材料"}
STAGES = {"candidates": "候选人公示", "honorees": "表彰获奖"}
FACET_NAMES = {"cycle": "年度", "operator": "运营商", "kind": "类别", "region": "地区",
               "stage": "阶段"}


def kind_label(value):
    """个人 / 班组."""
    return KINDS.get(value, value or "")


def stage_label(value):
    """候选人公示 / 表彰获奖."""
    return STAGES.get(value, value or "")


def facet_label(value):
    """The Chinese name of a facet."""
    return FACET_NAMES.get(value, value)


def facet_value(name, value):
    """A facet value as shown (kinds and stages translated)."""
    if name == "kind":
        return kind_label(value)
    if name == "stage":
        return stage_label(value)
    return value


def field_label(value):
    """学历, 单位 … for an entry field's name."""
    return FIELDS.get(value, value)


def cycle_label(value):
    """2017-2018 -> 2017-2018年度."""
    return f"{value}年度" if value else ""


FILTERS = {"kind_label": kind_label, "stage_label": stage_label, "facet_label": facet_label,
           "field_label": field_label,
           "facet_value": facet_value, "cycle_label": cycle_label}
