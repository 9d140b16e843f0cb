"""Publishing (archive/services/publishing.py, archive/publish.py): /data, full
downloads, the public SQLite file and Datasette."""

import asyncio
import concurrent.futures
import csv
import io
import json
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
            f"/archive-public/entries.json?_search={word}&_shape=objects&_size=100")
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
        files[procs] = db.execute("select * from entries order by rowid").fetchall()
        db.close()
    assert len(files[1]) > 100 and all(row[-1] for row in files[1])  # search_text filled
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
