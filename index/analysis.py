"""Text analysis: Chinese normalisation, jieba segmentation, pinyin keys.

One analyzer (:func:`chinese_analyzer`) serves index and query time. Its
tokenizer normalises text (full-width -> half-width, traditional ->
simplified, lower case) without changing its length, so the character
offsets it reports point into the original text (highlighting relies on
them). Segmentation uses a jieba dictionary bound to the index snapshot
(jieba's own words plus the archive's names), loaded once per process.
"""

import hashlib
import itertools
import logging
import os
import threading
import unicodedata
from pathlib import Path

import jieba
import opencc
from pypinyin import Style, pinyin
from whoosh.analysis import Token, Tokenizer

jieba.setLogLevel(logging.WARNING)

_t2s = opencc.OpenCC("t2s")
_CACHE_DIR = None
_SEGMENTERS = {}  # dictionary digest -> jieba.Tokenizer
_LOCK = threading.Lock()

#: Surnames of two characters, so that "yuzhu" finds 李玉柱 and "xiaoming" 欧阳晓明.
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫")


def set_cache_dir(path):
    """Keep jieba's dictionary caches in path (the instance folder), not /tmp."""
    global _CACHE_DIR
    _CACHE_DIR = str(path)
    os.makedirs(_CACHE_DIR, exist_ok=True)


def _char(ch):
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def normalize(text):
    """Full-width -> half-width, traditional -> simplified, lower case; same length.

    The one normalisation of Chinese text, used for indexing, queries,
    aliases and dictionaries alike.
    """
    if not text:
        return ""
    folded = "".join(_char(ch) for ch in text)
    simplified = _t2s.convert(folded)
    if len(simplified) != len(folded):
        simplified = "".join(_t2s.convert(ch) if len(_t2s.convert(ch)) == 1 else ch
                             for ch in folded)
    lowered = simplified.lower()
    if len(lowered) != len(simplified):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in simplified)
    return lowered


def _digest(path):
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]


def load_dictionary(path):
    """Load a jieba dictionary file once per process; return its digest."""
    digest = _digest(path)
    with _LOCK:
        if digest not in _SEGMENTERS:
            seg = jieba.Tokenizer(dictionary=str(path))
            if _CACHE_DIR:
                seg.tmp_dir = _CACHE_DIR
            seg.initialize()
            _SEGMENTERS[digest] = seg
    return digest


def write_dictionary(path, words):
    """Write jieba's main dictionary plus the archive's words (names, companies…).

    Each word gets the frequency jieba would suggest to keep it whole.
    """
    base = Path(jieba.__file__).with_name("dict.txt")
    seg = jieba.Tokenizer()
    if _CACHE_DIR:
        seg.tmp_dir = _CACHE_DIR
    seg.initialize()
    lines = []
    for word in sorted({normalize(w).strip() for w in words if w}):
        if len(word) < 2 or any(ch.isspace() for ch in word):
            continue
        freq = seg.suggest_freq(word, tune=False)
        lines.append(f"{word} {max(int(freq), 1)}\n")
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(base.read_text(encoding="utf-8"))
        out.writelines(lines)
    os.replace(tmp, path)
    return len(lines)


def segmenter(digest=None):
    """The jieba tokenizer for a loaded dictionary digest (jieba's own if None)."""
    if digest is None:
        with _LOCK:
            if "default" not in _SEGMENTERS:
                seg = jieba.Tokenizer()
                if _CACHE_DIR:
                    seg.tmp_dir = _CACHE_DIR
                seg.initialize()
                _SEGMENTERS["default"] = seg
        return _SEGMENTERS["default"]
    seg = _SEGMENTERS.get(digest)
    if seg is None:
        raise LookupError(f"jieba dictionary {digest} is not loaded; open its snapshot first")
    return seg


def _keep(word):
    return any(ch.isalnum() for ch in word)


def segment(text, digest=None, mode="index"):
    """Yield (word, start, end, position) for normalised text.

    mode "query": jieba's precise cut. mode "index": the same words, each
    preceded by its sub-words found in the dictionary, at the same position
    (so phrase queries over precise cuts still line up).
    """
    seg = segmenter(digest)
    freq = seg.FREQ
    pos = 0
    for word, start, end in seg.tokenize(text, HMM=False):
        if not _keep(word):
            continue
        if mode != "query" and len(word) > 2:
            n = len(word)
            for size in range(2, n):
                for i in range(0, n - size + 1):
                    sub = word[i:i + size]
                    if freq.get(sub) and _keep(sub):
                        yield sub, start + i, start + i + size, pos
        yield word, start, end, pos
        pos += 1


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`segment`; honours positions/chars/start_* and mode."""

    def __init__(self, digest=None):
        self.digest = digest

    def __eq__(self, other):
        return isinstance(other, ChineseTokenizer) and other.digest == self.digest

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = normalize(value)
        for word, start, end, pos in segment(text, self.digest, mode or "index"):
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


def chinese_analyzer(digest=None):
    """The archive's analyzer, bound to a loaded jieba dictionary."""
    return ChineseTokenizer(digest)


def analyze(text, digest=None, mode="query"):
    """The analyzer's terms for text (query-time helper)."""
    return [word for word, _, _, _ in segment(normalize(text), digest, mode)]


def name_substrings(name, longest=8):
    """Every substring (up to `longest` chars) of a normalised name, and the name."""
    name = "".join(normalize(name).split())
    out = {name} if name else set()
    for size in range(1, min(len(name), longest) + 1):
        for i in range(0, len(name) - size + 1):
            out.add(name[i:i + size])
    return sorted(out)


def _readings(text):
    return pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore", strict=False)


def pinyin_keys(name, kind="individual", limit=16):
    """Pinyin keys under which a name is found: liyuzhu, lyz, yuzhu (given name)."""
    name = "".join(ch for ch in normalize(name) if "\u4e00" <= ch <= "\u9fff")
    if not name:
        return []
    syllables = [r[:3] for r in _readings(name)]
    keys = set()
    for combo in itertools.islice(itertools.product(*syllables), limit):
        keys.add("".join(combo))
        keys.add("".join(s[0] for s in combo))
        if kind == "individual" and len(name) >= 2:
            cut = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
            keys.add("".join(combo[cut:]))
    return sorted(k for k in keys if k)


def pinyin_query(text):
    """Letters of a pinyin query, spaces and case dropped ("Li Yuzhu" -> "liyuzhu")."""
    letters = "".join(normalize(text).split())
    return letters if letters.isascii() and letters.isalpha() else None
