"""Snapshots: rebuild beside the live one, incremental updates, drift check."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from whoosh.query import Every

from archive.archive import Archive
from index import build
from index import snapshots

import make_corpus  # noqa: E402
from conftest import DATA, gunicorn, cli_process
from conftest import SEED


def test_index_package_imports_neither_flask_nor_archive():
    code = ("import sys, index, index.analysis, index.schema, index.build, index.searching, "
            "index.snapshots; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'archive', 'werkzeug')]; print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rebuild_while_a_searcher_is_open(seeded_copy):
    old = seeded_copy.snapshot()
    with old.reading() as generation, generation.searcher() as old_searcher:
        assert old_searcher.doc_count() == 5
        meta = seeded_copy.indexing.reindex()
        assert meta["entries"] == 5 and meta["name"] != old.name
        # The reader that opened the old snapshot keeps working…
        assert old_searcher.doc_count() == 5
        assert len(old_searcher.search(Every())) == 5
    # …and a new search sees the new snapshot without a restart.
    assert seeded_copy.snapshot().name == meta["name"]
    assert seeded_copy.records.search("李玉柱")["results"][0]["name"] == "李玉柱"


def test_two_snapshots_are_kept(seeded_copy):
    names = [seeded_copy.indexing.reindex()["name"] for _ in range(3)]
    kept = sorted(p.name for p in snapshots.snapshots_dir(seeded_copy.index_root).iterdir())
    assert kept == sorted(names[-2:])
    assert snapshots.live_name(seeded_copy.index_root) == names[-1]


def test_half_built_snapshot_is_never_live_and_is_cleaned(seeded_copy):
    root = seeded_copy.index_root
    live = snapshots.live_name(root)
    leftover = snapshots.snapshots_dir(root) / "20000101T000000000000Z.partial"
    leftover.mkdir()
    (leftover / "junk").write_text("x")
    assert snapshots.live_name(root) == live
    seeded_copy.indexing.reindex()
    assert not leftover.exists()


def test_import_updates_the_index_incrementally(seeded_copy, runner):
    live = snapshots.live_name(seeded_copy.index_root)
    out = runner("import", DATA / "sichuan-2019-2020-candidates.txt")
    assert out.exit_code == 0, out.output
    assert snapshots.live_name(seeded_copy.index_root) == live  # no rebuild
    assert [h["name"] for h in seeded_copy.records.search("赵一鸣")["results"]] == ["赵一鸣"]
    assert seeded_copy.records.search("", filters={"operator": "中国铁塔"})["total"] == 1
    assert seeded_copy.indexing.check()["ok"]


def test_corrected_notice_updates_only_its_entries(seeded_copy, runner, tmp_path):
    corrected = tmp_path / "seed.txt"
    corrected.write_text(SEED.read_text("utf-8").replace("阿尔及利亚使馆", "某国使馆"), "utf-8")
    assert seeded_copy.records.search("阿尔及利亚")["total"] == 1
    out = runner("import", corrected)
    assert "已导入新版本（旧版本已保留）（5 条）" in out.output
    assert seeded_copy.records.search("阿尔及利亚")["total"] == 0
    assert [h["name"] for h in seeded_copy.records.search("李玉柱")["results"]] == ["李玉柱"]
    assert seeded_copy.records.search("")["total"] == 5  # replaced, not duplicated
    assert seeded_copy.indexing.check()["ok"]


def test_check_reports_drift(seeded_copy, runner):
    assert runner("check").exit_code == 0
    db = seeded_copy.db
    li = next(db.query("select id from entries where name = '李玉柱'"))["id"]
    zhang = next(db.query("select id from entries where name = '张娜'"))["id"]
    db.execute("update entries set content_hash = 'x' where id = ?", [li])
    db.execute("delete from entries where id = ?", [zhang])
    snapshot = seeded_copy.snapshot()
    writer = snapshot.writer()
    writer.delete_by_term("id", next(db.query("select id from entries where name = '刘鑫鑫'"))["id"])
    writer.commit()
    drift = seeded_copy.indexing.check()
    assert drift["stale"] == [li] and drift["extra"] == [zhang] and len(drift["missing"]) == 1
    out = runner("check")
    assert out.exit_code == 1
    assert f"stale: {li}" in out.output and f"extra: {zhang}" in out.output
    assert "1 missing, 1 extra, 1 stale" in out.output
    runner("reindex")
    assert runner("check").exit_code == 0


def test_rebuild_reconciles_changes_made_during_the_build(seeded_copy):
    """An import that lands while the rebuild runs is in the new snapshot."""
    rows = list(seeded_copy.indexing.rows())
    plans = seeded_copy.imports.plan_files([(str(DATA / "hubei-2019-2020-honorees.json"),
                                     (DATA / "hubei-2019-2020-honorees.json").read_bytes())])

    def entries():
        yield from rows
        seeded_copy.imports.apply(plans)  # lands mid-build, into the old snapshot

    from archive.db import store
    meta = build.rebuild(seeded_copy.index_root, entries(), words=set(),
                         aliases=seeded_copy.index_aliases(),
                         reconcile=(lambda: store.entry_hashes(seeded_copy.db),
                                    seeded_copy.indexing.rows))
    assert meta["reconciled"] == 2 and meta["entries"] == 7
    assert [h["name"] for h in seeded_copy.records.search("欧阳晓明")["results"]] == ["欧阳晓明"]
    assert seeded_copy.indexing.check()["ok"]


def test_whoosh_and_index_import_without_warnings():
    code = "import index.searching, index.build, whoosh.fields, whoosh.qparser"
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_dictionary_loads_once_per_snapshot_not_per_query(seeded_copy, monkeypatch):
    from index import analysis
    seeded_copy.records.search("李玉柱")
    loads = []
    real = analysis.rjieba.Jieba
    monkeypatch.setattr(analysis.rjieba, "Jieba", lambda: loads.append(1) or real())
    for query in ("玉柱", "投诉", "聯通", "liyuzhu"):
        seeded_copy.records.search(query)
    assert loads == []
    digest = seeded_copy.snapshot().digest
    assert (seeded_copy.index_root / "snapshots" / seeded_copy.snapshot().name /
            "userdict.txt").exists()
    assert analysis.segmenter(digest) is analysis.segmenter(digest)


def test_snapshot_of_an_older_schema_is_rebuilt_by_init(seeded_copy, runner):
    import json
    from index.snapshots import StaleSnapshot
    path = snapshots.snapshots_dir(seeded_copy.index_root) / snapshots.live_name(
        seeded_copy.index_root)
    meta = json.loads((path / "meta.json").read_text())
    meta["schema"] = 1
    (path / "meta.json").write_text(json.dumps(meta))
    seeded_copy.instance.live.close()  # as a new process would see it
    out = runner("search", "李玉柱")
    assert out.exit_code == 1 and "archive reindex" in out.output
    with pytest.raises(StaleSnapshot):
        seeded_copy.snapshot()
    assert runner("init").exit_code == 0
    assert seeded_copy.records.search("李玉柱")["results"][0]["name"] == "李玉柱"


def test_check_repair_and_an_unchanged_reimport_mend_drift(runner, home):
    from archive.archive import Archive
    from conftest import SEED
    runner("init")
    a = Archive(home)
    # Change entries behind the index's back (as a crash between commit and index would).
    a.db.execute("update entries set content_hash = 'x' || content_hash "
                 "where name in ('李玉柱', '张娜')")
    a.close()
    out = runner("check")
    assert out.exit_code == 1 and "2 stale" in out.output
    out = runner("import", SEED)  # the same text again: unchanged, and its index state mended
    assert "内容未变" in out.output
    assert runner("check").exit_code == 0
    a = Archive(home)
    a.db.execute("delete from entries where name = '张娜'")
    a.close()
    out = runner("check")
    assert out.exit_code == 1 and "1 extra" in out.output
    out = runner("check", "--repair")
    assert out.exit_code == 0, out.output
    assert "repaired: 0 pending, 0 missing, 1 extra, 0 stale" in out.output
    assert "store and index agree" in out.output
    assert runner("check").exit_code == 0


def test_a_rebuild_removes_the_leftovers_of_a_build_that_died(seeded_copy, monkeypatch):
    leftover = snapshots.snapshots_dir(seeded_copy.index_root) / "20200101T000000000000Z.partial"
    leftover.mkdir()
    seen = []
    real = build._write_documents

    def spy(partial, *args):
        seen.append(leftover.exists())  # inside the build's lock, before any document
        return real(partial, *args)

    monkeypatch.setattr(build, "_write_documents", spy)
    seeded_copy.indexing.reindex(procs=1)
    assert seen == [False]


def test_a_quiet_index_is_not_reread_per_search_but_sees_other_processes(seeded_copy,
                                                                         monkeypatch):
    """Searches skip re-reading LIVE and the segment list while neither changed
    (their stat is the same), and still see an import and a rebuild made by other
    processes."""
    monkeypatch.setattr(snapshots, "QUIET_NS", 0)  # every state counts as settled at once
    reads = []
    real = snapshots.live_name
    monkeypatch.setattr(snapshots, "live_name", lambda root: reads.append(1) or real(root))
    env = {**os.environ, "ARCHIVE_HOME": str(seeded_copy.home)}
    before = seeded_copy.snapshot().name
    assert seeded_copy.records.search("赵一鸣")["total"] == 0
    count = len(reads)
    seeded_copy.records.search("李玉柱")
    assert len(reads) == count  # LIVE unchanged: not read again
    subprocess.run([sys.executable, "-m", "archive.cli", "import",
                    str(DATA / "sichuan-2019-2020-candidates.txt")], env=env, check=True,
                   capture_output=True)
    assert [h["name"] for h in seeded_copy.records.search("赵一鸣")["results"]] == ["赵一鸣"]
    assert seeded_copy.snapshot().name == before
    subprocess.run([sys.executable, "-m", "archive.cli", "reindex"], env=env, check=True,
                   capture_output=True)
    assert seeded_copy.snapshot().name != before
    assert len(reads) > count
    assert [h["name"] for h in seeded_copy.records.search("赵一鸣")["results"]] == ["赵一鸣"]


def test_every_segment_is_written_with_the_archives_codec(seeded_copy, runner):
    """Full rebuilds (several writer processes) and imports write segments with the
    archive's codec: no per-posting field-length reads while indexing."""
    seeded_copy.indexing.reindex(procs=2)
    runner("import", DATA / "sichuan-2019-2020-candidates.txt")
    segments = seeded_copy.snapshot().index._segments()
    assert len(segments) >= 2
    assert all(segment.codec().length_stats is False for segment in segments)
    assert all(segment.codec()._blocklimit == 1024 for segment in segments)
    assert [h["name"] for h in seeded_copy.records.search("赵一鸣")["results"]] == ["赵一鸣"]


def test_a_rebuild_whose_writer_processes_fail_ends_with_an_error(seeded_copy, monkeypatch,
                                                                  runner):
    import errno
    from index import bulk
    from index.build import IndexWriteError

    def disk_full(self, item):
        raise OSError(errno.ENOSPC, "No space left on device")

    live = snapshots.live_name(seeded_copy.index_root)
    rows = [dict(r, id=f"x{i}") for i, r in enumerate(list(seeded_copy.indexing.rows()) * 60)]
    working = bulk._Builders.add
    monkeypatch.setattr(bulk._Builders, "add", disk_full)
    with pytest.raises(IndexWriteError):
        build.rebuild(seeded_copy.index_root, iter(rows), words=[],
                      aliases=seeded_copy.index_aliases(), total=len(rows), procs=2)
    assert snapshots.live_name(seeded_copy.index_root) == live  # still serving the old one
    assert seeded_copy.records.search("李玉柱")["total"] == 1
    assert not list(snapshots.snapshots_dir(seeded_copy.index_root).glob("*.partial"))
    monkeypatch.setattr(bulk._Builders, "add", working)
    assert seeded_copy.indexing.reindex(procs=2)["entries"] == 5  # the build lock was released


@pytest.fixture
def bigger(bigger_template, tmp_path):
    import shutil
    home = tmp_path / "instance"
    shutil.copytree(bigger_template, home)
    archive = Archive(home)
    yield archive
    archive.close()


def _size(folder):
    """Bytes written under a folder so far (files may vanish while it is read)."""
    total = 0
    for path in Path(folder).rglob("*"):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _group_alive(pgid, wait=5.0):
    """Whether any process of a process group is still running after `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def _get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, json.loads(r.read())


@pytest.fixture(scope="module")
def bigger_template(tmp_path_factory):
    """The seed plus 1,200 synthetic entries, so that a re-index takes seconds."""
    from archive import importer
    out = tmp_path_factory.mktemp("corpus")
    make_corpus.make(1200, 3, out)
    home = tmp_path_factory.mktemp("bigger") / "instance"
    archive = Archive(home)
    archive.imports.init()
    files = [(str(p), p.read_bytes()) for p in sorted(out.glob("*.txt"))]
    importer.apply(archive.db, archive.imports.plan_files(files))
    archive.indexing.reindex()
    archive.close()
    return home


@pytest.mark.slow  # a fault test: seconds to minutes
def test_searches_never_fail_during_reindex_and_imports(bigger):
    base_total = bigger.db["entries"].count
    valid = {base_total, base_total + 3, base_total + 5}
    with gunicorn(bigger.home, workers=2) as url:
        stop = threading.Event()
        seen, failures, served = set(), [], [0]

        def client(n):
            queries = ["", "李玉柱", "投诉", "liyuzhu"]
            i = n
            while not stop.is_set():
                q = queries[i % len(queries)]
                i += 1
                try:
                    status, body = _get_json(f"{url}/api/search?q={urllib.parse.quote(q)}")
                    if status != 200:
                        failures.append(status)
                    if q == "":
                        seen.add(body["entries"])
                    elif q == "李玉柱" and [h["name"] for h in body["results"]][:1] != ["李玉柱"]:
                        failures.append(("wrong answer", body["results"][:1]))
                    served[0] += 1
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    failures.append(repr(exc))
        import urllib.parse
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            rebuild = cli_process(bigger.home, "reindex", wait=False)
            first = cli_process(bigger.home, "import", DATA / "sichuan-2019-2020-candidates.txt")
            second = cli_process(bigger.home, "import", DATA / "hubei-2019-2020-honorees.json")
            out, err = rebuild.communicate(timeout=300)
            time.sleep(1.0)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert rebuild.returncode == 0, err
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    print(f"\nrequests served during re-index and imports: {served[0]}, failed: {len(failures)}")
    assert failures == []
    assert served[0] > 20
    assert seen <= valid and base_total + 5 in seen
    assert bigger.indexing.check()["ok"]


@pytest.mark.slow  # a fault test: seconds to minutes
def test_sigkill_during_reindex_leaves_live_snapshot_serving(bigger):
    root = bigger.index_root
    live = snapshots.live_name(root)
    proc = cli_process(bigger.home, "reindex", wait=False)
    deadline = time.monotonic() + 60
    partial = None
    while partial is None and time.monotonic() < deadline:
        found = list(snapshots.snapshots_dir(root).glob("*.partial"))
        partial = found[0] if found else None
        time.sleep(0.05)
    assert partial is not None, "the rebuild never started"
    # Half way, by evidence rather than by the clock: segment data is on disk.
    while _size(partial) < 64 * 1024 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the rebuild finished before it could be killed"
    assert _size(partial) >= 64 * 1024, "no documents were written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)
    assert not _group_alive(proc.pid)  # its writer helpers died with it
    assert snapshots.live_name(root) == live
    assert partial.exists()  # the half-built snapshot is left behind…
    assert bigger.records.search("李玉柱")["results"][0]["name"] == "李玉柱"  # …and never served
    done = cli_process(bigger.home, "reindex")
    assert done.returncode == 0, done.stderr
    assert not partial.exists()  # …and cleaned up by the next rebuild
    assert snapshots.live_name(root) != live
    assert cli_process(bigger.home, "check").returncode == 0
