"""One settings loader (config.load) that the web app, publishing and the parsing sandbox
all read: a setting in the instance's config.py reaches each of them."""

import json

import pytest

from archive.archive import Archive
from archive.web import create_app
from conftest import ROOT, make_app


def test_an_instance_setting_reaches_the_site_the_public_file_and_the_sandbox(seeded_copy,
                                                                             monkeypatch):
    home = seeded_copy.home
    (home / "config.py").write_text('DATA_LICENSE = "ODbL-1.0"\n'
                                    'DATA_LICENSE_URL = "https://opendatacommons.org/licenses/odbl/"\n'
                                    "PARSE_SECONDS = 7\n", "utf-8")
    monkeypatch.setenv("ARCHIVE_PARSE_MEMORY_MB", "900")
    app = create_app({"ARCHIVE_HOME": str(home), "SECRET_KEY": "test-only-key"})
    assert app.config["DATA_LICENSE"] == "ODbL-1.0"
    assert "ODbL-1.0" in app.test_client().get("/data").get_data(as_text=True)
    archive = Archive(home)
    archive.publishing.publish()
    metadata = json.loads(archive.public_path.with_name("metadata.json").read_text("utf-8"))
    assert metadata["license"] == "ODbL-1.0"
    assert archive.imports.parse_limits == {"seconds": 7, "cpu_seconds": 60, "memory_mb": 900}
    archive.close()


# -- every setting, set in each place, read back through every consumer -------------

def _values(tag):
    """A value for every setting, of its type and unlike its default."""
    from archive import config
    out = {}
    for name, (default, _) in config.SETTINGS.items():
        out[name] = default + 7 if isinstance(default, (int, float)) \
            else f"{tag}-{name.lower()}"
    out["BASE_URL"] = f"https://{tag}.example.org"
    # A replica runs no jobs: READ_ONLY has a test of its own below.
    out["READ_ONLY"] = 0
    out["DATA_LICENSE_URL"] = f"https://{tag}.example.org/license"
    return out


def _consumers(home, monkeypatch):
    """{consumer: its settings mapping}: the web app, a request's application object,
    the CLI's, a job thread's, as each reads them."""
    import threading
    from archive import jobs
    from archive.web.context import get_archive
    app = create_app({"ARCHIVE_HOME": str(home), "SECRET_KEY": "test-only-key"})
    with app.app_context():
        request_settings = dict(get_archive().settings)
    cli = Archive(home)  # what `archive …` commands make
    seen, done = {}, threading.Event()

    def work(job_archive, progress):
        seen.update(job_archive.settings)
        done.set()
    jobs.start(cli, "tester", "reindex", work)
    assert done.wait(30)
    cli.close()
    return {"web app": dict(app.config), "request": request_settings,
            "cli": dict(Archive(home).settings), "job": seen}


def test_every_setting_from_the_instance_file_reaches_every_consumer(tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_PUBLISH_IN_BACKGROUND")  # conftest's, over every file
    home = tmp_path / "instance"
    home.mkdir()
    wanted = _values("file")
    (home / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in wanted.items()),
                                    "utf-8")
    for consumer, settings in _consumers(home, monkeypatch).items():
        assert {k: settings[k] for k in wanted} == wanted, consumer


def test_the_environment_overrides_the_file_for_every_consumer(tmp_path, monkeypatch):
    home = tmp_path / "instance"
    home.mkdir()
    (home / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in _values("file").items()),
                                    "utf-8")
    wanted = _values("env")
    for name, value in wanted.items():
        monkeypatch.setenv(f"ARCHIVE_{name}", str(value))
    for consumer, settings in _consumers(home, monkeypatch).items():
        assert {k: settings[k] for k in wanted} == wanted, consumer


def test_publishing_and_logins_follow_the_instance_file(seeded_copy):
    """The published metadata.json and the login limits read what the file says (not the
    defaults): the consumers that once read their own copy of the settings."""
    home = seeded_copy.home
    (home / "config.py").write_text('DATA_LICENSE = "ODbL-1.0"\nBASE_URL = '
                                    '"https://honors.example.org"\nLOGIN_ATTEMPTS = 1\n'
                                    "LOGIN_BACKOFF = 600\n", "utf-8")
    archive = Archive(home)
    try:
        archive.publishing.publish()
        metadata = json.loads(archive.publishing.metadata_path.read_text("utf-8"))
        assert (metadata["license"], metadata["source_url"]) == \
            ("ODbL-1.0", "https://honors.example.org")
        archive.accounts.create("editor", "correct horse battery")
        from archive.services.accounts import AuthError, Throttled
        with pytest.raises(AuthError) as first:
            archive.accounts.login("editor", "wrong password!", "203.0.113.5")
        assert not isinstance(first.value, Throttled)
        with pytest.raises(Throttled):  # one attempt allowed, then a 600 s wait
            archive.accounts.login("editor", "correct horse battery", "203.0.113.5")
    finally:
        archive.close()


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


def test_read_only_in_the_instance_file_makes_a_replica_for_the_site_and_the_cli(
        seeded_copy, runner):
    (seeded_copy.home / "config.py").write_text("READ_ONLY = 1\n", "utf-8")
    app = create_app({"ARCHIVE_HOME": str(seeded_copy.home), "SECRET_KEY": "test-only-key"})
    assert app.test_client().get("/admin/login").status_code == 404
    assert Archive(seeded_copy.home).read_only
    out = runner("reindex")
    assert out.exit_code == 1 and "只读副本" in out.output


def test_a_demo_instance_banners_every_page_and_the_real_one_none(seeded_copy, monkeypatch):
    from archive.config import from_environment
    assert from_environment({"ARCHIVE_DEMO": "1"}) == {"DEMO": 1}
    real = make_app(seeded_copy.home).test_client()
    demo = make_app(seeded_copy.home, DEMO=True).test_client()
    for url in ("/", "/search?q=李玉柱", "/stats", "/notices", "/about"):
        assert "示例数据（虚构）" in demo.get(url).get_data(as_text=True), url
        assert "示例数据（虚构）" not in real.get(url).get_data(as_text=True), url


def test_make_demo_builds_a_separate_instance_of_generated_notices_only(tmp_path):
    """`make demo-instance` (what `make demo` serves): generated notices, in its own folder,
    without the bundled real notice."""
    import sqlite3
    import subprocess
    home = tmp_path / "demo"
    done = subprocess.run(["make", "demo-instance", f"DEMO_HOME={home}", "ENTRIES=40"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(home / "archive.db")
    titles = [t for (t,) in db.execute("select title from notices")]
    assert titles and all("合成数据" in t for t in titles)
    assert db.execute("select count(*) from entries").fetchone()[0] >= 40
