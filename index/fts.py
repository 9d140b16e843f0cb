"""Chinese text for SQLite FTS5: jieba-segmented, space-separated tokens.

FTS5's tokenizers cannot cut Chinese into words (unicode61 keeps a run of
Han characters as one token; trigram never matches two characters). Text
segmented here is what such a table indexes instead, so that FTS5's
unicode61 tokenizer, and Datasette's search box over it, find Chinese words:
the precise cut (normalised as everywhere: simplified, half-width, lower
case), the 2- and 3-character dictionary sub-words of a long word (jieba's
search mode: 中国联通 -> 中国, 联通), every
two adjacent words joined (投诉 处理 -> 投诉处理, for a phrase typed without a
space) and, for names, every part of the name (李玉柱 -> 玉柱).
"""

from .analysis import name_substrings, normalize, search_cut, segment


def segmented(text, name=False):
    """The FTS5 text of `text`: its words in order, then the extra tokens
    (sub-words, joined neighbours, name parts), each once."""
    text = normalize(text or "")
    words, extra = search_cut(text)
    extra += map(str.__add__, words, words[1:])
    if name:
        extra += name_substrings(text)
    return " ".join(dict.fromkeys(words + extra))


def match_expression(query):
    """An FTS5 MATCH expression for a user's query, segmented the same way: every
    word of the precise cut, quoted, all required; None when nothing is left."""
    tokens = [w for w, _, _, _ in segment(normalize(query or ""), None, "query")]
    if not tokens:
        return None
    return " ".join('"' + t.replace('"', '""') + '"' for t in tokens)
