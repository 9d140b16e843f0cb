"""Highlighting as spans: where a query's words occur in a hit's name and citation,
and the passage of a citation worth showing. Spans are (start, end) character
offsets into the text given; markup is the caller's (templates, the API)."""

import re

from whoosh import query as Q

from .analysis import PAIR, is_han, normalize, pinyin_query
from .schema import PHRASE_FIELDS

#: Characters of citation a passage shows.
PASSAGE_CHARS = 120
_SENTENCE_END = "。！？；!?;\n"
#: Full-width letters, digits and the ideographic space: what folding to half-width
#: changes that a searched word (letters, digits, an alias with a space) can contain.
_FULL_WIDTH_WORD = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")


def name_words(parsed):
    """What to look for in a hit's name: the query's words (normalised, spaces
    dropped) and the pinyin letters of each word and of all of them together."""
    texts = [c.text for c in parsed.clauses if not c.negated and c.field in (None, "name")]
    words = {"".join(normalize(t).split()) for t in texts} - {""}
    letters = {pinyin_query(t) for t in texts + [" ".join(texts)]} - {None, ""}
    return words, letters


def name_spans(name, sound, words, letters):
    """Spans of a name to mark: where the query's words occur in it (traditional
    or simplified, whole or partial), and the characters whose pinyin or pinyin
    initials the query spelled (liyuzhu, lyz, yuzhu, li)."""
    spans = find_words(normalize(name), words)
    syllables = sound.split()
    if letters and len(syllables) == len(name):
        for wanted in letters:
            run = _syllable_run(syllables, wanted)
            if run:
                spans.append(run)
    return merge(spans)


def _syllable_run(syllables, wanted):
    """The longest (start, end) run of syllables spelling `wanted` in full or, for
    two or more, by initials; the first such run. A run may span a name's middle dot
    ("-": 阿依古丽·买买提 for ayigulimaimaiti) but not start or end on it."""
    n = len(syllables)
    for size in range(n, 0, -1):
        for i in range(n - size + 1):
            run = syllables[i:i + size]
            if run[0] == "-" or run[-1] == "-":
                continue
            sounds = [s for s in run if s != "-"]
            if "".join(sounds) == wanted or (len(sounds) > 1 and
                                             "".join(s[0] for s in sounds) == wanted):
                return (i, i + size)
    return None


def citation_spans(query, texts, aliases=None, extra=None):
    """[[(start, end)] per text]: where the query's words occur in each hit's
    citation (normalised, so 聯通 in the text is found for 联通). An operator the
    query names (联通, China Unicom) marks every alias of it (联通, 中国联通 …).
    texts: (citation, plain) pairs (see the schema's plain field).
    extra: a set of more words to mark per text (or None)."""
    while isinstance(query, Q.AndNot):  # excluded words are not highlighted
        query = query.a
    words = set()
    for fieldname, term in query.iter_all_terms():
        if fieldname in ("citation", "citation_pairs", "name", PHRASE_FIELDS["name"],
                         "name_sub"):
            words.add(str(term).replace(PAIR, ""))
        elif fieldname == "operator":
            words |= {normalize(a) for a in (aliases or {}).get(term, []) if a.strip()}
    extra = extra or [set()] * len(texts)
    out = []
    for (text, plain), more in zip(texts, extra):
        wanted = words | more
        if plain and all(is_han(ch) for word in wanted for ch in word):
            searchable = text  # Han words: width and case cannot matter, nor conversion
        elif plain and not _FULL_WIDTH_WORD.search(text):
            # Full-width punctuation (，。) never occurs in a word: only case matters.
            searchable = text.lower()
        else:
            searchable = normalize(text, simplified=bool(plain))
        out.append(find_words(searchable, wanted))
    return out


def find_words(norm, words):
    """Merged (start, end) spans of every occurrence of `words` in normalised text."""
    spans = []
    for word in words:
        i = norm.find(word) if word else -1
        while i >= 0:
            spans.append((i, i + len(word)))
            i = norm.find(word, i + len(word))
    return merge(spans)


def merge(spans):
    """Spans sorted, overlapping or touching ones joined."""
    merged = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def passage(text, spans, width=PASSAGE_CHARS):
    """The part of a citation around its densest matches: {"text", "spans" (into that
    text), "before", "after" (whether text was cut there)}. Line breaks become
    spaces; the passage starts at a sentence when one begins shortly before."""
    if not text:
        return {"text": "", "spans": [], "before": False, "after": False}
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        best, best_count, j = 0, 0, 0
        for i, (s, _) in enumerate(spans):
            while spans[j][0] < s - width // 2:
                j += 1
            if i - j + 1 > best_count:
                best, best_count = j, i - j + 1
        first = spans[best][0]
        start = max(0, first - width // 4)
        for k in range(first - 1, max(0, first - width // 3) - 1, -1):
            if text[k] in _SENTENCE_END:
                start = k + 1
                break
        end = min(len(text), start + width)
    body = text[start:end].replace("\n", " ")
    stripped = body.strip()
    lead = len(body) - len(body.lstrip())
    inner = [(max(s, start) - start - lead, min(e, end) - start - lead)
             for s, e in spans if e > start and s < end]
    inner = [(max(s, 0), min(e, len(stripped))) for s, e in inner]
    return {"text": stripped, "spans": [(s, e) for s, e in inner if e > s],
            "before": start > 0, "after": end < len(text)}
