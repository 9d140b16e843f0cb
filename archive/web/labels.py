"""Chinese labels for stored codes, as Jinja filters."""

from ..vocabulary import FIELD_LABELS as FIELDS
from ..vocabulary import KIND_LABELS as KINDS
from ..vocabulary import STAGE_LABELS as STAGES

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


def timestamp(value):
    """A Unix time as the UTC date and time, e.g. 2026-11-27 14:30 UTC."""
    import time
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(value))


def dotted(parts):
    """The parts a line has, joined by " · " (an empty one leaves no "· ·")."""
    return " · ".join(str(p) for p in parts if p not in (None, ""))


FILTERS = {"dotted": dotted, "timestamp": timestamp, "kind_label": kind_label, "stage_label": stage_label, "facet_label": facet_label,
           "field_label": field_label,
           "facet_value": facet_value, "cycle_label": cycle_label}
