"""Releases and read-only replicas (archive/services/releases.py): the primary writes a
release per index generation; replicas follow it from a folder or over HTTP, check every
checksum, switch atomically, refuse a corrupt release and keep serving."""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import DATA, cli_process, free_port, gunicorn


def _get(url):
    url = urllib.parse.quote(url, safe=":/?=&")
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _release_of(base):
    return json.loads(_get(base + "/healthz")[1])["release"]


def test_a_release_holds_the_store_the_index_and_the_public_file_with_checksums(
        seeded_copy, tmp_path):
    folder = tmp_path / "releases"
    first = seeded_copy.releases.release(folder)
    manifest = json.loads((first / "manifest.json").read_text())
    assert (folder / "LATEST").read_text().strip() == first.name == manifest["name"]
    assert {"archive.db", "archive-public.db"} <= set(manifest["files"])
    assert any(path.startswith("index/") for path in manifest["files"])
    assert manifest["entries"] == 5
    seeded_copy.settings["RELEASES_KEEP"] = 2
    names = [seeded_copy.releases.release(folder).name for _ in range(2)]
    kept = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert kept == sorted(names)  # the oldest removed


def test_a_fresh_replica_follows_and_refuses_to_write(seeded_copy, tmp_path, monkeypatch):
    folder = tmp_path / "releases"
    name = seeded_copy.releases.release(folder).name
    replica = tmp_path / "replica"
    monkeypatch.setenv("ARCHIVE_READ_ONLY", "1")
    done = cli_process(replica, "follow", folder)
    assert done.returncode == 0 and f"release {name} installed" in done.stdout
    assert "李玉柱" in cli_process(replica, "search", "李玉柱").stdout
    refused = cli_process(replica, "import", DATA / "beijing-2017-2018-honorees.csv")
    assert refused.returncode == 1 and "只读副本" in refused.stderr
    assert not (replica / "admin.db").exists()
    from conftest import make_app
    client = make_app(replica, READ_ONLY=1).test_client()
    assert client.get("/admin/login").status_code == 404
    assert client.get("/healthz").get_json()["release"] == name


@pytest.mark.slow
def test_two_replicas_follow_the_primary_without_a_failed_request(seeded_copy, tmp_path,
                                                                  monkeypatch):
    folder = tmp_path / "releases"
    first = seeded_copy.releases.release(folder).name
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monkeypatch.setenv("ARCHIVE_READ_ONLY", "1")
    sources = {tmp_path / "a": str(folder), tmp_path / "b": f"http://127.0.0.1:{port}"}
    followers = []
    try:
        for home, source in sources.items():
            deadline = time.monotonic() + 20
            while cli_process(home, "follow", source).returncode != 0:  # http.server starting
                assert time.monotonic() < deadline
                time.sleep(0.2)
        followers = [cli_process(home, "follow", source, "--every", "1", wait=False)
                     for home, source in sources.items()]
        with gunicorn(tmp_path / "a", workers=2) as a, gunicorn(tmp_path / "b", workers=2) as b:
            replicas = [a, b]
            for base in replicas:
                assert _release_of(base) == first
                assert _get(base + "/admin/login")[0] == 404
            failures, stop = [], threading.Event()

            def load(base):
                while not stop.is_set():
                    for path in ("/search?q=李玉柱", "/api/search?q=联通", "/cycles/2017-2018"):
                        status, _ = _get(base + path)
                        if status != 200:
                            failures.append((base, path, status))
            threads = [threading.Thread(target=load, args=(base,)) for base in replicas]
            for thread in threads:
                thread.start()
            try:
                seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
                second = seeded_copy.releases.release(folder).name
                deadline = time.monotonic() + 30
                while {_release_of(base) for base in replicas} != {second}:
                    assert time.monotonic() < deadline, [_release_of(base) for base in replicas]
                    time.sleep(0.3)
                time.sleep(1)  # the load goes on over the new release
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
            assert failures == []
            for base in replicas:
                assert "王晓明" in _get(base + "/search?q=王晓明")[1]
            for follower in followers:
                follower.terminate()
                follower.wait(10)
            # A release cut short: refused, and the replicas keep serving the one they have.
            broken = seeded_copy.releases.release(folder)
            store = broken / "archive.db"
            store.write_bytes(store.read_bytes()[:4096])
            for home, source in sources.items():
                refused = cli_process(home, "follow", source)
                assert refused.returncode == 1 and "not the file the manifest" in refused.stderr
            for base in replicas:
                assert _release_of(base) == second
                assert _get(base + "/search?q=王晓明")[0] == 200
    finally:
        for follower in followers:
            if follower.poll() is None:
                follower.kill()
            for stream in (follower.stdout, follower.stderr):
                stream.close()
        server.terminate()
        server.wait(10)
