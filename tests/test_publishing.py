"""Publishing (archive/services/publishing.py, archive/publish.py): /data, full
downloads, the public SQLite file and Datasette."""

import asyncio
import concurrent.futures
import csv
import io
import json
from urllib.parse import quote
import sqlite3
import subprocess
import sys

import pytest

from conftest import make_app


def count(a, sql, *params):
    return a.db.execute(f"select count(*) from entries where {sql}", params).fetchone()[0]


def _datasette_search(path, word):
    from datasette.app import Datasette
    metadata = json.loads((path.parent / "metadata.json").read_text("utf-8"))
    ds = Datasette([str(path)], metadata=metadata)

    async def go():
        response = await ds.client.get(
            f"/archive-public/entries.json?_search={quote(word)}&_shape=objects&_size=1000")
        return response.status_code, response.json()
    # Its own thread and event loop: Playwright's sync API keeps one running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(go())).result()


def test_data_page_links_every_download(generated_client):
    html = generated_client.get("/data").get_data(as_text=True)
    for href in ("/data/honorees.csv", "/data/honorees-en.csv", "/data/honorees.xlsx",
                 "/data/honorees.json", "/data/honorees.jsonl", "/data/notices.csv",
                 "/data/notices-en.csv", "/data/notices.xlsx", "/data/notices.json",
                 "/data/datapackage.json", "/data/archive-public.db", "/data/metadata.json"):
        assert f'href="{href.replace("&", "&amp;")}"' in html, href
    assert "datasette archive-public.db -m metadata.json" in html


def test_full_downloads_hold_every_entry_and_notice(generated, generated_client):
    total = generated.db["entries"].count
    rows = list(csv.reader(io.StringIO(generated_client.get("/data/honorees.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["编号", "来源通知编号", "类别", "姓名或班组名称"] and len(rows) == total + 1
    english = generated_client.get("/data/honorees-en.csv").get_data(as_text=True)
    assert not english.startswith("\ufeff")  # for programs: csv.DictReader's first key is "id"
    rows = list(csv.DictReader(io.StringIO(english)))
    assert len(rows) == total and list(rows[0])[:3] == ["id", "notice_id", "kind"]
    data = json.loads(generated_client.get("/data/honorees.json").get_data(as_text=True))
    assert isinstance(data, list) and len(data) == total  # pandas.read_json: a row a record
    lines = generated_client.get("/data/honorees.jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in data]
    notices = json.loads(generated_client.get("/data/notices.json").get_data(as_text=True))
    assert len(notices) == generated.db["notices"].count
    assert sum(n["entries"] for n in notices) == total
    rows = list(csv.reader(io.StringIO(generated_client.get("/data/notices.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(notices) + 1


def test_public_sqlite_holds_only_public_data(generated, generated_client, tmp_path):
    with generated_client.get("/data/archive-public.db") as response:
        assert response.mimetype == "application/vnd.sqlite3"
        blob = response.get_data()
    path = tmp_path / "archive-public.db"
    path.write_bytes(blob)
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    assert {t for t in tables if not t.startswith("entries_fts")} == {"notices", "entries",
                                                                      "corrections"}
    dump = "\n".join(db.iterdump())
    for private in ("argon2", "password", "login_failures", "audit", "jobs", "session",
                    "content_hash", "index_queue", "sha256"):
        assert private not in dump, private
    assert db.execute("select count(*) from entries").fetchone()[0] == generated.db["entries"].count
    with generated_client.get("/data/metadata.json") as response:
        metadata = response.get_json()
    assert metadata["license"] and metadata["source"] and metadata["title"]
    columns = metadata["databases"]["archive-public"]["tables"]["entries"]["columns"]
    entry_columns = {r[1] for r in db.execute("pragma table_info(entries)")}
    db.close()
    assert set(columns) == entry_columns


def test_archive_publish_command(runner, seeded_copy, tmp_path):
    out = tmp_path / "pub" / "archive-public.db"
    result = runner("publish", str(out))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pub" / "metadata.json").exists()
    db = sqlite3.connect(out)
    assert db.execute("select count(*) from entries").fetchone()[0] == 5
    db.close()


def test_publishing_in_several_processes_writes_the_same_rows(generated, tmp_path):
    """The re-index segments the public file's search text in worker processes; the
    rows and their order are those of a single process."""
    files = {}
    for procs in (1, 2):
        path = tmp_path / str(procs) / "archive-public.db"
        # A process of its own: workers are forked, and this one may run other threads.
        subprocess.run([sys.executable, "-c", "import sys; from archive.archive import Archive; "
                        "Archive(sys.argv[1]).publishing.publish(sys.argv[2], procs=int(sys.argv[3]))",
                        str(generated.home), str(path), str(procs)], check=True)
        db = sqlite3.connect(path)
        rows = db.execute("select * from entries order by rowid").fetchall()
        found = {word: db.execute("select rowid from entries_fts where entries_fts match ? "
                                  "order by rowid", [f'"{word}"']).fetchall()
                 for word in ("联通", "玉柱", "投诉", "北京", "unicom")}
        files[procs] = rows, found
        db.close()
    rows, found = files[1]
    assert len(rows) > 100 and all(found.values())  # every entry's search text indexed
    assert files[1] == files[2]


@pytest.mark.parametrize("word", ["联通", "玉柱", "投诉处理", "10086"])
def test_datasette_searches_chinese_words_in_the_published_file(generated, word):
    status, data = _datasette_search(generated.public_path, word)
    assert status == 200, data
    found = {r["id"] for r in data["rows"]}
    expected = {r["id"] for r in generated.db.query(
        "select id from entries where name like ? or unit like ? or company like ? "
        "or citation like ? or position like ?", [f"%{word}%"] * 5)}
    assert expected and found == expected, (word, len(found), len(expected))


def test_data_page_says_when_the_sqlite_file_is_behind(seeded_copy, tmp_path, data_dir):
    client = make_app(seeded_copy.home).test_client()
    assert "档案现有" not in client.get("/data").get_data(as_text=True)
    seeded_copy.imports.import_paths([data_dir / "beijing-2017-2018-honorees.csv"])
    html = client.get("/data").get_data(as_text=True)
    assert "含 5 条记录；档案现有" in html
    seeded_copy.indexing.reindex()
    assert "档案现有" not in client.get("/data").get_data(as_text=True)


def test_publish_on_an_empty_store_writes_an_empty_public_file(runner, home, tmp_path):
    """`archive publish` before any import: a file with the tables and no rows (it
    failed with "No such column: notices.id")."""
    path = tmp_path / "empty.db"
    out = runner("publish", str(path))
    assert out.exit_code == 0, out.output
    assert "0 notices, 0 entries" in out.output
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("select count(*) from notices").fetchone() == (0,)
        assert conn.execute("select count(*) from entries").fetchone() == (0,)
        assert conn.execute("select count(*) from entries_fts").fetchone() == (0,)
    finally:
        conn.close()


#: The examples the README gives for Datasette's search box (## The dataset in Datasette).
README_EXAMPLES = ("联通", "中国联通", "China Unicom", "玉柱", "投诉 处理", "北京")


def test_readme_examples_find_in_datasette_what_the_site_finds(generated):
    """Each README example, typed into Datasette's search box over the public file,
    finds exactly the entries /search finds (its export: every matching entry)."""
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## The dataset in Datasette"):]
    section = section[:section.index("\n## ", 5)]
    for example in README_EXAMPLES:
        assert example in section, example
        status, data = _datasette_search(generated.public_path, example)
        assert status == 200, data
        found = {r["id"] for r in data["rows"]}
        expected = set(generated.publishing.export_ids(example, limit=100000))
        assert expected and found == expected, (example, found ^ expected)


def test_unicom_entries_are_found_by_every_alias_in_datasette(generated):
    """search_text holds the operator and its aliases, so 联通 finds every China Unicom
    entry, even one whose text never says 联通 (it said 3 of 7 before)."""
    unicom = {r["id"] for r in generated.db.query(
        "select id from entries where operator = '中国联通'")}
    for alias in ("联通", "China Unicom", "中国联合网络通信有限公司"):
        status, data = _datasette_search(generated.public_path, alias)
        assert unicom <= {r["id"] for r in data["rows"]}, alias


def test_an_import_rebuilds_the_public_file_in_the_background(seeded_copy, data_dir):
    """No admin step: an import (or a correction) starts a background rebuild; /data and
    the dashboard say a rebuild is running while it holds the lock."""
    import time
    from index.snapshots import file_lock
    seeded_copy.indexing.reindex()
    seeded_copy.instance.settings["PUBLISH_IN_BACKGROUND"] = 1
    publishing = seeded_copy.publishing
    client = make_app(seeded_copy.home, PUBLISH_IN_BACKGROUND=1).test_client()
    with file_lock(publishing.path.with_name("publish.lock")):  # a rebuild at work
        seeded_copy.imports.import_paths([data_dir / "beijing-2017-2018-honorees.csv"])
        assert publishing.public_file()["rebuilding"]
        assert "正在更新" in client.get("/data").get_data(as_text=True)
        assert publishing.public_file()["entries"] == 5  # the running one will redo it
    # The lock is free: the pending change is picked up by the next rebuild.
    process = publishing.refresh_later()
    assert process.wait(timeout=120) == 0
    deadline = time.monotonic() + 60
    while publishing.public_file()["entries"] != 8 and time.monotonic() < deadline:
        time.sleep(0.2)
    state = publishing.public_file()
    assert (state["entries"], state["rebuilding"]) == (8, False)
    assert "档案现有" not in client.get("/data").get_data(as_text=True)


def test_datasettes_default_view_lists_every_row_once(generated):
    """Page through the entries table as Datasette shows it with the shipped metadata
    (its default sort, its page size, following each next link): every entry once."""
    from datasette.app import Datasette
    path = generated.public_path
    metadata = json.loads((path.parent / "metadata.json").read_text("utf-8"))
    ds = Datasette([str(path)], metadata=metadata)

    async def every_row():
        ids, url = [], "/archive-public/entries.json?_shape=objects&_size=37"
        while url:
            data = (await ds.client.get(url)).json()
            ids += [row["id"] for row in data["rows"]]
            url = data.get("next_url")
            url = url and url.split("//", 1)[-1].split("/", 1)[-1]
            url = url and "/" + url
        return ids
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        ids = pool.submit(lambda: asyncio.run(every_row())).result()
    stored = [r[0] for r in generated.db.execute("select id from entries")]
    assert len(stored) > 37 * 3  # several pages
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(stored)
