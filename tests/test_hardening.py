"""Hostile input: fuzzed queries and imports, size limits, escaping, backup/restore."""

import random
import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.db import store
from archive.archive import Archive
from archive.markup import marked_hits
from archive.ingest import ParseError
from index.parsing import QueryError

from conftest import DATA, SEED

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SYNTAX = st.sampled_from(['"', "'", "-", "*", "?", ":", "name:", "company:", "cycle:", "kind:",
                          "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "~", "^", "\\",
                          "\u202e", "\u200f", "\x00", "\x1b", "🙂", "聯通", "李玉柱", " ", "\t",
                          "\ud7ff", "\ufffd", "％", "＂"])
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(SYNTAX, st.text(max_size=5)), max_size=20).map("".join),
    st.text(min_size=190, max_size=10000),
)


@FUZZ
@given(q=QUERIES, page=st.integers(-5, 2000), per_page=st.integers(-5, 200),
       operator=st.one_of(st.none(), st.text(max_size=80)))
def test_search_function_never_raises_anything_but_query_error(seeded, q, page, per_page,
                                                               operator):
    try:
        result = seeded.records.search(q, filters={"operator": operator}, page=page, per_page=per_page)
    except QueryError as exc:
        assert str(exc)
        return
    assert len(result["results"]) == max(0, min(per_page, result["total"] - (page - 1) * per_page))
    for hit in marked_hits(result["results"]):
        assert "<script" not in hit["snippet"]


@FUZZ
@given(q=QUERIES, page=st.text(max_size=6), kind=st.text(max_size=10),
       sort=st.sampled_from(["", "relevance", "newest", "x"]))
def test_api_and_page_answer_200_or_400(shared_client, q, page, kind, sort):
    params = {"q": q, "page": page, "kind": kind, "sort": sort}
    for path in ("/api/search", "/search"):
        r = shared_client.get(path, query_string=params)
        assert r.status_code in (200, 400), (path, params, r.status_code)
        body = r.get_data(as_text=True)
        assert "Traceback" not in body
        if r.status_code == 400 and path == "/api/search":
            assert r.get_json()["message"]


def test_oversized_query_string_is_400(shared_client):
    assert shared_client.get("/search?q=" + "字" * 3000).status_code == 400
    assert shared_client.get("/api/search?x=" + "a" * 5000).status_code == 400


# -- imports -----------------------------------------------------------------

def _blocks(text):
    """Split the seed into chrome/head and its honoree blocks."""
    parts = re.split(r"(?=全国用户满意电信服务明星(?:班组)?中国)", text)
    return parts[0], parts[1:]


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


def test_readers_do_not_block_on_a_writer(archive):
    writer = sqlite3.connect(archive.db_path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("delete from entries")
    try:
        assert archive.db["entries"].count == 5  # WAL: the reader sees the last commit
        assert archive.records.search("李玉柱")["total"] == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# -- escaping --------------------------------------------------------------------

def test_hostile_notice_text_is_escaped_everywhere(client, app):
    a = Archive(app.config["ARCHIVE_HOME"])
    a.imports.import_paths([DATA / "xss-2019-2020-candidates.txt"])
    a.close()
    hit = client.get("/api/search?q=钱多多").get_json()
    assert hit["total"] == 1
    entry_id = hit["results"][0]["id"]
    snippet = hit["results"][0]["snippet"]
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet  # the citation's script tag, shown as text
    for url in (f"/honorees/{entry_id}", "/search?q=钱多多", "/search?q=宽带",
                "/cycles/2019-2020", f"/notices/{hit['results'][0]['id'][:0]}"
                + client.get(f"/api/honorees/{entry_id}").get_json()["notice_id"],
                "/feed.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>window" not in body and "<img src=x" not in body, url
        assert '<a href="javascript:' not in body and "<svg onload" not in body, url


# -- backup and restore ------------------------------------------------------------

SEED_QUERIES = ["李玉柱", "玉柱", "liyuzhu", "lyz", "聯通", "中国电信", "投诉", "使馆", "密云",
                "鑫鑫", "zhangna", "China Mobile", '"北京联通"', "投诉 -电信", "kind:team"]


def test_backup_while_serving_and_restore_into_a_new_instance(seeded_copy, tmp_path, runner,
                                                              monkeypatch):
    original = {q: seeded_copy.records.search(q) for q in SEED_QUERIES}
    backup = tmp_path / "backup.db"
    out = runner("backup", backup)
    assert out.exit_code == 0 and backup.exists()
    assert runner("backup", backup).exit_code == 1  # never overwrites
    new_home = tmp_path / "restored"
    monkeypatch.setenv("ARCHIVE_HOME", str(new_home))
    out = runner("restore", backup)
    assert out.exit_code == 0, out.output
    restored = Archive(new_home)
    for q in SEED_QUERIES:
        mine, theirs = restored.records.search(q), original[q]
        assert [h["id"] for h in mine["results"]] == [h["id"] for h in theirs["results"]], q
        assert mine["facets"] == theirs["facets"] and mine["total"] == theirs["total"], q
    assert store.content_digest(restored.db) == store.content_digest(seeded_copy.db)
    restored.close()
    again = runner("restore", backup)
    assert again.exit_code == 1 and "new instance" in again.output
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "other"))
    out = runner("restore", bad)
    assert out.exit_code == 1 and "not" in out.output


def test_secret_key_is_generated_private(tmp_path):
    from archive.config import secret_key
    key = secret_key(tmp_path)
    assert len(key) == 64 and secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_workers_starting_together_share_one_secret_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from archive.config import secret_key
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret_key(tmp_path), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def _backup_copy(seeded_copy, tmp_path, name, change):
    import sqlite3
    path = tmp_path / name
    seeded_copy.backups.backup(path)
    conn = sqlite3.connect(path)
    change(conn)
    conn.commit()
    conn.close()
    return path


def test_a_bad_backup_is_refused_and_leaves_nothing_behind(seeded_copy, tmp_path, runner,
                                                          monkeypatch):
    def foreign_keys_broken(conn):
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("delete from notices")

    cases = {
        "future.db": (lambda conn: conn.execute("PRAGMA user_version = 99"), "newer"),
        "foreign.db": (lambda conn: conn.execute("create table evil (x)"), "unknown evil"),
        "orphans.db": (foreign_keys_broken, "foreign key"),
        "trigger.db": (lambda conn: conn.execute(
            "create trigger rename after insert on entries begin "
            "update entries set name = 'x' where id = new.id; end"), "trigger rename"),
        "view.db": (lambda conn: conn.execute("create view v as select * from entries"),
                    "view v"),
        "index.db": (lambda conn: conn.execute("create index sneaky on entries (citation)"),
                     "unknown index sneaky"),
        "column.db": (lambda conn: conn.execute("alter table entries add column note text"),
                      "unknown column entries.note"),
    }
    good = tmp_path / "good.db"
    seeded_copy.backups.backup(good)
    for name, (change, message) in cases.items():
        backup = _backup_copy(seeded_copy, tmp_path, name, change)
        home = tmp_path / f"into-{name}"
        monkeypatch.setenv("ARCHIVE_HOME", str(home))
        out = runner("restore", backup)
        assert out.exit_code == 1 and message in out.output, (name, out.output)
        assert "Traceback" not in out.output
        assert not home.exists() or not any(home.iterdir()), name
        # The same folder then takes a good backup.
        out = runner("restore", good)
        assert out.exit_code == 0, out.output


def test_control_characters_never_reach_the_store_and_the_feed_stays_xml(client, app, tmp_path,
                                                                        runner):
    import json
    import xml.etree.ElementTree as ET
    from conftest import DATA
    doc = json.loads((DATA / "hubei-2019-2020-honorees.json").read_text("utf-8"))
    doc["notice"]["title"] += "\u0000\u001b[31m"
    hostile = ["<script>alert(1)</script>\u0001", "A&B ]]> \u0085\ufffe", "王\u0000五\u001b"]
    for entry, name in zip(doc["entries"], hostile):
        entry["name"] = name
        entry["citation"] = "第一段\u0007。\n第二段\u000b。"
    doc["entries"].append({**doc["entries"][0], "name": hostile[2]})
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc, ensure_ascii=True), "utf-8")
    out = runner("import", path)
    assert out.exit_code == 0, out.output
    a = Archive(app.config["ARCHIVE_HOME"])
    rows = list(a.db.query("select name, citation from entries where cycle = '2019-2020'"))
    title = a.db.execute("select title from notices where title like '%湖北%'").fetchone()[0]
    a.close()
    stored = "".join(f"{r['name']}{r['citation']}" for r in rows) + title
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]", stored)
    assert {r["name"] for r in rows} >= {"<script>alert(1)</script>", "A&B ]]>", "王五"}
    assert all(r["citation"] == "第一段。\n第二段。" for r in rows)
    feed = client.get("/feed.atom")
    assert feed.status_code == 200
    root = ET.fromstring(feed.data)  # well-formed, whatever the names held
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("<script>alert(1)</script>" in (t or "") for t in titles)


@pytest.mark.parametrize("path", ["/search?q=a%0d%0aSet-Cookie:x", "/export/search.csv?q=%00",
                                  "/export/search.json?q=x%0ay", "/api/search?q=%0d",
                                  "/cycles/2017-2018?region=%00"])
def test_cr_lf_nul_in_a_parameter_is_a_400_with_security_headers(shared_client, path):
    r = shared_client.get(path)
    assert r.status_code == 400
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_export_filenames_are_quoted_safely(shared_client):
    r = shared_client.get('/export/search.csv?q=玉柱"; x="y')
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    plain = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", plain)
    assert disposition.count('"') == 2
    assert "filename*=UTF-8''" in disposition and "%E7%8E%89%E6%9F%B1" in disposition


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
