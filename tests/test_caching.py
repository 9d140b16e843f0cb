"""HTTP caching (archive/web/caching.py): ETags from the index generation, Cache-Control
with s-maxage for shared caches, 304 before rendering, nothing shared for admins and
sessions; and deploy/nginx.conf's proxy_cache in front of gunicorn."""

import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import DATA, ROOT, free_port, gunicorn, login, make_app


def test_a_public_page_has_a_generation_etag_and_answers_304(seeded_copy):
    client = make_app(seeded_copy.home).test_client()
    first = client.get("/cycles/2017-2018")
    assert first.status_code == 200
    tag = first.headers["ETag"]
    cache = first.headers["Cache-Control"]
    assert cache.startswith("public") and "s-maxage=300" in cache and "max-age=60" in cache
    assert "Accept-Encoding" in first.headers["Vary"] and first.headers["Last-Modified"]
    again = client.get("/cycles/2017-2018", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    api = client.get("/api/cycles")
    assert api.headers["ETag"] != tag and "s-maxage" in api.headers["Cache-Control"]
    export = client.get("/export/cycles/2017-2018.csv")
    assert export.headers["ETag"] and export.headers["Cache-Control"].startswith("public")
    # An import moves the generation: the old ETag no longer matches.
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    changed = client.get("/cycles/2017-2018", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "王晓明" in changed.get_data(as_text=True)


def test_a_gzipped_answer_revalidates_too(seeded_copy):
    """Compression marks the ETag (":gzip"); a browser sends it back and gets 304."""
    client = make_app(seeded_copy.home).test_client()
    headers = {"Accept-Encoding": "gzip"}
    first = client.get("/search?q=联通", headers=headers)
    assert first.headers["Content-Encoding"] == "gzip"
    tag = first.headers["ETag"]
    again = client.get("/search?q=联通", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304


def test_admins_sessions_and_errors_are_never_shared(client, admin_user):
    assert client.get("/no-such-page").headers["Cache-Control"] == "private, no-store"
    assert client.get("/admin/login").headers["Cache-Control"] == "private, no-store"
    login(client)
    for path in ("/admin/", "/", "/api/cycles"):  # a logged-in admin's answers are private
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
    assert client.get("/healthz").headers["Cache-Control"] == "private, no-store"


@pytest.mark.slow
def test_nginx_serves_from_its_cache_revalidates_and_picks_up_an_import(seeded_copy,
                                                                        tmp_path,
                                                                        monkeypatch):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert shutil.os.path.exists(nginx), "make test installs Debian's nginx"
    monkeypatch.setenv("ARCHIVE_CACHE_S_MAXAGE", "2")
    with gunicorn(seeded_copy.home, workers=1) as upstream:
        port = free_port()
        conf = (ROOT / "deploy" / "nginx.conf").read_text("utf-8")
        for old, new in (("worker_processes auto;", "worker_processes 1; daemon off;"),
                         ("/run/honors-nginx.pid", str(tmp_path / "nginx.pid")),
                         ("/var/log/nginx/honors-error.log", str(tmp_path / "error.log")),
                         ("/var/cache/nginx/", str(tmp_path) + "/"),
                         ("127.0.0.1:8000", upstream.removeprefix("http://")),
                         ("listen 80;", f"listen 127.0.0.1:{port};")):
            assert old in conf, old
            conf = conf.replace(old, new)
        if shutil.os.geteuid() == 0:  # as root, workers would switch to www-data
            conf = "user root;\n" + conf
        (tmp_path / "nginx.conf").write_text(conf, "utf-8")
        proc = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                                stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base)

            def get(path):
                with urllib.request.urlopen(base + path, timeout=10) as r:
                    return r.headers["X-Cache-Status"], r.read().decode("utf-8")

            for path in ("/cycles/2017-2018", "/api/cycles", "/export/cycles/2017-2018.csv"):
                assert get(path)[0] == "MISS", path
                assert get(path)[0] == "HIT", path  # served by nginx, not Python
            time.sleep(3.5)  # past s-maxage: nginx asks again with the ETag, the app says 304
            assert get("/cycles/2017-2018")[0] == "REVALIDATED"  # (nginx counts whole seconds)
            assert get("/cycles/2017-2018")[0] == "HIT"
            from archive.archive import Archive
            archive = Archive(seeded_copy.home)
            archive.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
            archive.close()
            status, body = get("/cycles/2017-2018")
            assert status == "HIT" and "王晓明" not in body  # still the cached copy …
            time.sleep(3.5)
            deadline = time.monotonic() + 10
            while "王晓明" not in body and time.monotonic() < deadline:
                status, body = get("/cycles/2017-2018")  # … until it expires
                time.sleep(0.3)
            assert "王晓明" in body and status in ("EXPIRED", "UPDATING", "STALE", "HIT")
        finally:
            proc.terminate()
            proc.wait(10)


def _wait(base, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_static_files_are_versioned_in_their_url_and_cached_for_a_year(client):
    """Pages link static files with their content's hash (?v=…); that URL is cached for a
    year (immutable), so a new release's file is a new URL, never a stale copy."""
    import re
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/style\.css\?v=([0-9a-f]{12}))"', html)
    js = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{12})"', html)
    assert css and js
    with client.get(css.group(1)) as fresh:
        assert fresh.status_code == 200
        assert "max-age=31536000" in fresh.headers["Cache-Control"]
        assert "immutable" in fresh.headers["Cache-Control"]
        assert "private" not in fresh.headers["Cache-Control"]
    with client.get("/static/style.css?v=000000000000") as stale:
        assert "immutable" not in stale.headers.get("Cache-Control", "")
