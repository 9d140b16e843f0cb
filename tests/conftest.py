"""Shared fixtures: a fresh instance folder per test, the seed notice, a CLI runner."""

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

# Imports and corrections rebuild the public file in a background process; the tests of
# that turn it on themselves (tests/test_publishing.py).
os.environ["ARCHIVE_PUBLISH_IN_BACKGROUND"] = "0"
from click.testing import CliRunner

from archive.archive import Archive
from archive.cli import main

ROOT = Path(__file__).parent.parent
SEED = Path(__file__).parent.parent / "archive" / "data" / "notices" / \
    "2018-10-24-beijing-telecom-service-stars-candidates.txt"
DATA = Path(__file__).parent / "data"
SHARED_SEED = Path(__file__).parent.parent.parent / "shared" / "seed" / SEED.name
sys.path.insert(0, str(ROOT / "scripts"))  # make_corpus, for any test module alone


@pytest.fixture
def seed_path():
    return SEED


@pytest.fixture
def data_dir():
    return DATA


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty instance folder, set as $ARCHIVE_HOME."""
    path = tmp_path / "instance"
    monkeypatch.setenv("ARCHIVE_HOME", str(path))
    return path


@pytest.fixture
def archive(home):
    """An archive initialised with the bundled (seed) notice."""
    a = Archive(home)
    a.imports.init()
    yield a
    a.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """One initialised instance folder, copied by tests that only read."""
    path = tmp_path_factory.mktemp("seeded") / "instance"
    a = Archive(path)
    a.imports.init()
    a.close()
    return path


@pytest.fixture(scope="session")
def seeded(seeded_template):
    """A read-only archive on the seed notice, shared by the whole session."""
    a = Archive(seeded_template)
    yield a
    a.close()


@pytest.fixture
def seeded_copy(seeded_template, tmp_path, monkeypatch):
    """A private copy of the initialised seed archive (cheap: no rebuild)."""
    path = tmp_path / "instance"
    shutil.copytree(seeded_template, path)
    monkeypatch.setenv("ARCHIVE_HOME", str(path))
    a = Archive(path)
    yield a
    a.close()


def cli_process(home, *args, wait=True):
    """`archive ARGS` as a process of its own on instance `home`: its CompletedProcess, or
    with wait=False the running Popen (in its own process group)."""
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    cmd = [sys.executable, "-m", "archive.cli", *map(str, args)]
    if not wait:  # its own process group: the test can tell when all of it is gone
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def runner(home):
    """Invoke the `archive` CLI in the test's instance folder."""
    cli = CliRunner()

    def invoke(*args, input=None):
        return cli.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    return invoke


def make_app(home, **config):
    """The web app of an instance folder, for tests (config: settings over the defaults)."""
    from archive.web import create_app
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(home), "SECRET_KEY": "test-only-key",
                       **config})


@pytest.fixture
def app(seeded_copy):
    """The web app on a private copy of the seed archive."""
    return make_app(seeded_copy.home)


@pytest.fixture
def mixed(seeded_copy):
    """A client on the seed's candidates plus the Beijing honorees of the same cycle
    (李玉柱 is both)."""
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    return make_app(seeded_copy.home).test_client()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def shared_client(seeded_template):
    """A client on the shared read-only seed archive (for tests that only read)."""
    return make_app(seeded_template).test_client()


PASSWORD = "correct horse battery"


def csrf_token(html):
    """The CSRF token a page's form carries."""
    import re
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def csrf(client, path="/admin/"):
    """A fresh CSRF token, read from an admin page."""
    return csrf_token(client.get(path).get_data(as_text=True))


def login(client, user="editor", password=PASSWORD, address="127.0.0.1"):
    """Log in through the form, from the given client address."""
    page = client.get("/admin/login").get_data(as_text=True)
    return client.post("/admin/login", data={"csrf_token": csrf_token(page), "username": user,
                                             "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def admin_user(app):
    """An admin account "editor" in the test app's instance."""
    from archive import auth
    a = Archive(app.config["ARCHIVE_HOME"])
    auth.create_user(a.private, "editor", PASSWORD)
    a.close()
    return "editor"


@pytest.fixture
def logged_in(client, admin_user):
    """A test client logged in as "editor"."""
    r = login(client)
    assert r.status_code == 302
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(home, workers=2):
    """wsgi:app under gunicorn on a free loopback port; yields its base URL."""
    port = free_port()
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    log = open(Path(home) / f"gunicorn-{port}.log", "w+b")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--chdir", str(ROOT), "wsgi:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError:
                break  # it answers; the test will say what is wrong
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start: " + log.read().decode()[-3000:])
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        errors = log.read().decode()
        log.close()
        if "Traceback" in errors:
            print("gunicorn log:\n" + errors[-6000:])


@pytest.fixture
def live_server(seeded_copy):
    """The app under gunicorn (2 workers) on a private copy of the seed archive."""
    with gunicorn(seeded_copy.home) as url:
        yield url


@pytest.fixture
def artifacts():
    """Git-ignored folder for screenshots."""
    path = Path(__file__).parent.parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path


def old_database(path, version):
    """An archive.db at an earlier schema version holding the seed notice, as that
    version stored it; returns the open sqlite_utils Database."""
    import sqlite3
    import sqlite_utils
    from archive import importer
    from archive.db import store
    from archive.ingest import parse_file
    current = store.connect(":memory:")
    importer.apply(current, [importer.plan(current, parse_file(SEED), "seed.txt")])
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    for migration in store.MIGRATIONS[:version]:
        migration(db)
    db.execute(f"PRAGMA user_version = {version}")
    for table in ("notices", "entries", "imports"):
        columns = set(db[table].columns_dict)
        db[table].insert_all({k: v for k, v in row.items() if k in columns}
                             for row in current.query(f"select * from {table}"))
    current.conn.close()
    return db


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """A read-only archive of the seed plus 300 synthetic entries (scripts/make_corpus.py),
    its index with a deleted document and a second segment, shared by the session."""
    import make_corpus
    out = tmp_path_factory.mktemp("corpus-notices")
    make_corpus.make(300, 7, out, notices=6)
    home = tmp_path_factory.mktemp("corpus") / "instance"
    a = Archive(home)
    a.imports.init()
    a.imports.import_paths(sorted(out.glob("*.txt")))
    li = next(a.db.query("select id from entries where name = '刘鑫鑫'"))["id"]
    a.corrections.correct(li, {"citation": "新的事迹，提到投诉。"}, "test")  # a deletion + a segment
    yield a
    a.close()


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A read-only archive of the seed and the generated hard-name list
    (tests/search_corpus.py: three cycles, both stages), re-indexed, so its public
    SQLite file is published; shared by the session."""
    import search_corpus
    home = tmp_path_factory.mktemp("generated") / "instance"
    a = Archive(home)
    a.imports.init()
    a.imports.import_paths(search_corpus.write_notices(tmp_path_factory.mktemp("generated-notices"),
                                               search_corpus.entries()))
    a.indexing.reindex()
    yield a
    a.close()


@pytest.fixture(scope="session")
def generated_client(generated):
    """A test client of the app over the `generated` archive."""
    return make_app(generated.home).test_client()


def upload(client, filename, data, attachments=(), **fields):
    """POST a notice (bytes) to the admin upload, with attachments ((name, bytes) pairs)
    and metadata fields; returns the response."""
    import io
    form = {"csrf_token": csrf(client), "notice": (io.BytesIO(data), filename), **fields}
    if attachments:
        form["attachments"] = [(io.BytesIO(blob), name) for name, blob in attachments]
    return client.post("/admin/upload", data=form, content_type="multipart/form-data",
                       follow_redirects=True)
