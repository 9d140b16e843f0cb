"""Writing a whole index at once: the segments of a full rebuild, built in memory, one
writer process per core.

Whoosh's own writer sends every posting (about 870 an entry here) through a pickled
external sort and then feeds the codec one posting at a time. For a new index that
is most of the work. Here each document's terms are counted in one go (the
analyzer's ``counts`` and ``positioned``, where it has them), the postings are kept in
flat arrays, and at the end the terms are written in order, a term at a time
(internals.write_terms), in the codec's format. The segments hold what Whoosh's
writer makes of the same documents (tests/test_bulk.py compares them posting by
posting and file by file). Incremental updates still go through Whoosh's writer.
"""

import errno
import multiprocessing
import queue
import sys
import traceback
from array import array
from collections import Counter
from itertools import repeat

import numpy as np

from whoosh import formats
from whoosh.writing import SegmentWriter

from . import internals

#: Entries sent to a writer process at a time.
BATCH = 200
#: Memory a writer process gives its postings before it starts another segment (MB).
LIMIT_MB = 768
#: Bytes a posting costs in memory, on average (term id, docnum, count, array growth),
#: and a term (its string and its entry in a dict).
_POSTING_BYTES = 14
_TERM_BYTES = 200


class IndexWriteError(RuntimeError):
    """Writing a snapshot failed (a writer process died, a disk filled up)."""


class _Counted:
    """The postings of a field whose postings are counts: a term id, a docnum and a
    count per posting, in flat arrays (filled a document at a time, in C loops)."""

    def __init__(self):
        self.ids = _TermIds()
        self.terms, self.docs, self.counts = array("I"), array("I"), array("I")

    def add(self, docnum, counted):
        self.terms.extend(map(self.ids.__getitem__, counted))
        self.docs.extend(repeat(docnum, len(counted)))
        self.counts.extend(counted.values())

    def __len__(self):
        return len(self.ids)

    def write(self, writer):
        """Each term's postings, in term order, through the field writer."""
        names = sorted(self.ids)
        rank = np.empty(len(names), dtype=np.uint32)  # term id -> place in term order
        rank[np.fromiter(map(self.ids.__getitem__, names), np.uint32, len(names))] = \
            np.arange(len(names), dtype=np.uint32)
        keys = rank[np.frombuffer(self.terms, dtype=np.uint32)]
        order = np.argsort(keys, kind="stable")  # docnums stay ascending within a term
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        counts = np.frombuffer(self.counts, dtype=np.uint32)[order]
        ends = np.cumsum(np.bincount(keys, minlength=len(names)))
        del keys, order
        internals.write_terms(writer, _in_order(names, ends, docs, counts))


def _in_order(names, ends, docs, counts, chunk=1 << 20):
    """(btext, ids, weights, packed values) of each term, from postings laid out in term
    order; converted to Python a chunk of postings at a time."""
    first = 0  # the first term of the chunk
    while first < len(names):
        base = int(ends[first - 1]) if first else 0
        last = max(int(np.searchsorted(ends, base + chunk, side="right")), first + 1)
        top = int(ends[last - 1])
        ids = docs[base:top].tolist()
        weights = counts[base:top].astype(np.float64).tolist()
        # Frequency format, boost 1: the weight is the count, the value its packed form.
        packed = internals.packed_counts(counts[base:top])
        start = 0
        for term, end in zip(names[first:last], (ends[first:last] - base).tolist()):
            yield term.encode("utf-8"), ids[start:end], weights[start:end], \
                packed[start * 4:end * 4]
            start = end
        first = last


class _TermIds(dict):
    """term -> id, a new id for a new term."""

    def __missing__(self, term):
        self[term] = tid = len(self)
        return tid


class _Listed:
    """The postings of any other field: per term, docnums, weights and values."""

    def __init__(self):
        self.postings = {}

    def add(self, docnum, items):
        """Add a document's (tbytes, weight, vbytes) items."""
        for tbytes, weight, vbytes in items:
            posting = self.postings.get(tbytes)
            if posting is None:
                posting = self.postings[tbytes] = (array("I"), array("f"), [])
            posting[0].append(docnum)
            posting[1].append(weight)
            if vbytes:
                posting[2].append(vbytes)

    def __len__(self):
        return len(self.postings)

    def write(self, writer):
        """Each term's postings, in term order, through the field writer."""
        internals.write_terms(writer, ((tbytes, ids.tolist(), weights.tolist(), values)
                                       for tbytes, (ids, weights, values)
                                       in sorted(self.postings.items())))


class SegmentBuilder(SegmentWriter):
    """A Whoosh segment writer that keeps its postings in memory, for a new segment
    written in one go: add documents, then finish() for the segment."""

    def __init__(self, ix, codec):
        # Not locked: the rebuild owns the new index's folder (its build lock).
        unsupported = [name for name, field in ix.schema.items()
                       if field.vector or field.separate_spelling()]
        if unsupported:  # Whoosh's writer would write these; this one does not
            raise ValueError(f"the bulk writer writes no term vectors or spelling words: "
                             f"{', '.join(unsupported)}")
        super().__init__(ix, _lk=False, codec=codec, compound=False)
        self.fields = {}  # field name -> _Counted or _Listed
        self.postings = 0

    def memory(self):
        """Bytes the postings held so far take, roughly."""
        return self.postings * _POSTING_BYTES + \
            sum(len(terms) for terms in self.fields.values()) * _TERM_BYTES

    def add_document(self, **fields):
        """Add one document: the same stored values, columns, lengths and postings as
        SegmentWriter.add_document, the postings kept here."""
        schema = self.schema
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = self._index(name, field, value, docnum) if field.indexed else 0
                perdocwriter.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(self, name, field, value, docnum):
        """Add a field's postings for one document; returns its length (tokens counted
        when the field is scorable)."""
        counted = _counts(field, value)
        postings = self.fields.get(name)
        if postings is None:
            postings = self.fields[name] = _Listed() if counted is None else _Counted()
        elif counted is None and isinstance(postings, _Counted):
            # A value the analyzer cannot list (not a string): Whoosh's own analysis.
            counted = Counter({tbytes.decode("utf-8"): freq
                               for tbytes, freq, _, _ in field.index(value)})
        if counted is not None:
            postings.add(docnum, counted)
            self.postings += len(counted)
            return sum(counted.values()) if field.scorable else 0
        items = _positioned(field, value) or list(field.index(value))
        postings.add(docnum, ((tbytes, weight, vbytes) for tbytes, _, weight, vbytes in items))
        self.postings += len(items)
        return sum(freq for _, freq, _, _ in items) if field.scorable else 0

    def _flush_segment(self):
        # Replaces SegmentWriter's: the postings come from memory, field by field and
        # term by term in the order the codec requires (bytes order is code point order).
        self.perdocwriter.close()
        writer = self.fieldwriter
        for name in sorted(self.fields):
            if len(self.fields[name]):
                writer.start_field(name, self.schema[name])
                self.fields[name].write(writer)
                writer.finish_field()
        self.fields = {}
        self.fieldwriter.close()

    def finish(self):
        """Write the segment's files; returns the segment (for a table of contents)."""
        segment = self._finalize_segment()
        # Not SegmentWriter._finish: that removes the temporary folder, which the
        # index's other builders (in this process and the others) share.
        self.is_closed = True
        return segment


def _counts(field, value):
    """{term: count} of a field whose postings are counts (Frequency format, no boost)
    and whose analyzer can count its terms at once; None for any other field."""
    counts = getattr(field.analyzer, "counts", None) if hasattr(field, "analyzer") else None
    fmt = field.format
    if counts is None or type(fmt) is not formats.Frequency or fmt.field_boost != 1.0 \
            or not isinstance(value, str):
        return None
    return counts(value)


def _positioned(field, value):
    """(tbytes, freq, weight, vbytes) of each term of a field whose postings hold
    positions (Positions format, no boost), from the analyzer's positioned terms when
    it lists them; None for any other field."""
    listed = getattr(field.analyzer, "positioned", None) if hasattr(field, "analyzer") else None
    fmt = field.format
    if listed is None or type(fmt) is not formats.Positions or fmt.field_boost != 1.0 \
            or not isinstance(value, str):
        return None
    positions = {}
    for term, pos in listed(value):
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return [(term.encode("utf-8"), len(found), float(len(found)), fmt.encode(found))
            for term, found in positions.items()]


def write(ix, items, *, codec, make=dict, procs=1, progress=None, total=None,
          limitmb=LIMIT_MB):
    """Index `items` into the new, empty index `ix` and commit it; returns how many.

    make(item) gives an item's document (a dict of field values); it runs in the
    writer processes. procs > 1: forked writer processes, a segment (or more) each; a
    process that fails or dies ends the build with IndexWriteError. progress(done,
    total) is called as documents are indexed.
    """
    builders = _Builders(ix, codec, make, limitmb)
    try:
        if procs <= 1:
            segments, count = _write_here(builders, items, progress, total)
        else:
            segments, count = _write_forked(builders, items, procs, progress, total)
        internals.commit_segments(ix, segments)
    finally:
        ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()  # the builders' scratch
    return count


def _write_here(builders, items, progress, total):
    count = 0
    try:
        for item in items:
            builders.add(item)
            count += 1
            if progress and count % BATCH == 0:
                progress(count, total)
        segments = builders.finish()
    except BaseException:
        builders.cancel()
        raise
    if progress:
        progress(count, total)
    return segments, count


class _Builders:
    """One segment builder after another, a new one whenever the last holds limitmb."""

    def __init__(self, ix, codec, make, limitmb):
        self.ix, self.codec, self.make, self.limit = ix, codec, make, limitmb * 2**20
        self.segments = []
        self.builder = None

    def add(self, item):
        if self.builder is None:
            self.builder = SegmentBuilder(self.ix, self.codec)
        self.builder.add_document(**self.make(item))
        if self.builder.docnum % 64 == 0 and self.builder.memory() > self.limit:
            self.segments.append(self.builder.finish())
            self.builder = None

    def finish(self):
        if self.builder is not None and self.builder.docnum:
            self.segments.append(self.builder.finish())
        elif self.builder is not None:
            self.builder.cancel()
        self.builder = None
        return self.segments

    def cancel(self):
        """Give up the segment in progress (best effort: the build's folder goes)."""
        if self.builder is not None and not self.builder.is_closed:
            try:
                self.builder.cancel()
            except Exception:  # its files may be half written, or already gone
                pass
        self.builder = None


#: Seconds between checks of the writer processes while waiting on them.
_POLL = 0.5


def _write_forked(builders, items, procs, progress, total):
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(procs * 2)
    results = context.Queue()
    workers = [context.Process(target=_work, args=(builders, jobs, results),
                               name=f"index-writer-{n}", daemon=True) for n in range(procs)]
    for worker in workers:
        worker.start()
    state = {"done": 0, "segments": [], "finished": 0}
    try:
        batch, sent = [], 0
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                _put(jobs, batch, workers, results, state, progress, total)
                sent += len(batch)
                batch = []
        if batch:
            _put(jobs, batch, workers, results, state, progress, total)
            sent += len(batch)
        for _ in workers:
            _put(jobs, None, workers, results, state, progress, total)
        while state["finished"] < len(workers):
            _collect(results, workers, state, progress, total, wait=True)
    except BaseException:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join()
        # Batches no process will read: never wait at exit to flush them into the pipe.
        jobs.cancel_join_thread()
        raise
    for worker in workers:
        worker.join()
    return state["segments"], sent


def _put(jobs, item, workers, results, state, progress, total):
    while True:
        _collect(results, workers, state, progress, total, wait=False)
        try:
            jobs.put(item, timeout=_POLL)
            return
        except queue.Full:
            continue


def _collect(results, workers, state, progress, total, wait):
    """Take the writer processes' reports: documents done, finished segments, errors;
    raise IndexWriteError when one failed or died."""
    while True:
        try:
            kind, value = results.get(timeout=_POLL if wait else 0)
        except queue.Empty:
            failed = [w for w in workers if w.exitcode not in (0, None)]
            if failed:
                raise IndexWriteError(f"{len(failed)} index writer process(es) died "
                                      f"(exit {failed[0].exitcode}); the live snapshot is "
                                      f"unchanged")
            if not wait:
                return
            continue
        if kind == "done":
            state["done"] += value
            if progress:
                progress(state["done"], total)
        elif kind == "segments":
            state["segments"].extend(value)
            state["finished"] += 1
            if wait:
                return
        else:
            raise IndexWriteError(f"an index writer process failed: {value}; the live "
                                  f"snapshot is unchanged")


def _work(builders, jobs, results):
    """A writer process: index the batches it is given, then report its segments."""
    try:
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for item in batch:
                builders.add(item)
            results.put(("done", len(batch)))
        results.put(("segments", builders.finish()))
    except BaseException as exc:
        builders.cancel()
        detail = "no space left on device" if getattr(exc, "errno", None) == errno.ENOSPC \
            else "".join(traceback.format_exception_only(type(exc), exc)).strip()
        results.put(("error", detail))
        results.close()
        results.join_thread()
        sys.exit(1)
