"""One entry per honoree: entries read from several lists of one import merged.

A commendation page carries its lists as tables, and the same lists come
again as attachments (.xlsx, .pdf), or a workbook repeats a list on two
sheets. Entries of different lists that are the same honoree — same kind,
same normalised name, and the same unit (people) — become one entry: a
field one list lacks comes from the other; where both give a value and the
values differ, the first list's value (the page's) wins unless the admin
picked the other, and the conflict is reported.
"""

from dataclasses import dataclass, field

from index.analysis import normalize

from .fields import clean_name, operator_of, region_of

#: Fields compared and filled when two lists give the same honoree.
MERGED_FIELDS = ("award", "gender", "ethnicity", "birth", "education", "position", "unit",
                 "company", "team_category", "team_size", "citation")
#: Fields derived from others; re-derived when a choice changes what they come from.
_DERIVED_FROM = ("unit", "company")


@dataclass
class Merge:
    """One honoree found in several lists: where, what was filled in, what disagreed."""

    kind: str
    name: str
    sources: list                                     # list names, the winning one first
    filled: list = field(default_factory=list)        # fields taken from a later list
    conflicts: list = field(default_factory=list)     # Conflict, one per differing field


@dataclass
class Conflict:
    """Two lists give one honoree different values for a field."""

    key: str        # stable across parses of the same files: kind|name|field
    field: str
    values: list    # [(source, value)], the first list's first
    chosen: int = 0  # index into values


def _comparable(value):
    if value is None:
        return ""
    return normalize("".join(str(value).split()))


def _same_unit(a, b):
    """Whether two entries of one name can be the same honoree: their units are equal
    (spacing, width and traditional characters aside), one lacks a unit, or the two
    units belong to the same operator in the same region (a unit written in full in
    one list and shortened in the other)."""
    if a["kind"] == "team":
        return True  # a team's name is its identity
    ua, ub = _comparable(a.get("unit")), _comparable(b.get("unit"))
    if not ua or not ub or ua == ub:
        return True
    return (a.get("operator"), a.get("region")) == (b.get("operator"), b.get("region")) \
        and a.get("operator") not in (None, "其他")


def _key(entry):
    # A list printed in a font without the middle dot (阿依古丽吐尔逊) names the same
    # person as the page (阿依古丽·吐尔逊).
    return entry["kind"], _comparable(clean_name(entry["name"])).replace("\u00b7", "")


def merge_lists(lists, choices=None):
    """Merge the entries of several lists into one list, in order.

    lists: [(source name, [entry, ...])], the page's lists first; choices:
    {conflict key: index of the value to keep}, as the admin picked them.
    Returns (entries, merges)."""
    choices = choices or {}
    out, merges = [], []
    by_key = {}       # (kind, name) -> [(entry, merge or None, source)]
    for source, entries in lists:
        used = set()  # entries of earlier lists already matched by this list
        for entry in entries:
            match = None
            for i, (kept, _, kept_source) in enumerate(by_key.get(_key(entry), [])):
                if kept_source != source and (id(kept) not in used) and _same_unit(kept, entry):
                    match = i
                    break
            if match is None:
                by_key.setdefault(_key(entry), []).append((entry, None, source))
                out.append(entry)
                continue
            kept, merge, kept_source = by_key[_key(entry)][match]
            used.add(id(kept))
            if merge is None:
                merge = Merge(kind=kept["kind"], name=kept["name"], sources=[kept_source])
                merges.append(merge)
                by_key[_key(entry)][match] = (kept, merge, kept_source)
            merge.sources.append(source)
            _fill(kept, entry, merge, source, choices)
    return out, merges


def _fill(kept, other, merge, source, choices):
    """Complete kept with other's values; record conflicts and apply the admin's picks."""
    rederive = False
    for name in MERGED_FIELDS:
        mine, theirs = kept.get(name), other.get(name)
        if theirs in (None, ""):
            continue
        if mine in (None, ""):
            kept[name] = theirs
            merge.filled.append(name)
            rederive |= name in _DERIVED_FROM
            continue
        if _comparable(mine) == _comparable(theirs):
            continue
        key = f"{merge.kind}|{merge.name}|{name}"
        existing = next((c for c in merge.conflicts if c.field == name), None)
        if existing is None:
            existing = Conflict(key=key, field=name, values=[(merge.sources[0], mine)])
            merge.conflicts.append(existing)
        existing.values.append((source, theirs))
        pick = choices.get(key)
        if isinstance(pick, int) and 0 <= pick < len(existing.values):
            existing.chosen = pick
            kept[name] = existing.values[pick][1]
            rederive |= name in _DERIVED_FROM
    if rederive:
        operator = operator_of(kept.get("company"), kept.get("unit"))
        if operator != "其他" or kept.get("operator") in (None, "其他"):
            kept["operator"] = operator
        kept["region"] = region_of(kept.get("unit"), kept.get("company")) or kept.get("region")


def merge_message(merges):
    """The line the preview and the CLI print: how many honorees were merged."""
    if not merges:
        return None
    return f"{len(merges)} 条在网页与附件中重复，已合并"
