"""One settings loader (config.load) that the web app, publishing and the parsing sandbox
all read: a setting in the instance's config.py reaches each of them."""

import json

from archive.archive import Archive
from archive.web import create_app


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
