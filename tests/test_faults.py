"""Faults and concurrency: searches during re-index and imports, SIGKILL, parallel imports."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from archive.archive import Archive
from index import snapshots

from conftest import DATA, PASSWORD, ROOT, csrf, gunicorn, login

sys.path.insert(0, str(ROOT / "scripts"))
import make_corpus  # noqa: E402

pytestmark = pytest.mark.slow  # minutes: `pytest -m "not slow"` skips them locally


def _cli(home, *args, wait=True):
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    cmd = [sys.executable, "-m", "archive.cli", *map(str, args)]
    if not wait:  # its own process group: the test can tell when all of it is gone
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


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
            rebuild = _cli(bigger.home, "reindex", wait=False)
            first = _cli(bigger.home, "import", DATA / "sichuan-2019-2020-candidates.txt")
            second = _cli(bigger.home, "import", DATA / "hubei-2019-2020-honorees.json")
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


def test_sigkill_during_reindex_leaves_live_snapshot_serving(bigger):
    root = bigger.index_root
    live = snapshots.live_name(root)
    proc = _cli(bigger.home, "reindex", wait=False)
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
    done = _cli(bigger.home, "reindex")
    assert done.returncode == 0, done.stderr
    assert not partial.exists()  # …and cleaned up by the next rebuild
    assert snapshots.live_name(root) != live
    assert _cli(bigger.home, "check").returncode == 0


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
                          content_type="multipart/form-data").get_data(as_text=True)
    upload = re.search(r'/admin/upload/([0-9a-f]+)/confirm', preview).group(1)
    cli = _cli(seeded_copy.home, "import", DATA / "sichuan-2019-2020-candidates.txt",
               DATA / "hubei-2019-2020-honorees.json", wait=False)
    r = client.post(f"/admin/upload/{upload}/confirm", data={"csrf_token": token})
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    assert r.status_code == 302
    db = Archive(seeded_copy.home)
    assert db.db["entries"].count == 10
    names = [r["name"] for r in db.db.query("select name from entries")]
    assert len(names) == len(set(names)) + 1  # 李玉柱 twice: Beijing and Sichuan, no copies
    assert db.check()["ok"]
    db.close()


def test_clients_that_stop_reading_the_biggest_export_do_not_take_the_site_down(tmp_path):
    """Two connections ask for the biggest export and never read it; the site answers."""
    import socket
    home = tmp_path / "instance"
    archive = Archive(home)
    archive.imports.init()
    citation = "该同志扎根一线，耐心解答用户咨询，妥善处理用户投诉。" * 120  # ~3,000 characters
    doc = {"notice": {"title": "关于表彰2019-2020年度全国用户满意电信服务明星的通报（虚构测试数据）",
                      "publisher": "工业和信息化部", "published": "2021-01-15",
                      "stage": "honorees"},
           "entries": [{"kind": "individual", "name": f"慢读者{i:04d}",
                        "company": "中国电信股份有限公司北京分公司", "citation": citation}
                       for i in range(2500)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    archive.imports.import_paths([path])
    archive.close()
    with gunicorn(home) as url:
        port = int(url.rsplit(":", 1)[1])
        stalled = []
        for _ in range(2):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET /export/search.csv?q= HTTP/1.1\r\nHost: localhost\r\n\r\n")
            stalled.append(sock)
        time.sleep(3)  # the server has filled what the kernel buffers, and waits
        start = time.monotonic()
        with urllib.request.urlopen(url + "/", timeout=30) as r:
            assert r.status == 200
        assert time.monotonic() - start < 1.0
        for sock in stalled:
            sock.close()


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


def test_an_import_killed_at_any_point_leaves_no_drift_after_the_next_command(seeded_copy,
                                                                             tmp_path):
    home = seeded_copy.home
    seeded_copy.close()
    versions = [_big_notice(tmp_path / f"big-{v}.json", v) for v in (1, 2)]
    started = time.monotonic()
    done = _cli(home, "import", versions[0])
    assert done.returncode == 0, done.stderr
    full = time.monotonic() - started
    rng = __import__("random").Random(20261127)
    outcomes = []
    for round_ in range(10):
        proc = _cli(home, "import", versions[(round_ + 1) % 2], wait=False)
        time.sleep(rng.uniform(0.05, full))  # anywhere from start-up to the index commit
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps it and closes its pipes
        outcomes.append(proc.returncode)
        small = tmp_path / f"small-{round_}.csv"
        small.write_text(f"# title: 关于2021-2022年度全国用户满意电信服务明星的表彰通报（第{round_}批）\n"
                         "# publisher: 工业和信息化部\n# published: 2023-05-18\n"
                         f"kind,name,company\nindividual,接续{round_},中国移动\n", "utf-8")
        after = _cli(home, "import", small)  # the next command completes pending index work
        assert after.returncode == 0, after.stderr
        check = _cli(home, "check")
        assert check.returncode == 0, (round_, check.stdout, check.stderr)
    assert outcomes.count(-signal.SIGKILL) >= 5  # most rounds were really cut short


def test_an_import_stored_but_not_indexed_says_so_and_repair_finishes_it(runner, home,
                                                                        monkeypatch):
    from archive.archive import Archive
    from conftest import DATA
    runner("init")

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")
    working = Archive.drain_index
    monkeypatch.setattr(Archive, "drain_index", disk_full)
    out = runner("import", DATA / "sichuan-2019-2020-candidates.txt")
    assert out.exit_code == 1
    assert "导入已存入档案" in out.output and "archive check --repair" in out.output
    assert "未导入任何内容" not in out.output
    monkeypatch.setattr(Archive, "drain_index", working)
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
