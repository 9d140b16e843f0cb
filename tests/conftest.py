"""Shared fixtures: a fresh instance folder per test, the seed notice, a CLI runner."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.archive import Archive
from archive.cli import main

SEED = Path(__file__).parent.parent / "archive" / "data" / "notices" / \
    "2018-10-24-beijing-telecom-service-stars-candidates.txt"
DATA = Path(__file__).parent / "data"
SHARED_SEED = Path(__file__).parent.parent.parent / "shared" / "seed" / SEED.name


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
    a.init()
    yield a
    a.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """One initialised instance folder, copied by tests that only read."""
    path = tmp_path_factory.mktemp("seeded") / "instance"
    a = Archive(path)
    a.init()
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


@pytest.fixture
def runner(home):
    """Invoke the `archive` CLI in the test's instance folder."""
    cli = CliRunner()

    def invoke(*args, input=None):
        return cli.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    return invoke


@pytest.fixture
def app(seeded_copy):
    """The web app on a private copy of the seed archive."""
    from archive.web import create_app
    return create_app({"TESTING": True, "ARCHIVE_HOME": str(seeded_copy.home),
                       "SECRET_KEY": "test-only-key"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def shared_client(seeded_template):
    """A client on the shared read-only seed archive (for tests that only read)."""
    from archive.web import create_app
    app = create_app({"TESTING": True, "ARCHIVE_HOME": str(seeded_template),
                      "SECRET_KEY": "test-only-key"})
    return app.test_client()
