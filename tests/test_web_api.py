"""The JSON API: same data as the CLI and pages, validated against /api/openapi.json."""

import json

import jsonschema
import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from archive.cli import main


@pytest.fixture(scope="module")
def spec(shared_client):
    document = shared_client.get("/api/openapi.json").get_json()
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def _check(spec, path, method_path, response):
    """Validate a response body against the schema the spec declares for it."""
    operation = spec["paths"][method_path]["get"]
    declared = operation["responses"][str(response.status_code)]
    if "$ref" in declared:
        declared = spec["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    schema = dict(declared["content"]["application/json"]["schema"])
    schema["components"] = spec["components"]
    jsonschema.Draft202012Validator(schema).validate(response.get_json())


def test_real_responses_match_the_spec(shared_client, spec):
    ids = [h["id"] for h in shared_client.get("/api/search?q=").get_json()["results"]]
    notice_id = shared_client.get("/api/notices").get_json()[0]["id"]
    calls = [
        ("/api/search?q=李玉柱", "/api/search"),
        ("/api/search?q=投诉&operator=中国电信&per_page=1&page=2", "/api/search"),
        ("/api/search?q=李玉柱+密云", "/api/search"),
        ("/api/search?page=0", "/api/search"),
        ("/api/search?sort=random", "/api/search"),
        ("/api/cycles", "/api/cycles"),
        ("/api/cycles/2017-2018", "/api/cycles/{cycle}"),
        ("/api/cycles/2017-2018?kind=team", "/api/cycles/{cycle}"),
        ("/api/cycles/1900-1901", "/api/cycles/{cycle}"),
        ("/api/notices", "/api/notices"),
        (f"/api/notices/{notice_id}", "/api/notices/{id}"),
        ("/api/notices/nope", "/api/notices/{id}"),
        ("/api/honorees/nope", "/api/honorees/{id}"),
    ] + [(f"/api/honorees/{i}", "/api/honorees/{id}") for i in ids]
    for url, path in calls:
        r = shared_client.get(url)
        assert r.status_code in (200, 400, 404), url
        _check(spec, url, path, r)


def test_api_search_is_the_cli_json(shared_client, seeded_template, monkeypatch):
    monkeypatch.setenv("ARCHIVE_HOME", str(seeded_template))
    for query in ("李玉柱", "投诉", "聯通"):
        cli = CliRunner().invoke(main, ["search", query, "--json"])
        assert cli.exit_code == 0
        assert json.loads(cli.output) == shared_client.get(f"/api/search?q={query}").get_json()
    cli = CliRunner().invoke(main, ["search", "投诉", "--operator", "中国电信", "--kind", "team",
                                    "--json"])
    api = shared_client.get("/api/search?q=投诉&operator=中国电信&kind=team").get_json()
    assert json.loads(cli.output) == api and api["total"] == 1


def test_honoree_api_has_source_and_related(shared_client):
    hit = shared_client.get("/api/search?q=张娜").get_json()["results"][0]
    body = shared_client.get(f"/api/honorees/{hit['id']}").get_json()
    assert body["name"] == "张娜" and body["birth"] == "1981-10-11"
    assert body["source"]["publisher"] == "北京市通信管理局"
    assert body["source"]["published"] == "2018-10-24"
    assert body["related"] == []


@pytest.mark.parametrize("url", ["/api/search?page=x", "/api/search?per_page=1000",
                                 "/api/search?q=" + "a" * 201, "/api/search?kind=a&kind=b",
                                 "/api/cycles/2017-2018?kind=robot"])
def test_invalid_parameters_give_400_json(shared_client, url):
    r = shared_client.get(url)
    assert r.status_code == 400 and r.is_json
    body = r.get_json()
    assert body["status"] == 400 and body["message"]


def test_related_entries_link_candidate_and_honoree(client, app, data_dir):
    from archive.archive import Archive
    a = Archive(app.config["ARCHIVE_HOME"])
    a.imports.import_paths([data_dir / "beijing-2017-2018-honorees.csv"])
    a.close()
    hits = client.get("/api/search?q=李玉柱").get_json()["results"]
    assert len(hits) == 1  # one person, shown once
    candidate = next(p for p in hits[0]["path"] if p["stage"] == "candidates")
    body = client.get(f"/api/honorees/{candidate['id']}").get_json()
    assert len(body["related"]) == 1
    page = client.get(f"/honorees/{candidate['id']}").get_data(as_text=True)
    assert "同一人的其他记录" in page and "表彰获奖" in page
