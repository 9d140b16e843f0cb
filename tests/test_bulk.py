"""The bulk writer of full rebuilds (index/bulk.py) writes what Whoosh's own writer
writes of the same documents: the same stored values, columns, lengths, terms and
postings, whether in one process or several, in one segment or many; a writer that
fails or dies ends the build with an error instead of a snapshot lacking documents."""

import errno
import os
import signal
from collections import defaultdict
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from index import build, bulk
from index.analysis import load_dictionary
from index.schema import make_codec, make_schema


def _small_blocks():
    """The archive's codec with blocks of 4 postings: common terms take many blocks."""
    codec = W3Codec(blocklimit=4)
    codec.length_stats = False
    return codec


@pytest.fixture(scope="module")
def material(corpus, tmp_path_factory):
    """(digest, alias table, entries): the seed and synthetic entries of `corpus`, and
    two made to exercise normalisation (traditional characters, full-width letters
    and digits, a Latin word, an empty field)."""
    digest = load_dictionary(corpus.snapshot().path / "userdict.txt")
    table = build.normalize_aliases(corpus.index_aliases())
    rows = [dict(r) for r in corpus.indexing.rows()]
    first = rows[0]
    rows.append({**first, "id": "extra-traditional", "name": "歐陽曉明", "unit": None,
                 "citation": "他在營業廳受理ＶＩＰ客戶投訴１２３件，用戶滿意率達到９９％。"
                             "Ｗｉｆｉ網絡故障當日修復，「首問負責制」落到實處。"})
    rows.append({**first, "id": "extra-empty", "name": "李", "citation": "", "company": ""})
    return digest, table, rows


def _reference(folder, digest, table, rows, codec):
    """The index Whoosh's own writer makes of the rows, in one segment."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(digest))
    writer = ix.writer(procs=1, codec=codec, compound=False)
    for row in rows:
        writer.add_document(**build.document(row, table))
    writer.commit()
    return ix


def _bulk(folder, digest, table, rows, codec, **options):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(digest))
    count = bulk.write(ix, iter(rows), codec=codec, make=lambda r: build.document(r, table),
                       **options)
    assert count == len(rows)
    return ix


def _postings(reader):
    """{(field, term): [(docnum, weight, value), …]} and each term's statistics."""
    out, stats = {}, {}
    for field in reader.indexed_field_names():
        for term in reader.lexicon(field):
            matcher = reader.postings(field, term)
            listed = []
            while matcher.is_active():
                listed.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            out[field, term] = listed
            info = reader.term_info(field, term)
            stats[field, term] = (info.doc_frequency(), info.weight(), info.max_weight(),
                                  info.min_id(), info.max_id())
    return out, stats


def _by_document(ix):
    """What each document (by entry id) holds: its stored values, its column values,
    field lengths, and every posting of it (field, term, weight, value)."""
    schema = ix.schema
    docs = defaultdict(lambda: {"postings": set()})
    with ix.reader() as reader:
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        for n, fields in reader.iter_docs():
            doc = docs[fields["id"]]
            doc["stored"] = fields
            doc["lengths"] = {f: reader.doc_field_length(n, f) for f in schema.scorable_names()}
        for name in schema.names():
            if schema[name].column_type and reader.has_column(name):
                column = reader.column_reader(name)
                for n in ids:
                    docs[ids[n]][name] = column[n]
        postings, _ = _postings(reader)
        for (field, term), listed in postings.items():
            for n, weight, value in listed:
                docs[ids[n]]["postings"].add((field, term, weight, value))
    return dict(docs)


@pytest.mark.parametrize("codec", [make_codec(), _small_blocks()], ids=["archive", "4-blocks"])
def test_a_bulk_segment_is_the_segment_whoosh_writes(material, tmp_path, codec):
    digest, table, rows = material
    ours = _bulk(tmp_path / "bulk", digest, table, rows, codec)
    theirs = _reference(tmp_path / "whoosh", digest, table, rows, codec)
    assert len(ours._segments()) == len(theirs._segments()) == 1
    with ours.reader() as a, theirs.reader() as b:
        ours_postings, ours_stats = _postings(a)
        their_postings, their_stats = _postings(b)
        assert len(ours_postings) > 10_000  # the real vocabulary, not an empty index
        assert ours_postings == their_postings
        assert ours_stats == their_stats
    # Stored values, columns and lengths: the same files, byte for byte (only the
    # postings and terms files differ, by the blocks left uncompressed).
    same = compared = 0
    for mine in ours.storage.list():
        if mine.endswith((".pst", ".trm")) or not mine.startswith("MAIN_"):
            continue
        suffix = mine.split(".", 1)[1]
        theirs_file = next(f for f in theirs.storage.list() if f.endswith("." + suffix)
                           and f.startswith("MAIN_"))
        compared += 1
        same += (Path(ours.storage.folder, mine).read_bytes()
                 == Path(theirs.storage.folder, theirs_file).read_bytes())
    assert compared >= 15 and same == compared


def test_small_blocks_are_left_uncompressed_and_large_ones_compressed(material, tmp_path):
    digest, table, rows = material
    ix = _bulk(tmp_path / "bulk", digest, table, rows, make_codec())
    with ix.reader() as reader:
        levels = {}
        for term in ("投诉", "的"):  # common: a block of hundreds of postings
            matcher = reader.postings("citation", term)
            levels[term] = matcher._compression
        rare = next(t for t in reader.lexicon("citation_pairs")
                    if reader.doc_frequency("citation_pairs", t) == 1)
        assert reader.postings("citation_pairs", rare)._compression == 0
    assert set(levels.values()) == {3}


def test_writer_processes_and_many_segments_hold_every_document_once(material, tmp_path,
                                                                     monkeypatch):
    digest, table, rows = material
    monkeypatch.setattr(bulk, "BATCH", 16)  # both processes get work
    seen = []
    ours = _bulk(tmp_path / "bulk", digest, table, rows, _small_blocks(), procs=2,
                 limitmb=0.01, progress=lambda done, total: seen.append((done, total)),
                 total=len(rows))
    theirs = _reference(tmp_path / "whoosh", digest, table, rows, _small_blocks())
    assert len(ours._segments()) >= 4  # a new segment whenever one holds limitmb
    assert sum(s.doc_count_all() for s in ours._segments()) == len(rows)
    mine, reference = _by_document(ours), _by_document(theirs)
    assert sorted(mine) == sorted(r["id"] for r in rows)
    for entry_id in reference:
        assert mine[entry_id] == reference[entry_id], entry_id
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == len(rows) and len(done) > 3
    assert {t for _, t in seen} == {len(rows)}


def test_a_failing_writer_process_ends_the_build_with_an_error(material, tmp_path,
                                                               monkeypatch):
    digest, table, rows = material

    def disk_full(self, item):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bulk._Builders, "add", disk_full)
    with pytest.raises(bulk.IndexWriteError, match="no space left on device"):
        _bulk(tmp_path / "bulk", digest, table, rows, make_codec(), procs=2)


def test_a_writer_process_killed_mid_build_ends_it_with_an_error(material, tmp_path,
                                                                 monkeypatch):
    digest, table, rows = material
    parent = os.getpid()
    real = bulk._Builders.add

    def killed(self, item):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, item)

    monkeypatch.setattr(bulk._Builders, "add", killed)
    with pytest.raises(bulk.IndexWriteError, match="died"):
        _bulk(tmp_path / "bulk", digest, table, rows * 20, make_codec(), procs=2)


def test_the_citation_column_holds_each_citation_compressed(corpus):
    """Snippets read one citation per hit from a column: it holds each compressed (real
    citations shrink to about half), and reads back exact."""
    from index.schema import CITATION_TEXT, unpack_citation
    snapshot = corpus.snapshot()
    citations = {r["id"]: r["citation"] or "" for r in corpus.indexing.rows()}
    text = sum(len(c.encode("utf-8")) for c in citations.values())
    stored = sum(f.stat().st_size for f in snapshot.path.glob(f"*.{CITATION_TEXT}.col"))
    assert stored < 0.7 * text
    with snapshot.index.reader() as reader:
        column = reader.column_reader(CITATION_TEXT)
        for docnum, fields in reader.iter_docs():
            assert unpack_citation(column[docnum]) == citations[fields["id"]]


def test_fields_the_bulk_writer_cannot_write_are_refused_not_dropped(tmp_path):
    """Term vectors and spelling words are Whoosh features the archive's schema does not
    use: a schema with them is refused rather than built without them."""
    from whoosh.fields import ID, TEXT, Schema
    ix = whoosh_index.create_in(str(tmp_path), Schema(id=ID(stored=True), body=TEXT(vector=True)))
    with pytest.raises(ValueError, match="body"):
        bulk.write(ix, [{"id": "1", "body": "用户满意"}], codec=make_codec())


def test_without_whooshs_private_names_the_bulk_writer_uses_the_public_api(material, tmp_path,
                                                                          monkeypatch):
    """internals.write_terms writes the codec's format itself; with Whoosh's private names
    missing (another version) it goes through the field writer's public methods, and
    the index holds the same postings."""
    from index import internals
    digest, table, rows = material
    rows = rows[:60]
    ours = _bulk(tmp_path / "fast", digest, table, rows, _small_blocks())
    monkeypatch.setattr(internals, "WHOOSH", None)
    public = _bulk(tmp_path / "public", digest, table, rows, _small_blocks())
    with ours.reader() as a, public.reader() as b:
        assert _postings(a) == _postings(b)
        assert len(_postings(a)[0]) > 2000
        # Which writer wrote them: Whoosh's compresses even a one-posting block.
        rare = next(t for t in a.lexicon("citation_pairs")
                    if a.doc_frequency("citation_pairs", t) == 1)
        assert a.postings("citation_pairs", rare)._compression == 0
        assert b.postings("citation_pairs", rare)._compression == 3
