"""One entry per honoree: a page's lists and the same lists as attachments (ingest/merge.py)."""

import io
import json
import re

import notice_files as nf
import pytest

from archive.archive import Archive
from archive.ingest import parse_files
from conftest import csrf

PEOPLE = 6
TEAMS = 3


def _page_and(attachment, name="附件.xlsx"):
    return parse_files(("通报.html", nf.commendation_html()), [(name, attachment)])


@pytest.mark.parametrize("name, build", [("附件.xlsx", nf.xlsx_list), ("附件.pdf", nf.pdf_list),
                                         ("附件.docx", nf.docx_list), ("附件.xls", nf.xls_list)])
def test_a_page_and_its_attachment_give_each_honoree_once(name, build):
    parsed = _page_and(build(), name)
    kinds = [e["kind"] for e in parsed.entries]
    assert kinds.count("individual") == PEOPLE and kinds.count("team") == TEAMS
    assert len({(e["kind"], e["name"]) for e in parsed.entries}) == PEOPLE + TEAMS
    # Every honoree of the page was found again in the attachment, and says where.
    assert len(parsed.merges) == PEOPLE + TEAMS
    assert all(m.sources[0].startswith("通报.html") and m.sources[1].startswith(name)
               for m in parsed.merges)
    assert parsed.mismatches == []  # 等6名个人, 等3个班组 hold once merged


def test_fields_one_list_lacks_come_from_the_other_and_conflicts_are_shown():
    # The attachment carries 性别 and 学历 the page lacks, and another birth date for 王海.
    rows = [["序号", "姓名", "性别", "单位", "出生年月", "学历"]]
    births = {"王海": "1990.12"}
    n = 0
    for row in nf.individual_rows():
        if row[0] == "row":
            n += 1
            rows.append([str(n), row[2], "男", row[3], births.get(row[2].replace("\u3000", ""),
                                                                 row[4]), "本科"])
    sheet = nf.sheet(rows, nf.LIST1)
    parsed = _page_and(sheet)
    wang = next(e for e in parsed.entries if e["name"] == "王海")
    assert wang["gender"] == "男" and wang["education"] == "本科"
    assert wang["birth"] == "1990-11"  # the page's value wins
    merge = next(m for m in parsed.merges if m.name == "王海")
    assert set(merge.filled) == {"gender", "education"}
    [conflict] = merge.conflicts
    assert conflict.field == "birth" and [v for _, v in conflict.values] == ["1990-11", "1990-12"]
    # The admin picks the attachment's value.
    picked = parse_files(("通报.html", nf.commendation_html()), [("附件.xlsx", sheet)],
                         choices={conflict.key: 1})
    assert next(e for e in picked.entries if e["name"] == "王海")["birth"] == "1990-12"


def test_namesakes_in_different_units_stay_apart():
    rows = [["序号", "姓名", "单位"], ["1", "王海", "中国移动通信集团甘肃有限公司"]]
    parsed = _page_and(nf.sheet(rows, nf.LIST1))
    assert [e["unit"] for e in parsed.entries if e["name"] == "王海"] == \
        ["中国电信股份有限公司广东分公司", "中国移动通信集团甘肃有限公司"]


def test_a_list_repeated_on_two_sheets_is_read_once():
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(nf.xlsx_list()))
    copy = book.copy_worksheet(book["明星"])
    copy.title = "明星（续）"
    buf = io.BytesIO()
    book.save(buf)
    parsed = parse_files(("附件.xlsx", buf.getvalue()), (),
                         {"title": nf.TITLE, "publisher": "工业和信息化部",
                          "published": "2023-05-18"})
    assert len(parsed.entries) == PEOPLE + TEAMS and len(parsed.merges) == PEOPLE


def test_the_cli_says_what_it_merged_and_stores_each_honoree_once(runner, tmp_path):
    page, sheet = tmp_path / "通报.html", tmp_path / "附件.xlsx"
    page.write_bytes(nf.commendation_html())
    sheet.write_bytes(nf.xlsx_list())
    out = runner("import", str(page), "--attach", str(sheet))
    assert out.exit_code == 0, out.output
    assert "通报.html：已导入（9 条）" in out.output
    assert "9 条在网页与附件中重复，已合并" in out.output
    assert "陈志强：通报.html：表格 1 + 附件.xlsx：工作表 明星" in out.output
    rows = json.loads(runner("list", "--json").output)
    assert len(rows) == 9
    stats = runner("search", "--json", "--kind", "individual", "").output
    assert json.loads(stats)["total"] == PEOPLE


def test_the_preview_shows_the_merge_and_the_confirm_stores_each_honoree_once(logged_in, app,
                                                                             tmp_path):
    r = logged_in.post("/admin/upload", data={
        "csrf_token": csrf(logged_in), "notice": (io.BytesIO(nf.commendation_html()), "通报.html"),
        "attachments": [(io.BytesIO(nf.xlsx_list()), "附件.xlsx")]},
        content_type="multipart/form-data", follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert "9 条在网页与附件中重复，已合并" in body and "这是一份新通知，将导入 9 条记录" in body
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    assert r.status_code == 302
    notice = next(n for n in logged_in.get("/api/notices").get_json()
                  if n["doc_number"] == "工信行建〔2023〕1号")
    assert notice["entries"] == 9


def test_a_candidate_page_with_blocks_keeps_its_citations_beside_the_attached_list():
    rows = [["序号", "姓名", "民族", "单位", "出生年月"],
            ["1", "刘思远", "汉族", "中国移动通信集团湖南有限公司长沙分公司", "1987.06"],
            ["2", "谭丽华", "土家族", "中国电信股份有限公司岳阳分公司", "1991.02"]]
    parsed = parse_files(("hunan.html", nf.province_blocks_page()),
                         [("名单.xlsx", nf.sheet(rows, "候选人名单"))])
    assert [(e["name"], e["ethnicity"], e["birth"]) for e in parsed.entries] == \
        [("刘思远", "汉族", "1987-06"), ("谭丽华", "土家族", "1991-02")]
    assert parsed.entries[0]["citation"].startswith("刘思远同志扎根装维一线十年")
    assert [m.sources for m in parsed.merges][0] == ["hunan.html：正文", "名单.xlsx：工作表 Sheet"]
    assert parsed.mismatches == []  # 共2名


def test_the_admin_picks_the_attachments_value_in_the_preview(logged_in, app):
    rows = [["序号", "姓名", "单位", "出生年月"]]
    n = 0
    for row in nf.individual_rows():
        if row[0] == "row":
            n += 1
            rows.append([str(n), row[2], row[3], "1990.12" if row[2] == "王\u3000海" else row[4]])
    r = logged_in.post("/admin/upload", data={
        "csrf_token": csrf(logged_in), "notice": (io.BytesIO(nf.commendation_html()), "通报.html"),
        "attachments": [(io.BytesIO(nf.sheet(rows, nf.LIST1)), "附件.xlsx")]},
        content_type="multipart/form-data", follow_redirects=True)
    body = r.get_data(as_text=True)
    choice = re.search(r'name="(choice:individual\|王海\|birth)" value="1"', body)
    assert choice and "出生年月不一致" in body, body
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm",
                       data={"csrf_token": csrf(logged_in), choice.group(1): "1"})
    assert r.status_code == 302
    a = Archive(app.config["ARCHIVE_HOME"])
    assert [r["birth"] for r in a.db.query("select birth from entries where name = '王海'")] \
        == ["1990-12"]
    a.close()


def test_the_dry_run_names_a_pages_blocks_as_read_by_entry(runner, tmp_path):
    page, sheet = tmp_path / "hunan.html", tmp_path / "名单.xlsx"
    page.write_bytes(nf.province_blocks_page())
    sheet.write_bytes(nf.sheet([["序号", "姓名", "单位"],
                                ["1", "刘思远", "中国移动通信集团湖南有限公司长沙分公司"]], "候选人名单"))
    out = runner("import", "--dry-run", str(page), "--attach", str(sheet))
    assert out.exit_code == 0, out.output
    assert "hunan.html：正文：按条目（姓名：……）读取，2 条" in out.output
    assert "None" not in out.output
