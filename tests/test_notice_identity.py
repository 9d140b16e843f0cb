"""A notice is the same notice in whatever format it arrives (archive/identity.py,
importer.plan): the page, then its PDF, then its workbook."""

import io
import json
import re

import notice_files as nf
import pytest

from conftest import csrf

META = ["--title", nf.TITLE, "--publisher", "工业和信息化部", "--published", "2023-05-18"]


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, data in (("通报.html", nf.commendation_html()), ("通报.pdf", nf.commendation_pdf()),
                       ("名单.xlsx", nf.xlsx_list())):
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    return out


def _notices(runner):
    return json.loads(runner("notices", "--json").output)


def test_the_page_then_its_pdf_then_its_workbook_is_one_notice(runner, files):
    first = runner("import", str(files["通报.html"]))
    assert first.exit_code == 0 and "已导入（9 条）" in first.output, first.output
    [notice] = _notices(runner)
    ids = sorted(r["id"] for r in json.loads(runner("list", "--json").output))

    pdf = runner("import", str(files["通报.pdf"]))
    assert pdf.exit_code == 0, pdf.output
    assert "通报.pdf：内容未变，未做改动（9 条）" in pdf.output
    assert f"与库中通知 {notice['id']}" in pdf.output and "文号相同（工信行建〔2023〕1号）" in pdf.output

    sheet = runner("import", str(files["名单.xlsx"]), *META)
    assert sheet.exit_code == 0, sheet.output
    assert "名单.xlsx：内容未变，未做改动（9 条）" in sheet.output
    assert "发文机关、标题和评选年度相同" in sheet.output

    assert _notices(runner) == [notice]  # one notice, its publication date kept
    assert sorted(r["id"] for r in json.loads(runner("list", "--json").output)) == ids


def test_a_changed_file_of_the_same_notice_is_its_new_version(runner, files, tmp_path):
    first = tmp_path / "通报（原）.html"
    first.write_bytes(nf.commendation_html(word_cells=False))
    runner("import", str(first))
    [notice] = _notices(runner)
    html = nf.commendation_html(word_cells=False).replace("1990.11".encode(), "1990.12".encode())
    page = tmp_path / "通报（更正）.html"
    page.write_bytes(html)
    out = runner("import", str(page))
    assert out.exit_code == 0, out.output
    assert "已导入新版本（旧版本已保留）（9 条）" in out.output and "修改 1 条" in out.output
    [again] = _notices(runner)
    assert again["id"] == notice["id"]
    wang = next(r for r in json.loads(runner("list", "--json").output) if r["name"] == "王海")
    assert wang["birth"] == "1990-12"


def test_the_wrong_publisher_of_an_earlier_import_does_not_make_a_second_notice(runner, files):
    # Imported once with the posting department as publisher (what the 来源 line says) …
    runner("import", str(files["通报.html"]), "--publisher", "信息通信管理局")
    [wrong] = _notices(runner)
    assert wrong["publisher"] == "信息通信管理局"
    # … then again as the page says: the same 文号, the same notice, publisher corrected.
    out = runner("import", str(files["通报.html"]))
    assert "已导入新版本" in out.output and "文号相同" in out.output, out.output
    [right] = _notices(runner)
    assert right["id"] == wrong["id"] and right["publisher"] == "工业和信息化部"


def test_two_files_of_one_notice_in_one_command_are_refused(runner, files):
    out = runner("import", str(files["通报.html"]), str(files["通报.pdf"]))
    assert out.exit_code == 1 and "是同一份通知" in out.output and "--attach" in out.output
    assert _notices(runner) == []


def test_a_pdf_without_a_column_keeps_what_the_notice_had(runner, files, tmp_path):
    runner("import", str(files["通报.html"]))
    rows = [["序号", "姓名", "单位"]]
    rows += [[r[1], r[2], r[3]] for r in nf.individual_rows() if r[0] == "row"]
    bare = tmp_path / "名单（无出生年月）.xlsx"
    bare.write_bytes(nf.sheet(rows, nf.LIST1))
    teams = [["序号", "班组名称"]] + [[str(i), t] for i, t in enumerate(nf.TEAMS, start=1)]
    bare_teams = tmp_path / "班组.xlsx"
    bare_teams.write_bytes(nf.sheet(teams, nf.LIST2))
    out = runner("import", str(bare), *META, "--doc-number", "工信行建[2023]1号",
                 "--attach", str(bare_teams))
    assert out.exit_code == 0, out.output
    assert "内容未变" in out.output
    assert next(r for r in json.loads(runner("list", "--json").output)
                if r["name"] == "陈志强")["birth"] == "1985-03"


def test_identity_keys():
    from archive.identity import doc_key, title_key
    assert doc_key("工信行建[2023]1号") == doc_key("工信行建〔2023〕1号") == \
        doc_key("工信行建【2023】 1号") == doc_key("工信行建（2023）1号")
    assert doc_key("工信行建〔2023〕2号") != doc_key("工信行建〔2023〕1号")
    assert doc_key(None) is None
    page = {"publisher": "工业和信息化部", "cycle": "2021-2022",
            "title": "关于表彰2021-2022年度“全国用户满意电信服务明星”的通报"}
    assert title_key(page) == title_key({**page, "title": "关于表彰 2021—2022 年度\"全国用户满意"
                                                           "電信服務明星\"的通报"})
    assert title_key(page) != title_key({**page, "cycle": "2019-2020"})


def test_the_preview_names_the_notice_it_matches_and_why(logged_in, app):
    def upload(data, name):
        return logged_in.post("/admin/upload", data={
            "csrf_token": csrf(logged_in), "notice": (io.BytesIO(data), name)},
            content_type="multipart/form-data", follow_redirects=True)
    body = upload(nf.commendation_html(), "通报.html").get_data(as_text=True)
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    r = upload(nf.commendation_pdf(), "通报.pdf")
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert "这份通知已导入且内容未变" in body and "文号相同（工信行建〔2023〕1号）" in body
    assert nf.TITLE in body


def test_a_title_typed_short_and_the_issuer_typed_as_its_short_name_find_the_notice(runner,
                                                                                      files):
    runner("import", str(files["通报.html"]))
    [notice] = _notices(runner)
    short = nf.TITLE.replace("（虚构测试数据）", "")
    out = runner("import", str(files["名单.xlsx"]), "--title", short, "--publisher", "工信部",
                 "--published", "2023-05-18")
    assert out.exit_code == 0, out.output
    assert "内容未变" in out.output and "标题一致（一个包含另一个）" in out.output
    assert _notices(runner) == [notice]
    # Another notice of the same issuer and cycle is not taken for it.
    other = runner("import", str(files["名单.xlsx"]), "--title", "关于表彰2021-2022年度优秀通信工程的通报",
                   "--publisher", "工信部", "--published", "2023-06-01")
    assert other.exit_code == 0 and "已导入（9 条）" in other.output, other.output
    assert len(_notices(runner)) == 2
