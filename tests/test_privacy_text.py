"""What is stored and emitted is what it should be: base names only, no invisible
characters, absolute URLs only for the configured hosts."""

import json

import notice_files as nf

from archive.ingest import parse_bytes

META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def test_bidi_and_format_characters_are_stripped_from_names_and_units():
    rows = [["序号", "姓名", "单位"],
            ["1", "张\u202e三\u200e", "中国电信\u2060股份有限公司\ufeff九江分公司"]]
    [entry] = parse_bytes(nf.sheet(rows, nf.LIST1), "名单.xlsx", META).entries
    assert (entry["name"], entry["unit"]) == ("张三", "中国电信股份有限公司九江分公司")


def test_a_correction_cannot_bring_them_back(seeded_copy):
    entry = next(seeded_copy.db.query("select id from entries where name = '李玉柱'"))["id"]
    seeded_copy.corrections.correct(entry, {"position": "装维\u202e工程师"}, "editor")
    assert next(seeded_copy.db.query("select position from entries where id = ?",
                                     [entry]))["position"] == "装维工程师"


def test_only_the_base_name_of_a_file_is_stored(runner, tmp_path):
    path = tmp_path / "deep" / "folder" / "通报.html"
    path.parent.mkdir(parents=True)
    path.write_bytes(nf.commendation_html())
    assert runner("import", str(path)).exit_code == 0
    from archive.archive import Archive
    import os
    a = Archive(os.environ["ARCHIVE_HOME"])
    names = [r["source_name"] for r in a.db.query("select source_name from imports")]
    names += [r["source_name"] for r in a.db.query("select source_name from notices")]
    names += [r["name"] for r in a.db.query("select name from notice_files")]
    a.close()
    assert set(names) == {"通报.html"}
    from archive.importer import base_name
    assert base_name("C:\\Users\\王五\\Desktop\\通报.html") == "通报.html"


def test_absolute_urls_only_for_allowed_hosts(client):
    honoree = client.get("/api/search?q=李玉柱").get_json()["results"][0]["id"]
    forged = client.get(f"/api/honorees/{honoree}", headers={"Host": "evil.example"})
    text = json.dumps(forged.get_json(), ensure_ascii=False)
    assert "evil.example" not in text
    assert "evil.example" not in client.get("/feed.atom",
                                            headers={"Host": "evil.example"}).get_data(as_text=True)
    local = client.get(f"/api/honorees/{honoree}", headers={"Host": "localhost:8000"})
    assert "http://localhost:8000/honorees/" in json.dumps(local.get_json(), ensure_ascii=False)


def test_a_malformed_source_url_is_a_clear_refusal(runner, tmp_path):
    path = tmp_path / "通报.html"
    path.write_bytes(nf.commendation_html())
    out = runner("import", str(path), "--source-url", "http://[::1")
    assert out.exit_code == 1 and "来源链接（--source-url）应为 http(s) 网址" in out.output
    assert "Traceback" not in out.output


def test_a_csv_of_a_million_cells_is_refused_by_the_cell_budget():
    import pytest
    from archive.ingest import ParseError
    header = "序号,姓名," + ",".join(f"列{i}" for i in range(1998))
    row = ",".join(["x"] * 2000)
    data = (header + "\n" + "\n".join(row for _ in range(1100))).encode()
    with pytest.raises(ParseError, match="单元格总数超过"):
        parse_bytes(data, "wide.csv", {**META, "cycle": "2021-2022", "stage": "honorees"})
