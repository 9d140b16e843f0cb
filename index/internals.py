"""The one place that touches Whoosh's and rjieba's private names.

The fast paths read posting blocks, field-length and sortable columns (each
in one piece) and segment ids straight out of whoosh-reloaded 2.7's W3
codec, probe its terms file through a memory map, write a new segment's terms
and postings in its format (write_terms, for index/bulk.py), and take over the
dictionary rjieba builds on import. Each is checked once, at import: when a
name is missing (another Whoosh or rjieba version) the public API is used
instead — slower, same results — and a warning is logged. Tests force every
fallback and compare (tests/test_internals.py). pyproject caps
whoosh-reloaded below 2.8 so that a new minor version is adopted on purpose.
"""

import hashlib
import logging
import mmap
import operator
import pickle
import struct
import zlib

import numpy as np

log = logging.getLogger(__name__)


def _check_whoosh():
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3TermInfo, _lenfield
        from whoosh.columns import NumericColumn, TranslatingColumnReader, VarBytesColumn
        from whoosh.filedb.filetables import _lengths, _pointer, md5_hash
    except ImportError as exc:
        log.warning("Whoosh's W3 codec internals are missing (%s): using the public API", exc)
        return None
    if not all(hasattr(W3LeafMatcher, name) for name in ("_read_data", "_next_block")):
        log.warning("Whoosh's W3LeafMatcher has changed: using the public API")
        return None
    return {"LENGTHS_COLUMN": LENGTHS_COLUMN, "W3LeafMatcher": W3LeafMatcher,
            "lenfield": _lenfield, "NumericReader": NumericColumn.Reader,
            "VarBytesReader": VarBytesColumn.Reader, "Translating": TranslatingColumnReader,
            "TermInfo": W3TermInfo, "md5_hash": md5_hash,
            "formats": (_lengths.format, _pointer.format)}


def _check_rjieba():
    import rjieba
    if hasattr(rjieba, "_DEFAULT_JIEBA"):
        return rjieba
    log.warning("rjieba has no _DEFAULT_JIEBA: every snapshot builds its own dictionary")
    return None


#: The private Whoosh names in use, or None (public API). Tests set it to None.
WHOOSH = _check_whoosh()
#: rjieba, when its default segmenter can be taken over, or None.
RJIEBA = _check_rjieba()


def default_segmenter():
    """The dictionary rjieba built on import, or None when it cannot be reused."""
    return getattr(RJIEBA, "_DEFAULT_JIEBA", None) if RJIEBA is not None else None


def segment_key(reader):
    """A key that names a segment's contents (for per-segment caches), or None."""
    segment = getattr(reader, "_segment", None) if WHOOSH is not None else None
    if segment is None or not hasattr(segment, "segment_id"):
        return None
    return segment.segment_id(), reader.doc_count_all()


def length_bytes(reader, field, count):
    """The byte-encoded length of `field` in each of the segment's documents
    (Whoosh's own encoding, see whoosh.util.numeric.length_to_byte)."""
    perdoc = getattr(reader, "_perdoc", None) if WHOOSH is not None else None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(WHOOSH["lenfield"](field), WHOOSH["LENGTHS_COLUMN"])
        if column is None:
            return np.zeros(count, dtype=np.uint8)
        if type(column) is WHOOSH["NumericReader"] and column._typecode == "B" \
                and all(hasattr(column, n) for n in ("_dbfile", "_basepos", "_count")):
            # One read of the whole column; documents past its end have the default.
            out = np.full(count, column._default, dtype=np.uint8)
            stored = min(column._count, count)
            out[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored),
                                         dtype=np.uint8)
            return out
        return np.fromiter(column, dtype=np.uint8, count=count)
    from whoosh.util.numeric import length_to_byte
    return np.array([length_to_byte(reader.doc_field_length(d, field, 0)) for d in range(count)],
                    dtype=np.uint8)


_FIXED_WIDTH = 192  # bytes: wider values are not worth a fixed-width array
_ROWS = 16384  # values cut at once (bounds the index arrays' memory)


def _fixed_width(blob, starts, ends, width):
    """The values blob[start:end] as one array of fixed-width bytes (NUL-padded).
    UTF-8 bytes sort as their code points do, so sorting it sorts the text."""
    data = np.frombuffer(blob + b"\0", dtype=np.uint8)
    rows = np.zeros((len(starts), width), dtype=np.uint8)
    step = np.arange(width, dtype=np.int64)
    for i in range(0, len(starts), _ROWS):
        at = starts[i:i + _ROWS, None] + step
        inside = at < ends[i:i + _ROWS, None]
        rows[i:i + _ROWS] = np.where(inside, data[np.minimum(at, len(blob))], 0)
    return rows.view(f"S{width}").ravel()


def column_codes(reader, name):
    """(sorted distinct values, int32 code of each document) of the sortable field
    `name` in one segment. With a W3 variable-bytes column the raw values are cut
    from one read of the column and only the distinct ones decoded (reading and
    decoding document by document costs a second at 100,000 documents)."""
    column = reader.column_reader(name)
    raw = getattr(column, "_reader", None) if WHOOSH is not None else None
    if raw is not None and type(column) is WHOOSH["Translating"] \
            and type(raw) is WHOOSH["VarBytesReader"] \
            and all(hasattr(raw, n) for n in ("_dbfile", "_basepos", "_offsets", "_lengths")):
        starts = np.asarray(raw._offsets, dtype=np.int64)
        ends = starts + np.asarray(raw._lengths, dtype=np.int64)
        blob = raw._dbfile.get(raw._basepos, int(ends.max()) if len(ends) else 0)
        width = int((ends - starts).max()) if len(ends) else 0
        if 0 < width <= _FIXED_WIDTH and b"\0" not in blob:
            distinct, codes = np.unique(_fixed_width(blob, starts, ends, width),
                                        return_inverse=True)
            distinct = distinct.tolist()
        else:  # long or NUL-holding values: cut one by one
            distinct, codes = _codes([blob[a:b] for a, b in zip(starts.tolist(),
                                                                ends.tolist())])
        return [column._translate(v) for v in distinct], codes.astype(np.int32)
    return _codes([str(v) for v in column])


def _codes(values):
    """(sorted distinct values, int32 code of each value)."""
    distinct = sorted(set(values))
    number = {v: i for i, v in enumerate(distinct)}
    return distinct, np.array([number[v] for v in values], dtype=np.int32)


_LENGTHS = struct.Struct("!ii")  # key length, value length (whoosh.filedb.filetables)
_POINTER = struct.Struct("!Iq")  # a hash slot: key hash, item position


def _md5(key):
    # Whoosh's md5_hash (the digest's last four bytes), without the hex round trip.
    return int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[-4:], "big")


def _term_map(terms, maps):
    """(memory map of a segment's terms file, its hash index), or None when the file
    is not one plain W3 hash file with Whoosh's md5 hashing and slot layout. maps: the
    caller's cache of them, by the terms file's segment (a Generation's)."""
    tindex = getattr(terms, "_tindex", None)
    dbfile = getattr(tindex, "dbfile", None)
    key = getattr(dbfile, "_name", None) or getattr(dbfile, "name", None)
    if maps is not None and key and key in maps:
        return maps[key]
    found = None
    raw = getattr(dbfile, "file", None)
    if tindex is not None and getattr(tindex, "startoffset", None) == 0 \
            and getattr(tindex, "hashfn", None) is WHOOSH["md5_hash"] \
            and WHOOSH["formats"] == (_LENGTHS.format, _POINTER.format) \
            and hasattr(raw, "fileno") and hasattr(tindex, "tables"):
        try:
            found = (mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ), tindex)
        except (OSError, ValueError):
            found = None
    if maps is not None and key:
        maps[key] = found
    return found


def _term_bytes(buf, tindex, key):
    """Whoosh's hash-file probe (HashReader.ranges_for_key) over the memory map: the
    term-info bytes stored for key, or None."""
    keyhash = _md5(key)
    tablestart, numslots = tindex.tables[keyhash & 255]
    if not numslots:
        return None
    size = _POINTER.size
    end = tablestart + numslots * size
    slot = tablestart + ((keyhash >> 8) % numslots) * size
    for _ in range(numslots):
        slothash, itempos = _POINTER.unpack_from(buf, slot)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(buf, itempos)
            start = itempos + _LENGTHS.size
            if keylen == len(key) and buf[start:start + keylen] == key:
                return buf[start + keylen:start + keylen + datalen]
        slot += size
        if slot == end:
            slot = tablestart
    return None


def lookup(reader, fieldname, btext, fmt, maps=None):
    """(raw matcher, document frequency) of a term in one segment, or None when the
    segment lacks it: one probe of a memory map of the W3 terms file (the public
    API seeks and reads each hash slot, three times over). maps: a dict in which the
    memory maps are kept between calls (one per terms file); None maps anew."""
    terms = getattr(reader, "_terms", None) if WHOOSH is not None else None
    if terms is not None and all(hasattr(terms, n) for n in ("term_info", "_codec",
                                                              "_postfile", "_keycoder")):
        from whoosh.reading import TermNotFound
        mapped = _term_map(terms, maps)
        if mapped is not None:
            data = _term_bytes(mapped[0], mapped[1], terms._keycoder(fieldname, btext))
            if data is None:
                return None
            info = WHOOSH["TermInfo"].from_bytes(data)
        else:
            try:
                info = terms.term_info(fieldname, btext)
            except (TermNotFound, KeyError):  # KeyError: a field the segment never saw
                return None
        matcher = terms._codec.postings_reader(terms._postfile, info, fmt,
                                               term=(fieldname, btext))
        return matcher, info.doc_frequency()
    if (fieldname, btext) not in reader:
        return None
    return raw_matcher(reader, fieldname, btext, fmt), reader.doc_frequency(fieldname, btext)


def raw_matcher(reader, fieldname, btext, fmt):
    """A term's posting list in one segment, deleted documents included (callers mask
    them): reader.postings() would filter them one document at a time."""
    terms = getattr(reader, "_terms", None) if WHOOSH is not None else None
    if terms is not None and hasattr(terms, "matcher"):
        return terms.matcher(fieldname, btext, fmt)
    return reader.postings(fieldname, btext)


def postings(matcher):
    """(docnums, weights) of one segment's posting list: whole blocks at a time when
    the matcher is Whoosh's W3 one, else document by document."""
    if WHOOSH is None or not isinstance(matcher, WHOOSH["W3LeafMatcher"]) \
            or getattr(matcher, "_byteids", False):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    ids, weights = [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        block = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))  # delta-encoded
        w = matcher._data[1]
        if w is None:
            w = np.ones(len(block))
        elif isinstance(w, float):
            w = np.full(len(block), w)
        else:
            w = np.asarray(w, dtype=np.float64)
        ids.append(block)
        weights.append(w)
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


def stored_documents(ix):
    """How many documents an index holds, from its table of contents (no segment file
    is opened); Index.doc_count_all, which opens a reader, where the TOC is not at hand."""
    segments = getattr(ix, "_segments", None)
    if segments is None:
        return ix.doc_count_all()
    return sum(segment.doc_count_all() for segment in segments())


def twin_searcher(searcher):
    """Another searcher over the same committed state as `searcher`, with file handles
    of its own (Whoosh's readers seek and read shared files: one thread each), or None
    when it cannot be opened (a merge removed the files; another Whoosh version)."""
    from whoosh.searching import Searcher
    ix = getattr(searcher, "_ix", None)
    reader = searcher.reader()
    opener = getattr(type(ix), "_reader", None) if WHOOSH is not None else None
    if ix is None or opener is None or not hasattr(ix, "storage"):
        return None
    segments = [leaf.segment() for leaf, _ in reader.leaf_readers()]
    if any(segment is None for segment in segments):
        return None
    try:
        return Searcher(opener(ix.storage, searcher.schema, segments, reader.generation()),
                        fromindex=ix)
    except (OSError, ValueError):
        return None





def packed_counts(counts):
    """Counts (an unsigned integer array) as Whoosh's Frequency format packs each
    posting's value (a big-endian unsigned int), joined."""
    return np.asarray(counts, dtype=">u4").tobytes()


#: Posting blocks whose pickle is shorter than this are written uncompressed.
SMALL_BLOCK = 128
_LENGTHS = struct.Struct("!ii")  # a terms file row: key and value lengths
_NO_LENGTH = 0  # length_to_byte(0): the codec records no field lengths (length_stats)
#: Blocks are pickled with protocol 3, not Whoosh's 2: the reader takes any protocol,
#: and protocol 2 writes bytes as a call to codecs.encode (a singleton's block is 60
#: bytes instead of 20, and reading it back four times slower).
_PROTOCOL = 3


def write_terms(fieldwriter, terms):
    """Write a field's terms (after start_field) as W3FieldWriter's start_term, add
    (posting by posting) and finish_term do, a term at a time, but for the pickle
    protocol (_PROTOCOL) and the compression of small blocks (SMALL_BLOCK).

    terms: (btext, ids, weights, values) in term order: ids the ascending docnums (a
    list of ints), weights (a list of floats), values each posting's value bytes (a
    list; empty for a format without values) or, for a fixed-size format, bytes
    holding them all."""
    if WHOOSH is None or not all(hasattr(fieldwriter, name) for name in _FIELD_WRITER):
        return _write_terms_public(fieldwriter, terms)
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
    from whoosh.system import pack_int, pack_long, pack_ushort
    postings = fieldwriter._postwriter
    blocklimit, compression = postings._blocklimit, postings._compression
    fixed = fieldwriter._format.fixed_value_size()
    size = fixed if fixed and fixed > 0 else 0
    info = W3TermInfo._struct.pack
    key = pack_ushort(fieldwriter._fieldid)
    postfile, table = fieldwriter._postfile, fieldwriter._tindex
    buckets, keyed = table.buckets, table.index
    offset, position = postfile.tell(), table.dbfile.tell()
    lastkey = table.lastkey
    posts, rows = [], []  # written a batch at a time
    for btext, ids, weights, values in terms:
        n = len(ids)
        if n <= blocklimit:
            data, total, top = _block(ids, weights, values, fixed, size, compression)
            block = WHOOSH3_HEADER_MAGIC + data
        else:
            blocks, total, top = [WHOOSH3_HEADER_MAGIC], 0, 0
            for start in range(0, n, blocklimit):
                end = min(start + blocklimit, n)
                data, subtotal, best = _block(
                    ids[start:end], weights[start:end],
                    values if fixed == 0 else values[start * size:end * size]
                    if size and isinstance(values, bytes) else values[start:end],
                    fixed, size, compression, last=end == n)
                blocks.append(data)
                total += subtotal
                top = max(top, best)
            block = b"".join(blocks)
        posts.append(block)
        term = key + btext
        if term <= lastkey:
            raise ValueError(f"terms out of order: {lastkey!r}..{term!r}")
        value = info(False, total, n, 0, _NO_LENGTH, max(0, top), ids[0], ids[-1]) + \
            pack_long(offset) + pack_int(len(block))
        # OrderedHashWriter.add
        keyed.append(position)
        rows.append(_LENGTHS.pack(len(term), len(value)) + term + value)
        h = _md5(term)
        buckets[h & 255].append((h, position))
        position += _LENGTHS.size + len(term) + len(value)
        offset += len(block)
        lastkey = term
        if len(posts) >= 4096:
            postfile.write(b"".join(posts))
            table.dbfile.write(b"".join(rows))
            posts, rows = [], []
    postfile.write(b"".join(posts))
    table.dbfile.write(b"".join(rows))
    table.lastkey = lastkey


#: The W3 field writer's attributes write_terms uses.
_FIELD_WRITER = ("_postwriter", "_postfile", "_tindex", "_fieldid", "_format")


def _write_terms_public(fieldwriter, terms):
    # The field writer's public methods, a posting at a time: Whoosh's own format.
    size = fieldwriter._format.fixed_value_size() if hasattr(fieldwriter, "_format") else None
    for btext, ids, weights, values in terms:
        fieldwriter.start_term(btext)
        for i, (docnum, weight) in enumerate(zip(ids, weights)):
            if isinstance(values, bytes):
                value = values[i * size:(i + 1) * size]
            else:
                value = values[i] if values else b""
            fieldwriter.add(docnum, weight, value, 0)
        fieldwriter.finish_term()


def _block(ids, weights, values, fixed, size, compression, last=True):
    """One block of postings as W3PostingsWriter._write_block writes it (its length,
    info and data), with the sum and the top of its weights."""
    from whoosh.system import pack_int
    count = len(ids)
    first = weights[0]
    if fixed == 0:
        values = None
    elif size:
        values = values if isinstance(values, bytes) else b"".join(values)
    else:
        values = tuple(values)
    deltas = (ids[0],) if count == 1 else (ids[0],) + tuple(map(operator.sub, ids[1:], ids))
    data = pickle.dumps((deltas,
                         None if weights.count(1.0) == count else
                         first if weights.count(first) == count else tuple(weights),
                         values), _PROTOCOL)
    # Whoosh means to leave tiny blocks uncompressed and does not (a bug): most terms
    # have one posting, whose block zlib only makes longer and slower to read.
    level = compression if len(data) >= SMALL_BLOCK else 0
    if level:
        data = zlib.compress(data, level)
    best = max(weights)
    head = pickle.dumps((count, ids[-1], best, level, 0, _NO_LENGTH), _PROTOCOL)
    length = len(head) + len(data)
    return pack_int(-length if last else length) + head + data, sum(weights), best


def commit_segments(ix, segments):
    """Add `segments` (written beside the index, not yet in it) to the index in a new
    table of contents, as a writer's commit does."""
    from whoosh.index import TOC, clean_files
    toc = ix._read_toc()
    segments = list(toc.segments) + list(segments)
    TOC(toc.schema, segments, toc.generation + 1).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, toc.generation + 1, segments)
