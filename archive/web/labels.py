"""Chinese labels for stored codes, as Jinja filters."""

from datetime import datetime, timedelta, timezone

from markupsafe import Markup

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


#: The archive's readers and admins keep Beijing time.
BEIJING = timezone(timedelta(hours=8))


def _instant(value):
    """A stored time (ISO text, UTC if it names no zone; or Unix seconds) as a datetime."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timestamp(value):
    """A stored time as Beijing time, e.g. 2026-11-27 22:30."""
    return _instant(value).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def when(value):
    """A stored time as a <time> element in Beijing time, which app.js follows with how
    long ago it was (data-relative); empty for no time."""
    if not value:
        return ""
    moment = _instant(value)
    iso = value if isinstance(value, str) else moment.isoformat(timespec="seconds")
    return Markup('<time datetime="{}" data-relative>{}</time>').format(iso, timestamp(moment))


def dotted(parts):
    """The parts a line has, joined by " · " (an empty one leaves no "· ·")."""
    return " · ".join(str(p) for p in parts if p not in (None, ""))


FILTERS = {"dotted": dotted, "timestamp": timestamp, "when": when, "kind_label": kind_label, "stage_label": stage_label, "facet_label": facet_label,
           "field_label": field_label,
           "facet_value": facet_value, "cycle_label": cycle_label}
