"""The archive's search engine: a library over Whoosh and jieba.

analysis -> schema -> build -> query. Imports nothing from ``archive`` and
nothing from Flask: callers hand it plain dicts and get plain dicts back.
"""
