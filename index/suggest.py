"""Suggestions: completion of a prefix (search as you type) and corrections of a
query that found little (typos, homophones).

Both draw on one :class:`Lexicon` per index generation: the distinct names,
team names and companies of the live documents and the operators with their
aliases, each with its entry count and pinyin. It is built from the document
table's columns (no stored-field reads) and kept by the generation (index/generation.py).
"""

import bisect
import re

import numpy as np

from .analysis import NAME_DOTS, is_han, normalize, pinyin_query, spoken

LIMIT = 8
KINDS = ("individual", "team", "company", "operator")


def _compact(text):
    return "".join(normalize(text or "").split())


def _sound_parts(sound):
    """The pinyin of each part of a name whose sound has separators ("a yi gu li - tu er
    xun" -> ["ayiguli", "tuerxun"]); [] when it has fewer than two parts."""
    parts = [p.replace(" ", "") for p in re.split(r"\s*-\s*", sound.strip())]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else []


def _has_han(text):
    return any(map(is_han, text))


class Lexicon:
    """The suggestable words of one index generation. Corrections need only the
    words and their pinyin; the sorted completion keys are built on first use."""

    def __init__(self, table, aliases):
        live = np.flatnonzero(table.live)
        kind_values = table.values["kind"]
        label_codes = table.codes["label"][live]
        kind_codes = table.codes["kind"][live]
        # Distinct (name, kind) pairs, with how many entries carry each.
        pairs = label_codes.astype(np.int64) * (len(kind_values) + 1) + kind_codes
        _, first, count = np.unique(pairs, return_index=True, return_counts=True)
        docs = live[first]
        labels, sound_values = table.values["label"], table.values["sound"]
        team = kind_values.index("team") if "team" in kind_values else -1
        syllables = {}  # sound code -> the name's syllables (one sound per distinct name)
        texts, kinds, counts, sounds, initials, parts = [], [], [], [], [], []
        for label, kind, sound, n in zip(table.codes["label"][docs].tolist(),
                                         table.codes["kind"][docs].tolist(),
                                         table.codes["sound"][docs].tolist(), count.tolist()):
            if not labels[label]:
                continue
            if sound not in syllables:
                syllables[sound] = [s for s in sound_values[sound].split() if s != "-"]
            texts.append(labels[label])
            kinds.append("team" if kind == team else "individual")
            counts.append(n)
            sounds.append("".join(syllables[sound]))
            initials.append("".join(s[0] for s in syllables[sound]))
            # The parts of a name written with middle dots (ayiguli, tuerxun).
            parts.append(_sound_parts(sound_values[sound])
                         if NAME_DOTS.search(labels[label]) else [])
        companies = np.bincount(table.codes["company"][live],
                                minlength=len(table.values["company"]))
        for value, n in zip(table.values["company"], companies.tolist()):
            if value and n:
                texts.append(value)
                kinds.append("company")
                counts.append(n)
                sounds.append(spoken(value))
                initials.append("")
        operators = np.bincount(table.codes["operator"][live],
                                minlength=len(table.values["operator"]))
        operator_count = {v: int(n) for v, n in zip(table.values["operator"], operators)}
        self._first_operator = len(texts)
        for operator in aliases:
            if operator_count.get(operator):
                texts.append(operator)
                kinds.append("operator")
                counts.append(operator_count[operator])
                sounds.append(spoken(operator))
                initials.append("")
        self.texts, self.kinds, self.sounds, self._initials = texts, kinds, sounds, initials
        self._parts = parts
        self._aliases = aliases
        self.counts = np.array(counts, dtype=np.int64)
        self.compact = [_compact(t) for t in texts]
        self.by_sound = {}
        for i, sound in enumerate(sounds):
            if sound and kinds[i] != "operator":
                self.by_sound.setdefault(sound, []).append(i)
        # The parts of minority names (nueraili, tuerxun), and whose each is.
        self._part_sounds, self._part_items = [], []
        for i, own in enumerate(parts):
            for part in own:
                self.by_sound.setdefault(part, []).append(i)
                self._part_sounds.append(part)
                self._part_items.append(i)
        self._keys = None

    def _completion(self):
        """(sorted keys, item of each key, rank of that item), built once."""
        if self._keys is not None:
            return self._keys
        texts, kinds, first_operator = self.texts, self.kinds, self._first_operator
        keys = []
        for i, (text, kind, sound) in enumerate(zip(self.compact, kinds, self.sounds)):
            own = {text}
            if kind in ("individual", "team") and sound:
                own.add(sound)
                if kind == "individual":
                    own.add(self._initials[i])
                    own.update(self._parts[i] if i < len(self._parts) else ())
            if kind == "company" and text.startswith("中国"):
                own.add(text[2:])
            keys.extend((k, i) for k in own if k)
        for operator, names in self._aliases.items():
            if operator in texts[first_operator:]:
                i = first_operator + texts[first_operator:].index(operator)
                keys.extend((_compact(n), i) for n in names if _compact(n))
        keys.sort()
        items = np.array([i for _, i in keys], dtype=np.int64)
        # Rank of each key's item: most entries first, then shorter, then by text.
        counts = self.counts.tolist()
        order = sorted(range(len(texts)), key=lambda i: (-counts[i], len(texts[i]), texts[i]))
        rank = np.empty(len(texts), dtype=np.int64)
        rank[order] = np.arange(len(texts))
        self._keys = ([k for k, _ in keys], items, rank[items] if len(items) else items)
        return self._keys

    def _item(self, i):
        return {"text": self.texts[i], "kind": self.kinds[i]}

    def complete(self, prefix, limit=LIMIT):
        """Up to `limit` names, teams, companies or operators starting with `prefix`
        (as written, in pinyin or pinyin initials): exact matches first, then those
        with the most entries."""
        wanted = _compact(prefix)
        if not wanted:
            return []
        letters = pinyin_query(prefix)
        keys, key_items, key_rank = self._completion()
        found = {}
        for key in {wanted, letters} - {None, ""}:
            lo = bisect.bisect_left(keys, key)
            hi = bisect.bisect_left(keys, key + "\U0010ffff")
            if hi <= lo:
                continue
            ranks = key_rank[lo:hi]
            take = min(len(ranks), limit * 4)
            best = np.argpartition(ranks, take - 1)[:take] if take < len(ranks) else \
                np.arange(len(ranks))
            for j in best.tolist():
                i = int(key_items[lo + j])
                exact = keys[lo + j] == key
                score = (0 if exact else 1, int(key_rank[lo + j]))
                found[i] = min(found.get(i, score), score)
        return [self._item(i) for i in sorted(found, key=found.get)[:limit]]

    def correct(self, text, limit=5):
        """What the user probably meant by a query that found little: names, teams
        and companies that sound the same (李玉住 -> 李玉柱) or whose pinyin is a
        small edit away (liyuzu -> 李玉柱, xihua -> 谢华); closest first."""
        typed = _compact(text)
        if not typed or len(typed) > 40:
            return []
        # Imported here: its C++ start-up costs 0.1-0.2 s, and only corrections use it
        # (not imports, the CLI or a process's first search that finds something).
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein
        letters = spoken(typed) if _has_han(typed) else pinyin_query(text)
        scored = {}
        if letters:
            for i in self.by_sound.get(letters, []):
                scored[i] = 0
            if len(letters) >= 4:
                allowed = 1 if len(letters) <= 6 else 2
                for _, distance, i in process.extract(letters, self.sounds,
                                                      scorer=Levenshtein.distance,
                                                      score_cutoff=allowed, limit=50):
                    scored[i] = min(scored.get(i, 9), distance)
                # A part of a minority name, spelt as its owner says it (nuraili for
                # 努尔艾力, nueraili in pinyin).
                for _, distance, j in process.extract(letters, self._part_sounds,
                                                      scorer=Levenshtein.distance,
                                                      score_cutoff=allowed, limit=50):
                    i = self._part_items[j]
                    scored[i] = min(scored.get(i, 9), distance)
        if _has_han(typed) and len(typed) >= 3:
            for _, distance, i in process.extract(typed, self.compact, scorer=Levenshtein.distance,
                                                  score_cutoff=1, limit=50):
                scored[i] = min(scored.get(i, 9), distance)
        order = sorted((i for i in scored if self.compact[i] != typed
                        and self.kinds[i] != "operator"),
                       key=lambda i: (scored[i], -self.counts[i], len(self.texts[i])))
        seen, out = set(), []
        for i in order:
            if self.texts[i] not in seen:
                seen.add(self.texts[i])
                out.append(self._item(i))
        return out[:limit]



#: A query with fewer results than this gets "did you mean" suggestions.
FEW = 3
#: A query of this many Han characters or fewer may be a mistyped name.
NAME_CHARS = 4
#: ... and gets suggestions while it finds fewer entries than this, none of them that name.
FEW_FOR_A_NAME = 20


def worth_correcting(parsed, total, relaxed, names, names_marked):
    """Whether "did you mean" is worth computing for a search: it found nothing, or
    was relaxed, or found little and nothing by name, or looks like a name (a few
    Han characters) that no hit's name contains (刘旭名 finding four citations that
    use those characters, but not 刘旭明).

    parsed: the ParsedQuery; total: people found; names: the names of the page's
    hits; names_marked: whether any of those names matched the query."""
    if not total or relaxed:
        return bool(parsed.clauses)
    if total < FEW and not names_marked:
        return True
    clauses = [c for c in parsed.clauses if not c.negated]
    if len(clauses) != 1 or clauses[0].field not in (None, "name"):
        return False
    typed = _compact(clauses[0].text)
    return (total < FEW_FOR_A_NAME and 2 <= len(typed) <= NAME_CHARS
            and all(map(is_han, typed))
            and not any(typed in normalize(name or "") for name in names))
