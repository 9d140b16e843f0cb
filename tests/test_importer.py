"""Importing (archive/importer.py, the imports and uploads services): all or nothing,
serialised between the CLI and the web, recoverable after a crash, clear about bad files."""

import json
import random
import re
import signal
import time

import pytest

from archive.archive import Archive
from archive.db import store
from archive.ingest import ParseError

import notice_files as nf
from conftest import DATA, PASSWORD, csrf, login, cli_process
from conftest import SEED


def _mutations(seed_text, rng):
    head, blocks = _blocks(seed_text)
    data = seed_text.encode("utf-8")
    yield "truncated", data[:rng.randint(1, len(data) - 1)]
    shuffled = blocks[:]
    rng.shuffle(shuffled)
    yield "shuffled", (head + "".join(shuffled)).encode()
    yield "duplicated", (head + "".join(blocks + [rng.choice(blocks)])).encode()
    for field in ("姓名", "性别", "出生年月", "单位", "申报说明材料", "班组名称", "来源", "日期"):
        yield f"no {field}", re.sub(rf"{field}:[^\n]*\n", "", seed_text, count=1).encode()
    yield "latin-1", seed_text.encode("utf-8").decode("latin-1").encode("utf-8")
    yield "utf-16", seed_text.encode("utf-16")
    yield "big5-ish", seed_text.encode("gb18030", "replace")[::-1]
    yield "random", bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000)))
    flipped = bytearray(data)
    for _ in range(20):
        flipped[rng.randrange(len(flipped))] = rng.getrandbits(8)
    yield "bitflips", bytes(flipped)


def _blocks(text):
    """Split the seed into chrome/head and its honoree blocks."""
    parts = re.split(r"(?=全国用户满意电信服务明星(?:班组)?中国)", text)
    return parts[0], parts[1:]


def _big_notice(path, version, entries=1500):
    citation = f"第{version}版事迹：该同志扎根一线，耐心解答用户咨询。" * 8
    doc = {"notice": {"title": "关于表彰2019-2020年度全国用户满意电信服务明星的通报（虚构测试数据）",
                      "publisher": "工业和信息化部", "published": "2021-01-15",
                      "stage": "honorees"},
           "entries": [{"kind": "individual", "name": f"断点{i:04d}",
                        "company": "中国电信股份有限公司北京分公司", "citation": citation}
                       for i in range(entries)]}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_mutated_notices_import_cleanly_or_not_at_all(archive):
    rng = random.Random(7)
    seed_text = SEED.read_text("utf-8")
    outcomes = {"error": 0, "imported": 0}
    for round_ in range(6):
        for label, data in _mutations(seed_text, rng):
            before = store.content_digest(archive.db), archive.db["entries"].count
            try:
                plans = archive.imports.plan_files([(f"mutant-{round_}-{label}.txt", data)])
            except ParseError as exc:
                assert str(exc).startswith(f"mutant-{round_}-{label}.txt")
                assert (store.content_digest(archive.db), archive.db["entries"].count) == before
                outcomes["error"] += 1
                continue
            archive.imports.apply(plans, allow_removal=True)
            outcomes["imported"] += 1
            plan = plans[0]
            stored = archive.db.execute("select count(*) from entries where notice_id = ?",
                                        [plan.notice_id]).fetchone()[0]
            assert stored == len(plan.rows), label  # all of it, never part
            assert archive.indexing.check()["ok"], label
    print(f"\nmutated imports: {outcomes}")
    assert outcomes["error"] and outcomes["imported"]


def test_a_failing_write_rolls_back_everything(archive, monkeypatch):
    before = store.content_digest(archive.db)
    plans = archive.imports.plan_files([(p.name, p.read_bytes()) for p in
                                (DATA / "sichuan-2019-2020-candidates.txt",
                                 DATA / "hubei-2019-2020-honorees.json")])
    from archive import importer
    calls = {"n": 0}
    real = importer.identity.entry_id

    def explode(*args):
        calls["n"] += 1
        if calls["n"] > 4:
            raise RuntimeError("disk full")
        return real(*args)
    monkeypatch.setattr(importer.identity, "entry_id", explode)
    with pytest.raises(RuntimeError):
        archive.imports.apply(plans)
    assert store.content_digest(archive.db) == before


def test_a_commit_that_fails_rolls_back_and_leaves_no_open_transaction(tmp_path):
    """A deferred foreign key violation fails at COMMIT: nothing stays half-done."""
    import sqlite3
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    import sqlite_utils
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("create table parent (id integer primary key)")
    db.execute("create table child (id integer primary key, parent integer "
               "references parent(id) deferrable initially deferred)")
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction(db):
            db.execute("insert into child (id, parent) values (1, 99)")
    assert not conn.in_transaction
    assert db["child"].count == 0
    with store.transaction(db):  # the connection is usable again
        db.execute("insert into parent (id) values (99)")
    assert db["parent"].count == 1


def test_absurd_json_is_a_clear_error_on_the_cli_and_the_web(runner, tmp_path):
    from archive.ingest import parse_bytes
    deep = b'{"notice": ' + b"[" * 100_000 + b"]" * 100_000 + b', "entries": []}'
    huge = ('{"notice": {"title": "x"}, "entries": [{"name": "甲", "kind": "个人", '
            '"team_size": ' + "9" * 5000 + "}]}").encode()
    nested = ('{"notice": {"title": "x"}, "entries": [' + '{"a":' * 30 + "1" + "}" * 30
              + "]}").encode()
    for name, data, message in (("deep.json", deep, "JSON 格式有误"),
                                ("huge.json", huge, "JSON 格式有误"),
                                ("nested.json", nested, "嵌套超过")):
        with pytest.raises(ParseError) as info:
            parse_bytes(data, name)
        assert message in str(info.value)
        path = tmp_path / name
        path.write_bytes(data)
        out = runner("import", path)
        assert out.exit_code == 1 and "Traceback" not in out.output and message in out.output


def test_absurd_json_upload_is_a_400(logged_in):
    from conftest import upload
    data = b'{"notice": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = upload(logged_in, "deep.json", data)
    assert r.status_code == 400 and "JSON 格式有误" in r.get_data(as_text=True)


@pytest.mark.slow  # a fault test: seconds to minutes
def test_cli_and_web_imports_at_once_are_serialised(seeded_copy):
    import io
    from archive import auth
    from archive.web import create_app
    auth.create_user(seeded_copy.private, "editor", PASSWORD)
    app = create_app({"ARCHIVE_HOME": str(seeded_copy.home), "SECRET_KEY": "k"})
    client = app.test_client()
    assert login(client).status_code == 302
    token = csrf(client)
    data = (DATA / "sichuan-2019-2020-candidates.txt").read_bytes()
    preview = client.post("/admin/upload", data={"csrf_token": token,
                                                 "notice": (io.BytesIO(data), "sichuan.txt")},
                          content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    upload = re.search(r'/admin/upload/([0-9a-f]+)/confirm', preview).group(1)
    cli = cli_process(seeded_copy.home, "import", DATA / "sichuan-2019-2020-candidates.txt",
               DATA / "hubei-2019-2020-honorees.json", wait=False)
    r = client.post(f"/admin/upload/{upload}/confirm", data={"csrf_token": token})
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    assert r.status_code == 302
    db = Archive(seeded_copy.home)
    assert db.db["entries"].count == 10
    names = [r["name"] for r in db.db.query("select name from entries")]
    assert len(names) == len(set(names)) + 1  # 李玉柱 twice: Beijing and Sichuan, no copies
    assert db.indexing.check()["ok"]
    db.close()


@pytest.mark.slow  # a fault test: seconds to minutes
def test_an_import_killed_at_any_point_leaves_no_drift_after_the_next_command(seeded_copy,
                                                                             tmp_path):
    home = seeded_copy.home
    seeded_copy.close()
    versions = [_big_notice(tmp_path / f"big-{v}.json", v) for v in (1, 2)]
    started = time.monotonic()
    done = cli_process(home, "import", versions[0])
    assert done.returncode == 0, done.stderr
    full = time.monotonic() - started
    rng = __import__("random").Random(20261127)
    outcomes = []
    for round_ in range(10):
        proc = cli_process(home, "import", versions[(round_ + 1) % 2], wait=False)
        time.sleep(rng.uniform(0.05, full))  # anywhere from start-up to the index commit
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps it and closes its pipes
        outcomes.append(proc.returncode)
        small = tmp_path / f"small-{round_}.csv"
        small.write_text(f"# title: 关于2021-2022年度全国用户满意电信服务明星的表彰通报（第{round_}批）\n"
                         "# publisher: 工业和信息化部\n# published: 2023-05-18\n"
                         f"kind,name,company\nindividual,接续{round_},中国移动\n", "utf-8")
        after = cli_process(home, "import", small)  # the next command completes pending index work
        assert after.returncode == 0, after.stderr
        check = cli_process(home, "check")
        assert check.returncode == 0, (round_, check.stdout, check.stderr)
    assert outcomes.count(-signal.SIGKILL) >= 5  # most rounds were really cut short


@pytest.mark.slow  # a fault test: seconds to minutes
def test_an_import_stored_but_not_indexed_says_so_and_repair_finishes_it(runner, home,
                                                                        monkeypatch):
    from archive.services.indexing import Indexing
    from conftest import DATA
    runner("init")

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")
    working = Indexing.drain
    monkeypatch.setattr(Indexing, "drain", disk_full)
    out = runner("import", DATA / "sichuan-2019-2020-candidates.txt")
    assert out.exit_code == 1
    assert "导入已存入档案" in out.output and "archive check --repair" in out.output
    assert "未导入任何内容" not in out.output
    monkeypatch.setattr(Indexing, "drain", working)
    assert runner("check").exit_code == 1  # 3 entries await the index
    assert runner("check", "--repair").exit_code == 0
    assert runner("check").exit_code == 0


def test_a_failed_rollback_never_hides_the_error_that_caused_it(tmp_path):
    from archive.db import store
    db = store.connect(tmp_path / "a.db")
    with pytest.raises(ZeroDivisionError):
        with store.transaction(db):
            db.execute("ROLLBACK")  # as SQLite does itself after SQLITE_FULL
            1 / 0
    with store.transaction(db):  # the connection is usable again
        db.execute("select 1")


def test_only_the_base_name_of_a_file_is_stored(runner, tmp_path):
    path = tmp_path / "deep" / "folder" / "通报.html"
    path.parent.mkdir(parents=True)
    path.write_bytes(nf.commendation_html())
    assert runner("import", str(path)).exit_code == 0
    from archive.archive import Archive
    import os
    a = Archive(os.environ["ARCHIVE_HOME"])
    names = [r["source_name"] for r in a.db.query("select source_name from imports")]
    names += [r["source_name"] for r in a.db.query("select source_name from notices")]
    names += [r["name"] for r in a.db.query("select name from notice_files")]
    a.close()
    assert set(names) == {"通报.html"}
    from archive.importer import base_name
    assert base_name("C:\\Users\\王五\\Desktop\\通报.html") == "通报.html"


def test_a_malformed_source_url_is_a_clear_refusal(runner, tmp_path):
    path = tmp_path / "通报.html"
    path.write_bytes(nf.commendation_html())
    out = runner("import", str(path), "--source-url", "http://[::1")
    assert out.exit_code == 1 and "来源链接（--source-url）应为 http(s) 网址" in out.output
    assert "Traceback" not in out.output


# -- bulk loads ---------------------------------------------------------------------

def test_a_bulk_import_rebuilds_the_index_and_a_small_one_updates_it(seeded_copy, tmp_path):
    """An import that adds more than BULK_INDEX_SHARE of the archive (and more than
    BULK_INDEX_MIN entries) rebuilds the index into a new snapshot (in parallel); a small
    one updates the live snapshot entry by entry. Either way the store and the index
    agree, and what was imported is found."""
    seeded_copy.settings.update(BULK_INDEX_MIN=2, BULK_INDEX_SHARE=0.5)
    before = seeded_copy.snapshot().name
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])  # 3 of 5
    rebuilt = seeded_copy.snapshot().name
    assert rebuilt != before and seeded_copy.indexing.check()["ok"]
    assert seeded_copy.records.search("王晓明")["total"] == 1
    assert seeded_copy.public_path.exists()  # the rebuild wrote the public file too
    seeded_copy.imports.import_paths([DATA / "hubei-2019-2020-honorees.json"])  # 2 of 8
    assert seeded_copy.snapshot().name == rebuilt and seeded_copy.indexing.check()["ok"]
    assert seeded_copy.records.search("欧阳晓明")["total"] == 1


def test_a_bulk_rebuild_that_fails_leaves_the_work_queued(seeded_copy, monkeypatch):
    from index import build
    from archive.services.imports import IndexPending
    seeded_copy.settings.update(BULK_INDEX_MIN=2, BULK_INDEX_SHARE=0.5)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(build, "rebuild", broken)
    with pytest.raises(IndexPending):
        seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    assert seeded_copy.db["entries"].count == 8  # stored: all or nothing for the store
    assert not seeded_copy.indexing.check()["ok"]  # the index is behind, the queue says so
    monkeypatch.undo()
    seeded_copy.settings.update(BULK_INDEX_MIN=10_000)
    assert seeded_copy.indexing.repair()["pending"] == 3
    assert seeded_copy.indexing.check()["ok"]
