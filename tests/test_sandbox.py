"""No file can hang or exhaust the archive: parsing in a sandbox with limits (sandbox.py),
the preview's parse kept for confirm, confirm and cancel exclusive (uploads.py)."""

import io
import re
import time

import hostile_files as hf
import notice_files as nf
import pytest

from archive import sandbox
from archive.ingest import ParseError
from conftest import csrf

META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def _parse(name, data, **limits):
    [result] = sandbox.parse_all([((name, data), [], META)], limits)
    return result


def test_a_file_that_parses_too_long_is_stopped_at_the_time_limit():
    started = time.monotonic()
    result = _parse("grid.pdf", hf.ruled_grid_pdf(), seconds=3)
    assert isinstance(result, sandbox.LimitExceeded)
    assert str(result) == "grid.pdf：文件过大或结构异常，解析超过 3 秒，已停止；没有导入任何内容"
    assert time.monotonic() - started < 6


def test_a_pdf_whose_objects_refer_to_each_other_is_refused_at_once():
    started = time.monotonic()
    result = _parse("loop.pdf", hf.looping_pdf(), seconds=30)
    assert str(result) == "loop.pdf：PDF 的对象互相引用成环，文件结构异常，拒绝导入"
    assert time.monotonic() - started < 5


def test_a_pdf_stream_that_unpacks_to_hundreds_of_megabytes_is_refused():
    result = _parse("bomb.pdf", hf.stream_bomb_pdf(), seconds=30)
    assert str(result) == "bomb.pdf：PDF 中有数据流解压后超过 64 MB，文件结构异常，拒绝导入"


def test_a_merge_over_the_whole_sheet_fills_only_the_cells_the_sheet_has():
    from archive.ingest.tables import fill_merged
    assert fill_merged([["a", "b"], ["c", ""]], [(0, 0, 1048575, 16383)]) == \
        [["a", "a"], ["a", "a"]]
    started = time.monotonic()
    result = _parse("merge.xlsx", hf.merge_bomb_xlsx(), seconds=30, memory_mb=600)
    # Every cell is A1's 序号 as Excel shows it: no list, refused at once (it took
    # gigabytes before).
    assert isinstance(result, ParseError) and not isinstance(result, sandbox.LimitExceeded)
    assert str(result) == "merge.xlsx：字段 姓名：工作表中没有名单：没有找到含“姓名”或“班组名称”的表头"
    assert time.monotonic() - started < 10


def test_good_files_after_a_refused_one_in_another_import_still_parse():
    assert isinstance(_parse("grid.pdf", hf.ruled_grid_pdf(), seconds=2), sandbox.LimitExceeded)
    assert len(_parse("名单.xlsx", nf.xlsx_list()).entries) == 9


def test_the_cli_refuses_a_hostile_file_clearly_and_stores_nothing(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_PARSE_SECONDS", "3")
    path = tmp_path / "grid.pdf"
    path.write_bytes(hf.ruled_grid_pdf())
    flags = sum((["--" + k, v] for k, v in META.items()), [])
    out = runner("import", str(path), *flags)
    assert out.exit_code == 1 and "解析超过 3 秒" in out.output and "未导入任何内容" in out.output
    assert runner("notices", "--json").output.strip() == "[]"


def _upload(client, data, name):
    return client.post("/admin/upload", data={
        "csrf_token": csrf(client), "notice": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True)


def test_a_hostile_upload_is_refused_and_the_site_keeps_answering(logged_in, app):
    app.config["PARSE_SECONDS"] = 3  # the app's settings are its services' settings
    r = _upload(logged_in, hf.ruled_grid_pdf(), "grid.pdf")
    assert r.status_code == 400 and "解析超过 3 秒" in r.get_data(as_text=True)
    assert logged_in.get("/api/search?q=李玉柱").get_json()["total"] == 1


def test_confirm_applies_what_the_preview_read_without_parsing_again(logged_in, app, monkeypatch):
    body = _upload(logged_in, nf.commendation_html(), "通报.html").get_data(as_text=True)
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    calls = []
    real = sandbox.parse_all
    monkeypatch.setattr(sandbox, "parse_all", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert logged_in.get(f"/admin/upload/{token}").status_code == 200  # the preview again
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    assert r.status_code == 302 and calls == []


def test_confirm_and_cancel_of_one_preview_are_exclusive(logged_in, app):
    body = _upload(logged_in, nf.commendation_html(), "通报.html").get_data(as_text=True)
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    assert logged_in.post(f"/admin/upload/{token}/cancel",
                          data={"csrf_token": csrf(logged_in)}).status_code == 302
    late = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    assert late.status_code == 404
    assert not [n for n in logged_in.get("/api/notices").get_json() if n["doc_number"]]


def test_a_claimed_preview_cannot_be_claimed_again(tmp_path):
    from archive import uploads
    token = uploads.stage(tmp_path, "editor", [("a.html", b"<p>x</p>")], {})
    folder, _ = uploads.open_preview(tmp_path, token, "editor")
    taken = uploads.claim(folder)
    with pytest.raises(uploads.Gone):
        uploads.claim(folder)
    assert (tmp_path.stat().st_mode & 0o777) == 0o700
    assert ((taken / "file0").stat().st_mode & 0o777) == 0o600


def test_word_merged_cells_are_read_as_the_table_is():
    from archive.ingest import parse_bytes
    parsed = parse_bytes(hf.merged_docx(rows=5), "名单.docx", META)
    assert [(e["name"], e["company"]) for e in parsed.entries] == \
        [(f"测试{r:04d}", "中国电信湖南分公司") for r in range(1, 6)]
    # A cell claiming a billion columns reaches the table's three: the row it covers is
    # lost (its name is pushed out), the rest is read, at once.
    huge = parse_bytes(hf.merged_docx(rows=3, grid_span=1_000_000_000), "名单.docx", META)
    assert [e["name"] for e in huge.entries] == ["测试0002", "测试0003"]
    first = parse_bytes(hf.merged_docx(rows=2, first_row_merged=True), "名单.docx", META)
    assert [e["name"] for e in first.entries] == ["测试0001", "测试0002"]
