"""Statistics: what the archive holds, per-cycle counts and comparisons
(archive/stats.py), citation keywords and mentions (index/themes.py). Each is
computed once per index generation and kept by the instance for its requests."""

import json
import os
import threading

from index import parsing, snapshots, themes

from .. import stats
from ..db import store

#: Keywords kept per cycle (/trends shows them all).
KEYWORDS = 15
#: Citations a cycle needs before it gets keywords (index/themes.py).
MIN_CITATIONS = themes.MIN_CITATIONS


class Statistics:
    """Figures of an instance, computed once per index generation."""

    def __init__(self, archive):
        self.archive = archive

    def _memo(self, key, compute):
        """compute(archive) once per index generation, shared by this process's requests."""
        archive = self.archive
        try:
            stamp = archive.generation_stamp()
        except snapshots.NoSnapshot:
            return compute(archive)  # no index: nothing to key a cache on (pages from the store)
        return archive.instance.memo.get(key, stamp, lambda: compute(archive))

    def overview(self, stage=None):
        """/stats: people per cycle by operator, region, kind and stage; gender, age
        at award and team sizes (archive/stats.py); of one stage, or both (None)."""
        return self._memo(("stats", stage), lambda a: stats.overview(a.db, stage))

    def cycles(self):
        """Each cycle's counts, newest first (store.cycles): a count of distinct people
        over every entry takes a second at 100,000."""
        return self._memo("cycles", lambda a: store.cycles(a.db))

    def held(self):
        """What the archive holds (store.stats)."""
        return self._memo("held", lambda a: store.stats(a.db, self.cycles()))

    def cycle_names(self):
        """The cycles the archive holds, newest first."""
        return [c["cycle"] for c in self.cycles()]

    def default_pair(self, stage="honorees"):
        """The two cycles a comparison opens on: the two newest that have entries of the
        stage compared (any stage: None), older first; fewer when there are fewer."""
        having = [c["cycle"] for c in self.cycles() if stage is None or c[stage]]
        having = having or self.cycle_names()
        return tuple(reversed(having[:2])) if len(having) > 1 else tuple(having[:1] * 2)

    def compare(self, a, b, stage="honorees", kind=None):
        """Two cycles side by side, of one stage and optionally one kind (archive/stats.py);
        both cycles must exist."""
        return self._memo(("compare", a, b, stage, kind),
                          lambda arc: stats.compare(arc.db, a, b, stage, kind))

    def mentions(self, text, stage=None):
        """Per cycle, how many of the entries with a citation mention text (a word or
        phrase): {cycle, mentions, cited, entries, share}."""
        parsing.parse(text)  # the same limits as a search
        return themes.cycle_mentions(self.archive.snapshot(), text, stage)

    def citation_counts(self, stage=None):
        """{cycle: (entries with a citation, all entries)}."""
        return self._memo(("citations", stage),
                          lambda arc: themes.citation_counts(arc.snapshot(), stage))

    def keywords(self):
        """The KEYWORDS words most characteristic of each cycle's citations
        (index/themes.py). Seconds to compute at 100,000 entries: once per index
        generation, kept in cache/keywords.json (a re-index writes it), and while a
        newer generation's are computed, the previous ones are served."""
        archive = self.archive
        memo = archive.instance.memo
        stamp = archive.generation_stamp()
        if not memo.has("keywords"):  # a new process: start from what was last computed
            saved = self._saved_keywords()
            if saved is not None:
                memo.put("keywords", *saved)
        instance = archive.instance
        return memo.get_stale_ok("keywords", stamp,
                                 lambda: _keywords_of(instance, instance.live.current()),
                                 lambda: _stamp(instance.live.current()))

    def save_keywords(self, snapshot):
        """Compute a snapshot's keywords and keep them in cache/keywords.json."""
        return _keywords_of(self.archive.instance, snapshot)

    def _saved_keywords(self):
        try:
            saved = json.loads(_keywords_path(self.archive.instance).read_text("utf-8"))
            return tuple(saved["generation"]), saved["keywords"]
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _stamp(snapshot):
    return (snapshot.name, snapshot.path.stat().st_mtime)


def _keywords_path(instance):
    return instance.cache_path / "keywords.json"


def _keywords_of(instance, snapshot):
    """A snapshot's keywords, written to the instance's cache/keywords.json."""
    stamp = _stamp(snapshot)
    value = themes.cycle_keywords(snapshot, KEYWORDS)
    path = _keywords_path(instance)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".keywords.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps({"generation": stamp, "keywords": value},
                              ensure_ascii=False), "utf-8")
    os.replace(tmp, path)
    return value
