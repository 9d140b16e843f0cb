"""Whoosh queries built from parsed ones, for one committed index state.

A clause becomes a tree of Term, Phrase, And, Or and AndNot queries over the
schema's fields (index/schema.py), boosted per field; an operator's aliases, a
region's name and a word the dictionary cut differently from the index are
resolved here. ranking.evaluate runs the tree.
"""

import re

from whoosh import query as Q

from .analysis import (NAME_SUB_CHARS, analyze, is_han, normalize, pinyin_query, spoken,
                       word_pairs)
from .parsing import KINDS, Clause
from .schema import FIELD_BOOSTS, PHRASE_FIELDS, TEXT_FIELDS

#: Boost of the region term a clause that names a region adds.
REGION_BOOST = 4.0


def alias_index(aliases):
    """{alias as typed, and without spaces: operator} from {operator: [aliases]}; each
    Chinese alias and the operator's short name (中国联通 -> 联通) in pinyin too
    (liantong, zhongguoliantong), as searchers type them."""
    out = {}
    for operator, names in aliases.items():
        short = [operator[2:]] if operator.startswith("中国") and len(operator) > 3 else []
        for name in [*names, operator, *short]:
            out[name] = operator
            out[name.replace(" ", "")] = operator
            sound = spoken(name)
            if sound and len(sound) > 4:
                out.setdefault(sound, operator)
    return out


def region_index(values):
    """{normalised region name: region} from the index's region values."""
    return {normalize(v): v for v in values if v}


class QueryBuilder:
    """Builds Whoosh queries for one committed index state: its dictionary, aliases and
    regions (a Generation's), and the terms of the reader a search uses.

    searcher: the search's searcher, whose terms are looked up (query words the index
    lacks then fall back to the parts it holds); None counts every word as indexed.
    known: the generation's cache of which words are indexed."""

    def __init__(self, digest, alias_of, regions=None, known=None, searcher=None):
        self.digest = digest
        self.alias_of = alias_of
        self.regions = regions or {}
        self.known = {} if known is None else known
        self.reader = searcher.reader() if searcher is not None else None
        self.schema = searcher.schema if searcher is not None else None

    def _tokens(self, text):
        return analyze(text, self.digest, "query")

    def _known(self, word, fields):
        reader = self.reader
        if reader is None:
            return True
        key = (word, fields)
        found = self.known.get(key)
        if found is None:
            found = any((f, self.schema[f].to_bytes(word)) in reader for f in fields)
            if len(self.known) < 100_000:
                self.known[key] = found
        return found

    def _parts(self, word, fields):
        """The fewest indexed terms that spell `word` (广东电信 -> 广东, 电信), or None."""
        n = len(word)
        best = [None] * (n + 1)
        best[0] = []
        for end in range(1, n + 1):
            for start in range(end):
                if best[start] is None:
                    continue
                piece = word[start:end]
                if len(piece) == 1 and not is_han(piece):
                    continue  # a lone letter or digit says nothing
                if (best[end] is None or len(best[start]) + 1 < len(best[end])) \
                        and self._known(piece, fields):
                    best[end] = best[start] + [piece]
        return best[n] if best[n] and len(best[n]) > 1 else None

    def _agree(self, text, fields):
        """The words of text, each unindexed one replaced by the indexed parts that
        spell it; None when every word is indexed (nothing to change)."""
        words, changed = [], False
        for word in self._tokens(text):
            # Latin words are pinyin or names of things: never spelled out letter by letter.
            parts = None if self._known(word, fields) or not any(map(is_han, word)) \
                else self._parts(word, fields)
            changed |= parts is not None
            words.extend(parts or [word])
        return words if changed else None

    def _text_match(self, text, fields, phrase=False, spread=True):
        """Where text occurs in fields: as a term, or its words as a phrase (citation
        pairs, the short fields' phrase twins) or, unless spread is False, anywhere."""
        tokens = self._tokens(text)
        if not tokens:
            return None
        if len(tokens) == 1:
            return Q.Or([Q.Term(f, tokens[0], boost=FIELD_BOOSTS[f]) for f in fields])
        # Adjacent words: pair terms in the citation, positions in short fields.
        phrases = []
        for f in fields:
            if f == "citation":
                phrases.append(Q.And([Q.Term("citation_pairs", pair, boost=2.0)
                                      for pair in word_pairs(tokens)]))
            elif phrase or (f == "name" and len("".join(tokens)) > NAME_SUB_CHARS):
                # (A name up to NAME_SUB_CHARS long is matched whole by name_sub.)
                phrases.append(Q.Phrase(PHRASE_FIELDS[f], tokens, boost=FIELD_BOOSTS[f] * 2))
        if phrase or not spread:
            return Q.Or(phrases)
        spread = Q.And([Q.Or([Q.Term(f, t, boost=FIELD_BOOSTS[f]) for f in fields])
                        for t in tokens])
        return Q.Or(phrases + [spread])

    def _operator(self, text):
        key = normalize(text).strip()
        return self.alias_of.get(key) or self.alias_of.get(key.replace(" ", ""))

    def _name_match(self, text):
        parts = []
        compact = "".join(normalize(text).split())
        if compact:
            parts.append(Q.Term("name_sub", compact, boost=FIELD_BOOSTS["name_sub"]))
        letters = pinyin_query(text)
        if letters:
            parts.append(Q.Term("pinyin", letters, boost=FIELD_BOOSTS["pinyin"]))
        return parts

    def clause_query(self, clause):
        """The Whoosh query of one clause (None when it has nothing to search)."""
        text = clause.text
        if clause.field == "cycle":
            years = re.findall(r"(?:19|20)\d\d", text)
            if not years:
                return Q.NullQuery
            if len(years) >= 2:
                return Q.Term("cycle", f"{years[0]}-{years[1]}")
            return Q.Or([Q.Term("year", int(years[0])), Q.Prefix("cycle", years[0])])
        if clause.field == "kind":
            kind = KINDS.get(normalize(text))
            return Q.Term("kind", kind) if kind else Q.NullQuery
        operator = self._operator(text)
        if clause.field == "company" or (operator and clause.field is None):
            parts = [self._text_match(text, ("org",), clause.phrase)]
            if operator:
                parts.append(Q.Term("operator", operator, boost=10.0))
            parts = [p for p in parts if p is not None]
            return Q.Or(parts) if parts else None
        if clause.field == "citation":
            return self._text_match(text, ("citation",), clause.phrase)
        fields = ("name",) if clause.field == "name" else TEXT_FIELDS
        if not clause.phrase and clause.field is None:
            words = self._agree(text, fields + ("name_sub",))
            if words:  # each part as its own word: 广东电信 -> 广东 (region) and 电信 (operator)
                subs = [self.clause_query(Clause(w)) for w in words]
                return Q.And([q for q in subs if q is not None])
        # Part of a name that jieba cuts into single characters (明霞 of 陈明霞): the
        # name part matches it whole; its characters scattered over the fields (李霞明,
        # or 明 in the name and 霞 in the citation) would only add noise.
        compact = "".join(normalize(text).split())
        spread = not (
            2 <= len(compact) <= NAME_SUB_CHARS and all(map(is_han, compact))
            and all(len(t) == 1 for t in self._tokens(text))
            and self._known(compact, ("name_sub",)))
        parts = [self._text_match(text, fields, clause.phrase, spread)] + self._name_match(text)
        region = self.regions.get(normalize(text).strip()) if clause.field is None else None
        if region:
            parts.append(Q.Term("region", region, boost=REGION_BOOST))
        parts = [p for p in parts if p is not None]
        return Q.Or(parts) if parts else None

    def positive(self, parsed):
        """The queries of the clauses that must (or, relaxed, may) match."""
        queries = [self.clause_query(c) for c in parsed.clauses if not c.negated]
        return [q for q in queries if q is not None]

    def build(self, parsed, relaxed=False):
        """The Whoosh query for a parsed query (strict AND, or relaxed OR)."""
        positive = self.positive(parsed)
        negative = [q for q in (self.clause_query(c) for c in parsed.clauses if c.negated)
                    if q is not None]
        if positive:
            main = (Q.Or if relaxed else Q.And)(positive)
            whole = []
            if len(parsed.plain.split()) > 1:
                operator = self._operator(parsed.plain)
                if operator:
                    whole.append(Q.Term("operator", operator, boost=10.0))
                letters = pinyin_query(parsed.plain)
                if letters:
                    whole.append(Q.Term("pinyin", letters, boost=FIELD_BOOSTS["pinyin"]))
            if whole:
                main = Q.Or([main] + whole)
        elif any(not c.negated for c in parsed.clauses):
            return Q.NullQuery  # words with nothing searchable in them ("*", "!!")
        else:
            main = Q.Every()
        if negative:
            main = Q.AndNot(main, Q.Or(negative))
        return main
