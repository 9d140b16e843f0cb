"""The archive's search engine: a library over Whoosh and jieba.

Read in the order the dependencies run: analysis (normalising and segmenting
Chinese) -> schema -> build (snapshots written) and snapshots (opened) ->
generation (one committed state) -> parsing (the query language) -> queries
(Whoosh queries built) -> ranking (matched and scored) -> searching (pages and
facets) with highlight (spans) and suggest (completion, did you mean); themes
(keywords per cycle) and fts (the public file's search text) beside them.
Imports nothing from ``archive`` and nothing from Flask: callers hand it plain
dicts and get plain dicts back, highlights as (start, end) spans.
"""
