"""Never a dead end (ingest/guide.py): when the reader finds no list, or reads it
wrong, the admin points at it — a table, its header row and what each column holds,
or the text lines that form it — in the preview or with the CLI's flags, and the
choice is stored with the version it produced."""

import io
import json
import re
import sqlite3

import pytest

from archive.ingest import ParseError, parse_bytes, parse_files
from archive.ingest.guide import check_guide, from_flags
from conftest import csrf

TITLE = "关于2021-2022年度全国用户满意电信服务明星候选人的公示（虚构测试数据）"
META = {"published": "2022-03-02", "title": TITLE, "publisher": "江西省通信管理局"}
# Labels the reader does not know over short words it cannot place: no list to find.
ROWS = [("人员", "地点", "岗位说明"),
        ("张玉柱", "九江", "装维"),
        ("欧阳娜", "杭州", "客服"),
        ("买买提·艾力", "海淀", "网格")]
EXPECTED = [(name, unit) for name, unit, _ in ROWS[1:]]


def _unknown_header_docx():
    """A list whose header labels the reader does not know (人员 | 地点 | 岗位说明)."""
    import docx
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=len(ROWS), cols=3)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


GUIDE = {"table": 1, "header_row": 1, "columns": {"1": "姓名", "2": "单位", "3": "职务"}}


def test_a_list_the_reader_cannot_find_comes_with_what_the_file_holds():
    with pytest.raises(ParseError) as info:
        parse_bytes(_unknown_header_docx(), "名单.docx", META)
    layout = info.value.layout
    assert [row[0] for row in layout["tables"][0]["rows"]] == ["人员", "张玉柱", "欧阳娜", "买买提·艾力"]
    assert layout["lines"] == [TITLE]


def test_a_table_and_its_columns_named_by_the_admin_are_read():
    parsed = parse_files(("名单.docx", _unknown_header_docx()), (), META,
                         guide=check_guide(GUIDE))
    assert [(e["name"], e["unit"]) for e in parsed.entries] == EXPECTED
    assert [e["position"] for e in parsed.entries] == ["装维", "客服", "网格"]
    assert parsed.guide == {"table": 1, "header_row": 1,
                            "columns": {"1": "name", "2": "unit", "3": "position"}}


def test_lines_marked_by_the_admin_are_read_by_their_columns_or_their_look():
    text = "\n".join([TITLE, "经研究，推荐以下同志：",
                      "张玉柱/九江/装维", "欧阳娜/杭州/客服", "买买提·艾力/海淀/网格",
                      "江西省通信管理局", "2022年3月1日"]).replace("/", "　　")
    data = text.encode("utf-8")
    guide = check_guide({"lines": [3, 5], "columns": {"1": "姓名", "2": "单位", "3": "职务"}})
    parsed = parse_files(("公示.txt", data), (), META, guide=guide)
    assert [(e["name"], e["unit"], e["position"]) for e in parsed.entries] == [
        ("张玉柱", "九江", "装维"), ("欧阳娜", "杭州", "客服"), ("买买提·艾力", "海淀", "网格")]
    numbered = "\n".join([TITLE, "1．张玉柱，中国电信股份有限公司九江分公司，装维班长",
                          "2．欧阳娜，中国移动通信集团浙江有限公司，客户经理"])
    parsed = parse_files(("公示.txt", numbered.encode()), (), META,
                         guide=check_guide({"lines": [2, 3]}))
    assert [e["name"] for e in parsed.entries] == ["张玉柱", "欧阳娜"]


@pytest.mark.parametrize("guide,message", [
    ({"table": 1, "columns": {"2": "生日蛋糕"}}, "不是可导入的字段"),
    ({"table": 1, "columns": {"3": "单位"}}, "没有姓名或班组名称列"),
    ({"lines": [9, 3]}, "在首行（9）之前"),
    ({"table": 1, "lines": [1, 2]}, "只指定表格（table）或文字行（lines）之一"),
    ({"table": "二"}, "应为正整数"),
    ({"table": 2 ** 70}, "1 到 1000000"),
    ({"color": "red"}, "未知的键"),
    ([1, 2], "JSON 对象"),
])
def test_a_wrong_guide_is_refused_with_what_is_wrong(guide, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        check_guide(guide)


def test_a_guide_that_points_at_nothing_says_so():
    data = _unknown_header_docx()
    for guide, message in [({"table": 3}, "只有 1 个表格"),
                           ({"table": 1, "header_row": 9}, "没有第 9 行"),
                           ({"lines": [50, 60]}, "只有 1 行文字")]:
        with pytest.raises(ParseError, match=message):
            parse_files(("名单.docx", data), (), META, guide=check_guide(guide))


def test_the_cli_prints_the_layout_then_imports_with_flags_and_keeps_the_guide(
        runner, home, tmp_path):
    path = tmp_path / "名单.docx"
    path.write_bytes(_unknown_header_docx())
    flags = ["--published", "2022-03-02", "--publisher", "江西省通信管理局", "--title", TITLE]
    failed = runner("import", path, *flags)
    assert failed.exit_code == 1
    assert "--table N --header-row N --column N=字段" in failed.output
    assert "表格 1（表格 1）：" in failed.output and "买买提·艾力" in failed.output
    bad = runner("import", path, *flags, "--table", "1", "--column", "2")
    assert bad.exit_code == 2 and "--column 应为 列号=字段" in bad.output
    done = runner("import", path, *flags, "--table", "1", "--header-row", "1",
                  "--column", "1=姓名", "--column", "2=unit")
    assert done.exit_code == 0, done.output
    assert "已导入（3 条）" in done.output
    stored = sqlite3.connect(home / "archive.db").execute(
        "select guide from notice_versions").fetchall()
    assert [json.loads(g) for (g,) in stored] == [
        {"table": 1, "header_row": 1, "columns": {"1": "name", "2": "unit"}}]


def test_a_guide_file_is_read_and_checked(tmp_path):
    assert from_flags(text=json.dumps({"lines": [2, 4]})) == {"lines": [2, 4]}
    assert from_flags(table=2, columns=["1=班组名称"]) == {
        "table": 2, "header_row": 1, "columns": {"1": "team"}}
    with pytest.raises(ParseError, match="不是有效的 JSON"):
        from_flags(text="{table: 1")


def test_the_preview_never_leaves_the_admin_without_a_way_in(logged_in):
    body = logged_in.post("/admin/upload", data={
        "csrf_token": csrf(logged_in), "notice": (io.BytesIO(_unknown_header_docx()), "名单.docx"),
        **META}, content_type="multipart/form-data", follow_redirects=True)
    page = body.get_data(as_text=True)
    assert body.status_code == 400 and "手动指定名单位置" in page and "没有读出名单" in page
    assert "<td>买买提·艾力</td>" in page
    token = re.search(r"/admin/upload/(\w+)/guide", page).group(1)
    forged = logged_in.post(f"/admin/upload/{token}/guide", data={"mode": "table", "table": "1"})
    assert forged.status_code == 400
    wrong = logged_in.post(f"/admin/upload/{token}/guide", data={
        "csrf_token": csrf(logged_in), "mode": "table", "table": "1", "header_row": "1",
        "col:2": "unit"})
    assert wrong.status_code == 400 and "没有姓名或班组名称列" in wrong.get_data(as_text=True)
    guided = logged_in.post(f"/admin/upload/{token}/guide", data={
        "csrf_token": csrf(logged_in), "mode": "table", "table": "1", "header_row": "1",
        "col:1": "name", "col:2": "unit", "col:3": ""}, follow_redirects=True)
    page = guided.get_data(as_text=True)
    assert guided.status_code == 200 and "将导入 3 条记录" in page
    assert "当前指定：表格 1，表头在第 1 行；列：第 1 列=姓名，第 2 列=单位。" in page
    done = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": csrf(logged_in)})
    assert done.status_code == 302
    names = {e["name"] for e in logged_in.get("/api/search?q=欧阳娜").get_json()["results"]}
    assert "欧阳娜" in names
