"""Citation themes over time: the words most characteristic of each cycle's
citations, how often a word or phrase is mentioned per cycle, and citations
like a given one.

Keywords are TF-IDF with the archive's own IDF, computed here from the
index's postings (so that no second dictionary is loaded into a web worker
and no citation is segmented again): the share of a cycle's citations that
use a word (a binary TF, so that one long citation cannot make its own words
a cycle's theme) times log(N / citations with the word).
Boilerplate that every citation repeats is dropped by the IDF, and the words
in STOP_WORDS (同志, 工作, 用户 …) are never keywords.
"""


import numpy as np
from whoosh import query as Q

from .parsing import Clause
from .ranking import collapse, evaluate, term_postings, top

#: Words of the citations' own boilerplate, and function words jieba keeps.
STOP_WORDS = frozenset("""
同志 工作 用户 客户 公司 服务 我们 他们 她们 自己 一个 一名 一直 以来 通过 进行 开展 积极 认真
不断 努力 全面 充分 有效 坚持 获得 荣获 多次 始终 作为 能够 已经 没有 就是 这个 这些 那些 这样
以及 为了 其中 同时 更加 得到 实现 提升 提高 完成 做好 加强 推进 推动 持续 取得 带领 带动 相关
年度 年来 期间 以上 左右 主动 深入 明显 显著 圆满 成为 组织 负责 时间 问题 方面 情况 要求 单位
员工 岗位 分公司 有限公司 股份 集团 中国 全国 电信 移动 联通 班组 成员 该同志 该班组 称号 先进
不会 不能 可以 能够 应该 需要 不愧 成为 进行 具有 是否 不仅 而且 因为 所以 如果 虽然 但是
""".split())
MIN_DOCS = 2
#: A cycle with fewer citations than this gets no keywords: with a handful of texts
#: every word is "characteristic" (the 5 candidates of one notice are not a theme).
MIN_CITATIONS = 20
#: Parts of speech (jieba's tagger) that carry content: nouns (names of people
#: excluded), verbs and verbal nouns, adjectives, idioms, and Latin words (5G, ADSL).
CONTENT_TAGS = ("n", "ns", "nt", "nz", "ng", "nrt", "v", "vn", "vd", "a", "an", "ad",
                "i", "l", "j", "eng")


def _keep(word, tagger):
    """Whether a citation word can be a theme: two characters or more, not boilerplate,
    and a content word by jieba's tagger (a word the tagger splits is one of the
    archive's own, a name or a company: kept, names are dropped later)."""
    if len(word) < 2 or word in STOP_WORDS or word.isdigit():
        return False
    if not any(ch.isalpha() for ch in word):
        return False
    tags = tagger(word, False)
    return len(tags) != 1 or tags[0][1] in CONTENT_TAGS


def cited(table):
    """Boolean mask over docnums: live documents whose citation is not empty (lists of
    honorees usually carry none)."""
    lengths = table.lengths.get("citation")
    if lengths is None:
        return table.live.copy()
    return table.live & (lengths > 0)


def citation_counts(snapshot, stage=None):
    """{cycle: (entries with a citation, all entries)}, optionally of one stage."""
    with snapshot.reading() as generation:
        table = generation.table
        keep = table.mask({"stage": stage} if stage else {})
        codes, values = table.codes["cycle"], table.values["cycle"]
        with_text = np.bincount(codes[keep & cited(table)], minlength=len(values))
        every = np.bincount(codes[keep], minlength=len(values))
        return {cycle: (int(with_text[c]), int(every[c])) for c, cycle in enumerate(values)
                if cycle and every[c]}


def cycle_keywords(snapshot, limit=20):
    """{cycle: [{"word", "score", "docs", "share"}]}, newest cycle first: the `limit`
    words most characteristic of each cycle's citations against the whole archive
    (TF-IDF, the archive's IDF), each in at least MIN_DOCS of the cycle's citations.
    Computed once per index generation."""
    with snapshot.reading() as generation:
        return generation.keywords(limit, _generation_keywords)


def _generation_keywords(generation, limit):
    with generation.searcher() as searcher:
        return _keywords(searcher, generation.table, limit)


def _keywords(searcher, table, limit):
    from .analysis import segmenter
    tagger = segmenter(None).tag
    cycles = table.values["cycle"]
    codes = table.codes["cycle"]
    live = cited(table)
    docs = np.bincount(codes[live], minlength=len(cycles)).astype(np.float64)
    n = float(live.sum())
    words, dfs, totals = [], [], []
    reader = searcher.reader()
    for btext in reader.lexicon("citation"):
        word = btext.decode("utf-8")
        if reader.doc_frequency("citation", btext) < MIN_DOCS or not _keep(word, tagger):
            continue
        ids, _, _ = term_postings(searcher, "citation", btext, table.term_maps)
        ids = ids[live[ids]]
        if len(ids) < MIN_DOCS:
            continue
        words.append(word)
        dfs.append(np.bincount(codes[ids], minlength=len(cycles)))
        totals.append(len(ids))
    out = {}
    if not words:
        return {c: [] for c in sorted(set(cycles) - {""}, reverse=True)}
    df = np.vstack(dfs)
    # Honorees' and teams' names (and their parts) say who, not what: never themes.
    names = "\n".join(table.values["label"])
    idf = np.log(n / np.asarray(totals, dtype=np.float64))
    scores = (df / np.maximum(docs, 1.0)) * idf[:, None]
    for c, cycle in enumerate(cycles):
        if not cycle:
            continue
        if docs[c] < MIN_CITATIONS:
            out[cycle] = []  # too few citations to mean anything (the page says so)
            continue
        eligible = df[:, c] >= MIN_DOCS
        # Ties (equal scores) go to the word more of the cycle's citations use, then
        # to the word itself, so that the order never depends on code points alone.
        order = np.lexsort((np.arange(len(words)), -df[:, c], -np.round(scores[:, c], 9)))
        ranked = []
        for i in order:
            if eligible[i] and words[i] not in names:
                ranked.append(i)
                if len(ranked) == 3 * limit:
                    break
        # A sub-word cut from a longer word that every one of its citations also uses
        # (袋子 of 钱袋子) adds nothing: keep the longer word.
        picked = [i for i in ranked if not any(
            j != i and words[i] in words[j] and df[j, c] >= df[i, c] for j in ranked)][:limit]
        out[cycle] = [{"word": words[i], "score": round(float(scores[i, c]) * 1000, 3),
                       "docs": int(df[i, c]), "share": round(float(df[i, c] / docs[c]), 4)}
                      for i in picked]
    return dict(sorted(out.items(), reverse=True))


def cycle_mentions(snapshot, text, stage=None):
    """Per cycle (oldest first), how many citations mention `text` (a word or a phrase,
    matched as the search's citation:"…" does) out of how many entries have a citation
    at all: {cycle, mentions, cited, entries, share}; share is None for a cycle whose
    lists carry no citation. stage: only candidates or only honorees."""
    with snapshot.reading() as generation, generation.searcher() as searcher:
        table = generation.table
        builder = generation.query_builder(searcher)
        query = builder.clause_query(Clause(text, field="citation", phrase=True)) or Q.NullQuery
        ids, _ = evaluate(searcher, table, query)
        keep = table.mask({"stage": stage} if stage else {})
        ids = ids[keep[ids]]
        codes, values = table.codes["cycle"], table.values["cycle"]
        hits = np.bincount(codes[ids], minlength=len(values))
        with_text = np.bincount(codes[keep & cited(table)], minlength=len(values))
        docs = np.bincount(codes[keep], minlength=len(values))
        out = []
        for c, cycle in enumerate(values):
            if cycle and docs[c]:
                out.append({"cycle": cycle, "mentions": int(hits[c]), "cited": int(with_text[c]),
                            "entries": int(docs[c]),
                            "share": round(float(hits[c] / with_text[c]), 4)
                            if with_text[c] else None})
        return sorted(out, key=lambda row: row["cycle"])


def similar(snapshot, entry_id, limit=5, numterms=12):
    """Entries whose citations are most like this entry's (Whoosh's more-like-this
    key terms, scored with BM25F over whole postings), other people only, one
    entry a person: [{"id", "name", "kind", "cycle", "stage", "company"}]."""
    with snapshot.reading() as generation, generation.searcher() as searcher:
        docnum = searcher.document_number(id=entry_id)
        if docnum is None:
            return []
        table = generation.table
        text = table.citations([docnum])[0]
        if not text.strip():
            return []
        terms = searcher.key_terms_from_text("citation", text, numterms=numterms)
        if not terms:
            return []
        query = Q.Or([Q.Term("citation", word, boost=weight) for word, weight in terms])
        ids, scores = evaluate(searcher, table, query)
        person = table.codes["person"][docnum]
        others = table.codes["person"][ids] != person
        ids, scores, _ = collapse(table, ids[others], scores[others])
        out = []
        for i in top(table, ids, scores, limit):
            hit = searcher.stored_fields(int(ids[i]))
            out.append({k: hit.get(k) for k in ("id", "name", "kind", "cycle", "stage",
                                                 "company")})
        return out
