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
    index: int = 0                                    # the merged entry's place in the list
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


def merge_lists(lists):
    """Merge the entries of several lists into one list, in order.

    lists: [(source name, [entry, ...])], the page's lists first; where two lists
    disagree the first one's value is kept (apply_choices picks another).
    Returns (entries, merges)."""
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
                merge = Merge(kind=kept["kind"], name=kept["name"], sources=[kept_source],
                              index=next(i for i, e in enumerate(out) if e is kept))
                merges.append(merge)
                by_key[_key(entry)][match] = (kept, merge, kept_source)
            merge.sources.append(source)
            _fill(kept, entry, merge, source)
    return out, merges


def _fill(kept, other, merge, source):
    """Complete kept with other's values; record where they disagree."""
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
        conflict = next((c for c in merge.conflicts if c.field == name), None)
        if conflict is None:
            conflict = Conflict(key=f"{merge.kind}|{merge.name}|{name}", field=name,
                                values=[(merge.sources[0], mine)])
            merge.conflicts.append(conflict)
        conflict.values.append((source, theirs))
    if rederive:
        _rederive(kept)


def _rederive(entry):
    operator = operator_of(entry.get("company"), entry.get("unit"))
    if operator != "其他" or entry.get("operator") in (None, "其他"):
        entry["operator"] = operator
    entry["region"] = region_of(entry.get("unit"), entry.get("company")) or entry.get("region")


def apply_choices(entries, merges, choices):
    """Keep the values the admin picked where lists disagree: choices is
    {conflict key: index into its values}; unknown keys and indexes are ignored."""
    for merge in merges:
        entry = entries[merge.index]
        for conflict in merge.conflicts:
            pick = (choices or {}).get(conflict.key, 0)
            if not isinstance(pick, int) or not 0 <= pick < len(conflict.values):
                pick = 0
            conflict.chosen = pick
            entry[conflict.field] = conflict.values[pick][1]
            if conflict.field in _DERIVED_FROM:
                _rederive(entry)


def apply_fixes(entries, doubts, fixes):
    """Put the values the admin typed over OCR'd cells ({"ocr:<n>": text}, n indexing
    doubts) into the entries; an empty or unchanged value keeps what OCR read."""
    for key, value in (fixes or {}).items():
        if not key.startswith("ocr:") or not key[4:].isdigit():
            continue
        index = int(key[4:])
        value = " ".join(str(value).split())
        if index >= len(doubts) or not value or value == doubts[index]["text"]:
            continue
        doubt = doubts[index]
        entry = entries[doubt["entry"]]
        entry[doubt["field"]] = clean_name(value) if doubt["field"] == "name" else value
        doubt["fixed"] = entry[doubt["field"]]
        if doubt["field"] in _DERIVED_FROM:
            _rederive(entry)


def merge_message(merges):
    """The line the preview and the CLI print: how many honorees were merged."""
    if not merges:
        return None
    return f"{len(merges)} 条在网页与附件中重复，已合并"
