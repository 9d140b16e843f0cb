"""Statistics for journalists: counts per cycle by operator, region, kind and stage,
gender and age at award, team sizes; the comparison of two cycles.

/stats counts people (and teams): of one stage, or of both, where a person listed as a
candidate and then as an honoree of a cycle counts once; the kind and stage table
counts each stage's people. They are the figures the search page (its results) and
the cycle browse (its 位（个）) show for the filters each number links to.
"""

import statistics

from .db import store
from .vocabulary import AGE_BANDS, SIZE_BANDS

GENDERS = ("男", "女")
UNKNOWN = "未注明"


def _table(rows, key):
    """{"columns": values by total, "rows": [{"cycle", "counts": {value: n}, "total"}]}
    of entries per cycle (newest first) and value of `key`."""
    cycles, totals = {}, {}
    for r in rows:
        value = r[key] or UNKNOWN
        counts = cycles.setdefault(r["cycle"], {})
        counts[value] = counts.get(value, 0) + 1
        totals[value] = totals.get(value, 0) + 1
    columns = sorted(totals, key=lambda v: (v == UNKNOWN, -totals[v], v))
    return {"columns": columns,
            "totals": [totals[c] for c in columns],
            "rows": [{"cycle": c, "counts": cycles[c], "total": sum(cycles[c].values())}
                     for c in sorted(cycles, reverse=True)]}


def age_at_award(row):
    """Age in the cycle's last year, from the birth year; None when unknown or
    implausible (a misprinted date)."""
    birth, cycle = row.get("birth") or "", row.get("cycle") or ""
    if len(birth) < 4 or not birth[:4].isdigit() or not cycle[-4:].isdigit():
        return None
    age = int(cycle[-4:]) - int(birth[:4])
    low, high = store.PLAUSIBLE_AGES
    return age if low <= age <= high else None


def _once(rows, *keys):
    """One row per (cycle, person[, keys]): an honoree's row over a candidate's, so that
    a person listed in both stages of a cycle counts once, as what they became."""
    kept = {}
    for r in rows:
        key = (r["cycle"], r["person_key"], *(r[k] for k in keys))
        if key not in kept or (r["stage"] == "honorees" and kept[key]["stage"] != "honorees"):
            kept[key] = r
    return list(kept.values())


def overview(db, stage=None):
    """Everything /stats shows, as plain data (the /api/stats JSON): people of one stage
    (candidates, honorees) or of both (None), each counted once per cycle."""
    entries = [r for r in store.stats_rows(db) if not stage or r["stage"] == stage]
    rows = _once(entries)
    per_stage = _once(entries, "stage")
    by_cycle = {}
    for r in rows:
        by_cycle.setdefault(r["cycle"], []).append(r)
    cycles = sorted(by_cycle, reverse=True)
    kind_stage, gender, age, size = [], [], [], []
    for cycle in cycles:
        mine = by_cycle[cycle]
        men = [r for r in mine if r["kind"] == "individual"]
        teams = [r for r in mine if r["kind"] == "team"]
        kind_stage.append({"cycle": cycle, "counts": {
            f"{kind}/{s}": sum(1 for r in per_stage if r["cycle"] == cycle
                               and r["kind"] == kind and r["stage"] == s)
            for kind in ("individual", "team") for s in ("candidates", "honorees")}})
        counts = {g: sum(1 for r in men if r["gender"] == g) for g in GENDERS}
        counts[UNKNOWN] = len(men) - sum(counts.values())
        known = counts["男"] + counts["女"]
        gender.append({"cycle": cycle, "counts": counts,
                       "women_share": round(counts["女"] / known, 4) if known else None})
        ages = [a for a in (age_at_award(r) for r in men) if a is not None]
        bands = {b: 0 for b in AGE_BANDS}
        for a in ages:
            bands[store.band(AGE_BANDS, a)] += 1
        age.append({"cycle": cycle, "counts": bands, "known": len(ages),
                    "unknown": len(men) - len(ages),
                    "median": statistics.median(ages) if ages else None,
                    "youngest": min(ages) if ages else None,
                    "oldest": max(ages) if ages else None})
        sizes = [r["team_size"] for r in teams if r["team_size"]]
        bands = {b: 0 for b in SIZE_BANDS}
        for n in sizes:
            bands[store.band(SIZE_BANDS, n)] += 1
        size.append({"cycle": cycle, "counts": bands, "teams": len(teams), "known": len(sizes),
                     "median": statistics.median(sizes) if sizes else None})
    return {"stage": stage, "entries": len(entries), "people": len(rows), "cycles": cycles,
            "by_operator": _table(rows, "operator"), "by_region": _table(rows, "region"),
            "kind_stage": kind_stage, "gender": gender, "age": age, "team_size": size,
            "age_bands": list(AGE_BANDS), "size_bands": list(SIZE_BANDS),
            "age_range": list(store.PLAUSIBLE_AGES)}


def _counts(rows, key):
    out = {}
    for r in rows:
        value = r[key] or UNKNOWN
        out[value] = out.get(value, 0) + 1
    return out


#: A percentage change is shown only from a base of at least this many entries: +800%
#: on a base of 1 says nothing a reader can use.
MIN_BASE = 5


def _side_by_side(a_rows, b_rows, key):
    a, b = _counts(a_rows, key), _counts(b_rows, key)
    values = sorted(set(a) | set(b), key=lambda v: (v == UNKNOWN, -(a.get(v, 0) + b.get(v, 0)), v))
    out = []
    for v in values:
        x, y = a.get(v, 0), b.get(v, 0)
        out.append({"value": v, "a": x, "b": y, "change": y - x,
                    "change_pct": round(100 * (y - x) / x, 1) if x >= MIN_BASE else None})
    return out


def _top(rows, key, limit):
    counts = _counts([r for r in rows if r[key]], key)
    return [{"value": v, "count": n}
            for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def compare(db, a, b, stage="honorees", kind=None, top=10):
    """Two cycles side by side, of one stage (honorees by default: candidates and
    honorees are not the same population) and optionally one kind: counts per operator
    and region with the change (a percentage only from a base of MIN_BASE), the companies
    and units with the most entries in each, and the people (and teams) in both."""
    rows = [r for r in store.stats_rows(db) if (not stage or r["stage"] == stage)
            and (not kind or r["kind"] == kind)]
    a_rows = [r for r in rows if r["cycle"] == a]
    b_rows = [r for r in rows if r["cycle"] == b]
    in_a = {}
    for r in a_rows:
        in_a.setdefault(r["person_key"], r)
    both, seen = [], set()
    for r in b_rows:
        key = r["person_key"]
        if key in in_a and key not in seen:
            seen.add(key)
            both.append({"person": key, "name": r["name"], "kind": r["kind"],
                         "company_a": in_a[key]["company"], "company_b": r["company"]})
    both.sort(key=lambda p: (p["kind"] != "individual", p["name"]))
    return {"a": a, "b": b, "stage": stage, "kind": kind, "min_base": MIN_BASE,
            "entries": {"a": len(a_rows), "b": len(b_rows)},
            "by_operator": _side_by_side(a_rows, b_rows, "operator"),
            "by_region": _side_by_side(a_rows, b_rows, "region"),
            "top_companies": {"a": _top(a_rows, "company", top), "b": _top(b_rows, "company", top)},
            "top_units": {"a": _top(a_rows, "unit", top), "b": _top(b_rows, "unit", top)},
            "in_both": both}
