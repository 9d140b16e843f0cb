"""Text analysis: Chinese normalisation, jieba segmentation, pinyin keys.

One analyzer (:func:`chinese_analyzer`) serves index and query time. Its
tokenizer normalises text (full-width -> half-width, traditional ->
simplified, lower case) without changing its length, so the character
offsets it reports point into the original text (snippets, though, find the
matched words in the stored text and need no offsets). Segmentation uses
jieba's dictionary plus the archive's words (names, companies, units) stored
with the index snapshot, loaded once per process, through rjieba (jieba-rs);
Python jieba is the reference it is tested against (a test dependency).
"""

import functools
import hashlib
import itertools
import logging
import operator
import os
import re
import threading
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import opencc
import rjieba
from whoosh.analysis import Token, Tokenizer

from . import internals

# jieba and pypinyin load large tables; they are imported where used (index
# builds, the reference segmenter), so that web workers stay small.

_t2s = opencc.OpenCC("t2s")
_LOCK = threading.Lock()

#: Surnames of two characters, so that "yuzhu" finds 李玉柱 and "xiaoming" 欧阳晓明.
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫")


# Full-width ASCII (！ to ～) and the ideographic space -> their half-width forms.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = 0x20
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(text):
    if not _FULL_WIDTH.search(text):
        return text
    if len(text) < 64:
        return text.translate(_HALF_WIDTH)
    # str.translate looks up every character in a dict: for a citation's thousand or
    # so, shifting the code points in an array is several times faster.
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    points[(points >= 0xFF01) & (points <= 0xFF5E)] -= 0xFEE0
    points[points == 0x3000] = 0x20
    return points.tobytes().decode("utf-32-le")


_KEEP = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=16)  # an entry's citation is normalised once per field
def normalize(text, simplified=False):
    """Full-width -> half-width, traditional -> simplified, lower case; same length.

    The one normalisation of Chinese text, used for indexing, queries,
    aliases and dictionaries alike. simplified: the caller knows the text has
    no traditional characters (see is_plain), so the conversion is skipped.
    """
    if not text:
        return ""
    folded = _half_width(text)
    if simplified:
        return folded.lower() if len(folded.lower()) == len(folded) else \
            "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)
    simplified = _t2s.convert(folded)
    if len(simplified) != len(folded):
        simplified = "".join(_t2s.convert(ch) if len(_t2s.convert(ch)) == 1 else ch
                             for ch in folded)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in simplified)
    return lowered


def is_plain(text):
    """True when text has no traditional characters (converting it to simplified
    changes nothing): normalize(text, simplified=True) is then enough."""
    folded = _half_width(text or "")
    return _t2s.convert(folded) == folded


def _digest(path):
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]


def read_user_words(path):
    """(word, freq) pairs of a snapshot's user dictionary file."""
    out = []
    for line in Path(path).read_text("utf-8").splitlines():
        word, _, freq = line.rpartition(" ")
        if word:
            out.append((word, int(freq)))
    return out


def _new_segmenter():
    global _DEFAULT_TAKEN
    with _LOCK:
        if not _DEFAULT_TAKEN:
            # Importing rjieba already built one dictionary (~60 MB); the first
            # snapshot a process opens takes it over instead of building another.
            _DEFAULT_TAKEN = True
            default = internals.default_segmenter()
            if default is not None:
                return default
    return rjieba.Jieba()


class Dictionary:
    """A loaded jieba dictionary: its segmenter, the file it was read from (to load it
    again once evicted) and, per thread, the last text it cut."""

    def __init__(self, jieba, path=None):
        self.jieba = jieba
        self.path = path
        self.last = threading.local()  # .key, .words: see _precise
        # What each word is indexed as (see _expansion), without and with its parts:
        # words repeat, so the dictionary is probed once per distinct word.
        self.expansions = ({}, {})


#: The jieba dictionaries this process has loaded, by digest ("default": jieba's own
#: words). A process-wide registry on purpose: each costs ~60 MB, snapshots built and
#: opened in one process share them, and Whoosh pickles a schema's analyzers with the
#: digest only (writer processes find the dictionary here). The newest
#: KEEP_SEGMENTERS stay loaded.
_DICTIONARIES = {}
_DEFAULT_TAKEN = False
KEEP_SEGMENTERS = 2


def load_dictionary(path):
    """Load a user dictionary (``word freq`` lines) once per process; return its digest.

    Segmentation runs on rjieba (jieba-rs: jieba's dictionary and algorithm,
    compiled); tests hold it to jieba's own output, which stays the reference.
    Only the newest KEEP_SEGMENTERS dictionaries stay loaded.
    """
    digest = _digest(path)
    with _LOCK:
        known = _DICTIONARIES.get(digest)
        if known is not None:
            known.path = str(path)
            return digest
    seg = _new_segmenter()
    for word, freq in read_user_words(path):
        seg.add_word(word, freq, None)
    with _LOCK:
        _DICTIONARIES.setdefault(digest, Dictionary(seg, str(path)))
        loaded = [k for k in _DICTIONARIES if k != "default"]
        for old in loaded[:-KEEP_SEGMENTERS]:
            _EVICTED[old] = _DICTIONARIES.pop(old).path
    return digest


#: digest -> the file of a dictionary evicted by newer ones (load_dictionary reloads it).
_EVICTED = {}


def reference_segmenter(path=None, cache_dir=None):
    """Python jieba with the same user words: the reference the fast path must match.
    cache_dir: where jieba keeps its dictionary cache (default: the temporary folder)."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    seg = jieba.Tokenizer()
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        seg.tmp_dir = str(cache_dir)
    seg.initialize()
    for word, freq in read_user_words(path) if path else ():
        seg.add_word(word, freq)
    return seg


def write_dictionary(path, words):
    """Write the archive's words (names, companies, units) as a user dictionary.

    Each word gets the frequency jieba suggests to keep it whole.
    """
    seg = segmenter(None)
    lines = []
    for word in sorted({normalize(w).strip() for w in words if w}):
        if len(word) < 2 or any(ch.isspace() for ch in word):
            continue
        freq = seg.suggest_freq(word)
        lines.append(f"{word} {max(int(freq), 1)}\n")
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.writelines(lines)
    os.replace(tmp, path)
    return len(lines)


def _dictionary(digest=None):
    """The loaded Dictionary of a digest (jieba's own words if None)."""
    found = _DICTIONARIES.get(digest or "default")
    if found is None and digest is not None and digest in _EVICTED:
        # Evicted by newer snapshots (KEEP_SEGMENTERS) while this one is still in use.
        load_dictionary(_EVICTED[digest])
        found = _DICTIONARIES.get(digest)
    if found is None:
        if digest is not None:
            raise LookupError(f"jieba dictionary {digest} is not loaded; open its snapshot first")
        found = Dictionary(_new_segmenter())
        with _LOCK:
            found = _DICTIONARIES.setdefault("default", found)
    return found


def segmenter(digest=None):
    """The segmenter for a loaded dictionary digest (jieba's own words if None)."""
    return _dictionary(digest).jieba


@functools.lru_cache(maxsize=200_000)  # words repeat: most calls are lookups
def _keep(word):
    return _KEEP.search(word) is not None


def _precise(text, digest):
    """jieba's precise cut of normalised text, remembered (per thread) for the next
    caller: the citation and its pair field analyse the same text one after another."""
    dictionary = _dictionary(digest)
    last = dictionary.last
    if getattr(last, "key", None) != text:
        words = [w for w in dictionary.jieba.tokenize(text, "default", False) if _keep(w[0])]
        last.key, last.words = text, words
    return last.words


_ALNUM_RUN = re.compile(r"[a-z0-9]+")


#: Distinct words whose expansion a dictionary remembers (a long import's worth).
EXPANSIONS_KEPT = 500_000


def _expansion(dictionary, word, parts):
    """What a precise word is indexed as, in order: its dictionary sub-words, then (parts)
    its Han characters and inner letter/digit runs, then the word. A pair: the (term,
    start, end) triples, offsets into the word, and the terms alone."""
    cache = dictionary.expansions[bool(parts)]
    found = cache.get(word)
    if found is not None:
        return found
    out = []
    n = len(word)
    if n > 2:
        has_word = dictionary.jieba.has_word
        for size in range(2, n):
            for i in range(0, n - size + 1):
                sub = word[i:i + size]
                if has_word(sub) and _keep(sub):
                    out.append((sub, i, i + size))
    if parts and n > 1:
        seen = set()
        for i, ch in enumerate(word):
            if ch not in seen and is_han(ch):
                seen.add(ch)
                out.append((ch, i, i + 1))
        for m in _ALNUM_RUN.finditer(word):
            if 1 < len(m.group()) < n:
                out.append((m.group(), m.start(), m.end()))
    out.append((word, 0, n))
    found = (tuple(out), tuple(term for term, _, _ in out))
    if len(cache) >= EXPANSIONS_KEPT:
        cache.clear()
    cache[word] = found
    return found


def segment(text, digest=None, mode="index", chars=False):
    """Yield (word, start, end, position) for normalised text.

    mode "query": jieba's precise cut. mode "index": the same words, each
    preceded by its sub-words found in the dictionary, at the same position
    (so phrase queries over precise cuts still line up). chars (index mode,
    short fields): also every Han character and every run of Latin letters or
    digits inside a longer word, so that any word a query cuts out of a name
    or unit (局 of 渝中区局, 10086 of 深圳10086热线班) is a term of it.
    """
    if mode == "query":
        for pos, (word, start, end) in enumerate(_precise(text, digest)):
            yield word, start, end, pos
        return
    dictionary = _dictionary(digest)
    for pos, (word, start, end) in enumerate(_precise(text, digest)):
        for term, i, j in _expansion(dictionary, word, chars)[0]:
            yield term, start + i, start + j, pos


def index_counts(text, digest=None, chars=False):
    """How often segment(text, digest, "index", chars) yields each term, counted a
    distinct word at a time."""
    dictionary = _dictionary(digest)
    known = dictionary.expansions[bool(chars)].get
    counts = Counter(map(_first, _precise(text, digest)))
    for word, n in list(counts.items()):
        terms = (known(word) or _expansion(dictionary, word, chars))[1]
        for term in terms[:-1]:  # the word's sub-words and parts; the last is the word
            counts[term] += n
    return counts


_first = operator.itemgetter(0)


def search_cut(text):
    """jieba's default dictionary on normalised text: (the precise cut, the search-mode
    cut — the precise words and their 2- and 3-character dictionary sub-words)."""
    seg = segmenter(None)
    return ([w for w in seg.cut(text, False) if _keep(w)],
            [w for w in seg.cut_for_search(text, False) if _keep(w)])


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`segment`; honours positions/chars/start_* and mode.
    parts: index every character and letter/digit run of long words too (short fields)."""

    def __init__(self, digest=None, parts=False):
        self.digest = digest
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ChineseTokenizer) and other.digest == self.digest and \
            getattr(other, "parts", False) == self.parts

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = normalize(value)
        for word, start, end, pos in segment(text, self.digest, mode or "index",
                                             chars=getattr(self, "parts", False)):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t

    def terms(self, value):
        """The texts of the tokens an index-time call yields, in order."""
        return [term for term, _ in self.positioned(value)]

    def counts(self, value):
        """{text: count} of the tokens an index-time call yields: for counting
        (index.bulk), without making a token each."""
        return index_counts(normalize(value), self.digest, getattr(self, "parts", False))

    def positioned(self, value):
        """(text, position) of the tokens an index-time call yields, in order: for
        index.bulk, without making a token each."""
        return [(term, pos) for term, _, _, pos in
                segment(normalize(value), self.digest, "index", getattr(self, "parts", False))]


class PairTokenizer(ChineseTokenizer):
    """Adjacent pairs of precise words ("首问|负责制"): a phrase of k words is
    then k-1 term lookups instead of a position check on every candidate."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        previous = None
        for word, _, _, pos in segment(normalize(value), self.digest, "query"):
            if previous is not None:
                t.text = previous + PAIR + word
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = start_pos + pos - 1
                yield t
            previous = word


    def terms(self, value):
        """The pair texts an index-time call yields, in order."""
        return word_pairs(list(map(_first, _precise(normalize(value), self.digest))))

    def counts(self, value):
        """{pair text: count} of the pairs an index-time call yields."""
        return Counter(self.terms(value))

    def positioned(self, value):
        """(pair text, position) of the pairs an index-time call yields."""
        return [(pair, pos) for pos, pair in enumerate(self.terms(value))]


PAIR = "|"


def word_pairs(words):
    """The pair terms of a phrase's words, as PairTokenizer indexes them."""
    return list(map(PAIR.join, zip(words, words[1:])))


def chinese_analyzer(digest=None, parts=False):
    """The archive's analyzer, bound to a loaded jieba dictionary; parts: for short
    fields (names, units), every character and letter/digit run of a long word is a
    term too."""
    return ChineseTokenizer(digest, parts)


def analyze(text, digest=None, mode="query"):
    """The analyzer's terms for text (query-time helper)."""
    return [word for word, _, _, _ in segment(normalize(text), digest, mode)]


#: Names are indexed under every substring up to this long (name_sub).
NAME_SUB_CHARS = 8


def name_substrings(name, longest=NAME_SUB_CHARS):
    """Every substring (up to `longest` chars) of a normalised name, and the name."""
    name = "".join(normalize(name).split())
    out = {name} if name else set()
    for size in range(1, min(len(name), longest) + 1):
        for i in range(0, len(name) - size + 1):
            out.add(name[i:i + size])
    return sorted(out)


def _readings(text):
    from pypinyin import Style, pinyin
    return pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore", strict=False)


#: What separates the parts of a name written with a middle dot (阿依古丽·吐尔逊).
NAME_DOTS = re.compile(r"[·•‧・∙⋅．.]+")


def name_parts(name):
    """The Han parts of a name written with middle dots (["阿依古丽", "吐尔逊"]); [] for a
    name without them."""
    parts = ["".join(ch for ch in part if is_han(ch)) for part in NAME_DOTS.split(normalize(name))]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else []


def pinyin_keys(name, kind="individual", limit=16):
    """Pinyin keys under which a name is found: liyuzhu, lyz, yuzhu (given name) and
    li (surname, listed twice so that a surname search ranks it above a given name
    that sounds the same). A name written with middle dots (阿依古丽·吐尔逊) has no
    Chinese surname: each part is a key of its own (ayiguli, tuerxun), with its
    initials, besides the whole name."""
    parts = name_parts(name)
    if parts:
        keys = set()
        for part in parts + ["".join(parts)]:
            for combo in itertools.islice(itertools.product(*[r[:3] for r in _readings(part)]),
                                          limit):
                keys.add("".join(combo))
                keys.add("".join(s[0] for s in combo))
        return sorted(k for k in keys if k)
    name = "".join(ch for ch in normalize(name) if is_han(ch))
    if not name:
        return []
    syllables = [r[:3] for r in _readings(name)]
    keys, surnames = set(), set()
    for combo in itertools.islice(itertools.product(*syllables), limit):
        keys.add("".join(combo))
        keys.add("".join(s[0] for s in combo))
        if kind == "individual" and len(name) >= 2:
            cut = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
            keys.add("".join(combo[cut:]))
            surnames.add("".join(combo[:cut]))
    return sorted(k for k in keys if k) + sorted(surnames) * 2


def is_han(ch):
    """Whether ch is a CJK unified ideograph (the basic block)."""
    return "\u4e00" <= ch <= "\u9fff"


def name_sound(name):
    """The name's pinyin, one toneless syllable per character of the name as written
    ("-" for a character that has none): "李玉柱" -> "li yu zhu". Aligned with the
    name, so that a pinyin match can be marked on its characters."""
    if not name:
        return ""
    from pypinyin import Style, pinyin
    folded = normalize(name)
    readings = pinyin([ch for ch in folded], style=Style.NORMAL, errors=lambda ch: "-")
    out = []
    for ch, reading in zip(folded, readings):
        out.append(reading[0] if is_han(ch) and reading and reading[0] else "-")
    return " ".join(out)


@functools.lru_cache(maxsize=4096)  # regions and operators repeat
def spoken(text):
    """The toneless pinyin letters of the Chinese characters in text ("北京" ->
    "beijing"), "" when it has none."""
    return "".join(s for s in name_sound(text).split() if s != "-")


_PINYIN_SEPARATORS = re.compile(r"[\s\-‐'’·]+")
_TONE_NUMBER = re.compile(r"(?<=[a-z])[1-5]")


def pinyin_query(text):
    """Letters of a pinyin query ("Li Yuzhu", "li-yuzhu", "lǐ yùzhù", "li3 yu4 zhu4" ->
    "liyuzhu"): case, spaces, hyphens, apostrophes, tone marks and tone numbers
    dropped, ü written v (as pypinyin does); None when it is not pinyin."""
    text = normalize(text).replace("ü", "v")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if unicodedata.category(ch) != "Mn")
    letters = _PINYIN_SEPARATORS.sub("", _TONE_NUMBER.sub("", text))
    return letters if letters.isascii() and letters.isalpha() else None
