"""One committed state of an index snapshot and everything derived from it.

Whoosh's Searcher owns its reader and what is cached from it, and is thrown
away as a whole; a Generation does the same one level up. It holds the document
table, the query builder's state (aliases, regions, which words are indexed),
the suggestion lexicon and the citation keywords of one committed state, and
lends searchers of that state to one thread each: Whoosh's readers seek and
read shared file objects, so two threads never share one, and no search waits
for another. The snapshot (index/snapshots.py) makes a new generation when an
update commits and retires the old one, which closes its files once the last
search using it has finished.
"""

import threading
from contextlib import contextmanager

from . import internals
from .queries import QueryBuilder, alias_index, region_index
from .ranking import DocTable
from .suggest import Lexicon

#: Searchers a generation keeps open for concurrent searches (a gunicorn worker's
#: threads); past them a search waits for one to be returned.
MAX_SEARCHERS = 16


class Generation:
    """Everything derived from one committed state of a snapshot."""

    def __init__(self, snapshot, searcher, previous=None):
        self.digest = snapshot.digest
        self.aliases = snapshot.aliases
        self.name = snapshot.name
        # The table reads columns and citations through `searcher`, which is lent to
        # nobody else, except when no second searcher can be opened (then callers
        # take turns on it: `_shared`).
        self._shared = threading.RLock()
        #: Per-segment parts of the table, handed to the next generation.
        self.segments = previous.segments if previous is not None else {}
        self.table = DocTable(searcher, self.segments, self._shared)
        self.doc_count = searcher.doc_count()
        self.alias_of = alias_index(self.aliases)
        self.regions = region_index(self.table.values["region"])
        self.known = {}  # (word, fields) -> whether the index holds it (QueryBuilder)
        self._own = searcher
        self._idle, self._opened = [], 0
        self._users, self._retired, self._closed = 0, False, False
        self._state = threading.Condition()
        # One lock each: the keywords take seconds at 100,000 entries, the lexicon must
        # not wait for them.
        self._lexicon_lock, self._keywords_lock = threading.Lock(), threading.Lock()
        self._lexicon = None
        self._keywords = None  # (limit, {cycle: words})

    # -- lifetime --------------------------------------------------------
    def acquire(self):
        """Count a user; the snapshot calls it while this generation is its current one."""
        with self._state:
            self._users += 1
        return self

    def release(self):
        """A user is done; a retired generation closes when its last user is."""
        with self._state:
            self._users -= 1
            if self._retired and not self._users:
                self._close()

    def retire(self):
        """A newer state replaced this one: close now, or when the last user is done."""
        with self._state:
            self._retired = True
            if not self._users:
                self._close()

    def _close(self):
        if self._closed:
            return
        self._closed = True
        for searcher in self._idle:
            searcher.close()
        self._idle = []
        with self._shared:
            self._own.close()

    def up_to_date(self):
        """Whether this is still the index's newest committed state."""
        with self._shared:
            return self._own.up_to_date()

    # -- searching -------------------------------------------------------
    @contextmanager
    def searcher(self):
        """A searcher of this state for the calling thread alone."""
        searcher = self._borrow()
        if searcher is None:  # no second searcher could be opened: take turns on ours
            with self._shared:
                yield self._own
            return
        try:
            yield searcher
        finally:
            with self._state:
                if self._closed:
                    searcher.close()
                else:
                    self._idle.append(searcher)
                    self._state.notify()

    def _borrow(self):
        with self._state:
            while not self._idle and self._opened >= MAX_SEARCHERS:
                self._state.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        with self._shared:  # the twin is opened from our searcher's reader
            twin = internals.twin_searcher(self._own)
        if twin is None:
            with self._state:
                self._opened -= 1
        return twin

    def query_builder(self, searcher):
        """The query builder of this state, looking terms up in `searcher`."""
        return QueryBuilder(self.digest, self.alias_of, self.regions, self.known, searcher)

    # -- derived once per state -----------------------------------------
    def lexicon(self):
        """The suggestion lexicon (index/suggest.py), built on first use."""
        with self._lexicon_lock:
            if self._lexicon is None:
                self._lexicon = Lexicon(self.table, self.aliases)
            return self._lexicon

    def keywords(self, limit, compute):
        """compute(generation, limit) once for the largest limit asked, then sliced."""
        with self._keywords_lock:
            if self._keywords is None or self._keywords[0] < limit:
                self._keywords = (limit, compute(self, limit))
            return {cycle: words[:limit] for cycle, words in self._keywords[1].items()}
