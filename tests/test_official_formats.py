"""Official notices in the formats they are published: HTML tables, Word, Excel, PDF.

Fixtures are built here (tests/notice_files.py), with fictional names.
"""

import re
import shutil

import pytest

import notice_files as nf
from archive.ingest import ParseError, parse_bytes, parse_files
from archive.ingest.columns import header_field
from archive.ingest.fields import clean_name, company_prefix, parse_birth, region_of
from archive.ingest.metadata import find_doc_number, stated_counts
from archive.ingest.tables import number_text, one_line

META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def _facts(parsed):
    return [(e["kind"], e["name"], e["unit"], e["company"], e["operator"], e["region"], e["birth"])
            for e in parsed.entries]


def _expected(pdf=False):
    out = nf.EXPECTED
    if pdf:
        out = [(k, nf.PDF_NAMES.get(n, n), *rest) for k, n, *rest in out]
    return out


BUILDERS = {
    "docx": nf.docx_list,
    "xlsx": nf.xlsx_list,
    "xls": nf.xls_list,
    "pdf": nf.pdf_list,
}


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_attachment_lists_give_every_honoree_with_the_admins_metadata(fmt):
    parsed = parse_bytes(BUILDERS[fmt](), f"附件.{fmt}", META)
    assert _facts(parsed) == _expected(pdf=fmt == "pdf")
    assert parsed.format == fmt
    assert parsed.notice == {**META, "stage": "honorees", "cycle": "2021-2022", "region": None,
                             "doc_number": None, "source_url": None, "signed": None,
                             "department": None, "published_guessed": None}
    assert parsed.warnings == []
    assert [e["award"] for e in parsed.entries] == \
        ["全国用户满意电信服务明星"] * 6 + ["全国用户满意电信服务明星班组"] * 3
    # What the preview shows: the header found below the title row, the group rows.
    first = parsed.tables[0]
    assert first.header_row == 2 if fmt != "pdf" else first.header_row == 1
    assert [f for _, f in first.mapping] == ["serial", "name", "unit", "birth"]
    assert [label for _, label, _ in first.groups] == ["中国电信", "中国移动", "中国联通",
                                                       "增值电信企业"]
    # The stored text is the list as read, so a re-import of the same file is a no-op.
    assert "装维支撑向东班" in parsed.text
    assert parse_bytes(BUILDERS[fmt](), f"附件.{fmt}", META).text == parsed.text


def test_pdf_without_rules_is_read_by_word_positions():
    parsed = parse_bytes(nf.pdf_list(ruled=False), "附件.pdf", META)
    assert _facts(parsed) == _expected(pdf=True)


def test_commendation_page_with_html_tables():
    parsed = parse_bytes(nf.commendation_html(), "通报.html")
    assert _facts(parsed) == _expected()
    assert parsed.notice == {
        "title": nf.TITLE, "publisher": "工业和信息化部",
        "published": "2023-05-18",  # 发布日期, not the 成文日期 of 2023-05-15
        "stage": "honorees", "cycle": "2021-2022", "region": None,
        "doc_number": "工信行建〔2023〕1号",  # its own, not the 工信厅行建〔2022〕7号 it quotes
        "source_url": None, "signed": "2023-05-15",  # 成文日期, kept apart
        "department": None, "published_guessed": None}
    assert parsed.warnings == []
    assert parsed.text == nf.commendation_html().decode()  # the page is kept verbatim


def test_page_and_attachment_are_one_notice():
    page = re.sub(rb"<table border=1>.*?</table>", b"", nf.commendation_html(), flags=re.S)
    parsed = parse_files(("通报.html", page), [("附件.xlsx", nf.xlsx_list())])
    assert _facts(parsed) == _expected()
    assert parsed.notice["doc_number"] == "工信行建〔2023〕1号"
    assert parsed.notice["published"] == "2023-05-18"
    assert "[附件：附件.xlsx]" in parsed.text and parsed.text.startswith("<!DOCTYPE html>")


def test_stated_counts_are_compared_with_what_was_read():
    page = nf.commendation_html().replace("等6名个人".encode(), "等7名个人".encode())
    parsed = parse_bytes(page, "通报.html")
    assert parsed.mismatches == ["通知称共 7 名个人，实际读到 6 条"]
    page = nf.commendation_html(word_cells=False)
    page = page.replace("中国移动（2名）".encode(), "中国移动（3名）".encode())
    mismatches = parse_bytes(page, "通报.html").mismatches
    assert len(mismatches) == 1 and "中国移动" in mismatches[0] and "注明 3 个" in mismatches[0]
    assert stated_counts(["授予赵学林、马滢等133名个人…称号，授予…等65个班组…称号"]) == \
        {"individual": 133, "team": 65}
    assert stated_counts(["现将我省候选人名单公示如下，共12名。"]) == {"any": 12}
    assert stated_counts(["共推荐候选人5名、班组3个"]) == {"any": 5, "team": 3}


def test_list_without_metadata_is_refused_naming_the_flags():
    with pytest.raises(ParseError) as info:
        parse_bytes(nf.xlsx_list(), "附件.xlsx")
    message = str(info.value)
    assert message.startswith("附件.xlsx：")
    for flag in ("--title", "--publisher", "--published"):
        assert flag in message
    assert "--cycle" not in message  # the sheet's title row names 2021-2022
    with pytest.raises(ParseError) as info:
        parse_bytes(nf.xlsx_list(), "附件.xlsx", {**META, "published": "去年"})
    assert "发布日期（--published）应为 YYYY-MM-DD 格式的日期" in str(info.value)
    with pytest.raises(ParseError) as info:
        parse_bytes(nf.xlsx_list(), "附件.xlsx", {**META, "source_url": "javascript:alert(1)"})
    assert "来源链接（--source-url）应为 http(s) 网址" in str(info.value)


def test_flags_override_what_the_file_says():
    parsed = parse_bytes(nf.commendation_html(), "通报.html",
                         {"published": "2023-05-20", "source_url": "https://www.miit.gov.cn/x.html",
                          "doc_number": "工信行建〔2023〕2号"})
    assert parsed.notice["published"] == "2023-05-20"
    assert parsed.notice["doc_number"] == "工信行建〔2023〕2号"
    assert parsed.notice["source_url"] == "https://www.miit.gov.cn/x.html"


def test_excel_saved_csv_in_gbk_reads_as_a_list_of_individuals():
    with pytest.raises(ParseError) as info:
        parse_bytes(nf.excel_csv(), "名单.csv")
    assert "--title" in str(info.value) and "lacks column" not in str(info.value)
    parsed = parse_bytes(nf.excel_csv(), "名单.csv", {**META, "stage": "honorees"})
    assert _facts(parsed) == _expected()[:6]


def test_gbk_candidate_page_with_blocks_inside_a_layout_table():
    parsed = parse_bytes(nf.province_blocks_page(), "hunan.html")
    assert parsed.notice["publisher"] == "湖南省通信管理局"
    assert parsed.notice["published"] == "2022-09-20"
    assert parsed.notice["stage"] == "candidates" and parsed.notice["region"] == "湖南"
    liu, tan = parsed.entries
    assert (liu["name"], liu["birth"], liu["position"], liu["company"]) == \
        ("刘思远", "1987-06", "装维班长", "中国移动湖南公司")
    assert liu["citation"] == "刘思远同志扎根装维一线十年，客户满意率连续三年排名全省第一。"
    assert (tan["name"], tan["birth"], tan["unit"]) == ("谭丽华", "1991-02", "中国电信股份有限公司岳阳分公司")
    assert tan["citation"].endswith("累计服务三千余人次。")  # the signature stays out


def test_gbk_candidate_page_with_a_data_table_inside_a_layout_table():
    parsed = parse_bytes(nf.province_table_page(), "hunan.html")
    assert parsed.notice["stage"] == "candidates" and parsed.notice["cycle"] == "2021-2022"
    assert [(e["name"], e["gender"], e["birth"], e["education"], e["position"], e["operator"],
             e["region"], e["citation"]) for e in parsed.entries] == [
        ("刘思远", "男", "1987-06", "大学本科", "装维班长", "中国移动", "湖南", None),
        ("谭丽华", "女", "1991-02", "大专", "营业员", "中国电信", "湖南", None),
        ("欧阳春", "男", "1983-12", "硕士研究生", "客服经理", "中国联通", "湖南", None)]
    assert parsed.warnings == []  # it states 共3名, and three were read


def test_scanned_pdf_is_refused_with_a_reason():
    with pytest.raises(ParseError) as info:
        parse_bytes(nf.scanned_pdf(), "扫描件.pdf", META)
    assert "没有文字层" in str(info.value) and "OCR" in str(info.value)


def test_word_97_doc_is_converted_when_libreoffice_is_there(tmp_path):
    assert shutil.which("soffice"), "make test installs LibreOffice (libreoffice-writer-nogui)"
    doc = nf.doc_from_docx(nf.docx_list(), tmp_path)
    assert doc.startswith(b"\xd0\xcf\x11\xe0")
    parsed = parse_bytes(doc, "附件.doc", META)
    assert _facts(parsed) == _expected()
    assert parsed.format == "doc"


def test_word_97_doc_without_a_converter_says_to_save_as_docx(monkeypatch):
    monkeypatch.setattr("archive.ingest.office.doc_converter", lambda: None)
    with pytest.raises(ParseError) as info:
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "附件.doc", META)
    assert "另存为 .docx" in str(info.value)


@pytest.mark.parametrize("name, data, message", [
    ("x.docx", b"PK\x03\x04 broken", "这不是 Word .docx 文件"),
    ("x.xlsx", b"plain text", "这不是 Excel .xlsx 文件"),
    ("x.xls", b"plain text", "这不是 Excel .xls 文件"),
    ("x.pdf", b"<html></html>", "这不是 PDF 文件"),
    ("x.doc", b"plain text", "这不是 Word 97 .doc 文件"),
])
def test_wrong_bytes_behind_an_office_ending_are_refused(name, data, message):
    with pytest.raises(ParseError) as info:
        parse_bytes(data, name, META)
    assert message in str(info.value) and str(info.value).startswith(name)


def test_html_table_saved_as_xls_is_read_as_html():
    parsed = parse_bytes(nf.commendation_html(), "名单.xls")
    assert _facts(parsed) == _expected()


def test_unreadable_rows_are_reported_with_their_row_number_and_nothing_is_kept():
    import openpyxl
    import io
    book = openpyxl.load_workbook(io.BytesIO(nf.xlsx_list()))
    book["明星"]["D4"] = "1985年13月"   # the first person's birth month
    book["明星"]["B8"] = None          # 林晓雯's name gone, her unit still there
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(ParseError) as info:
        parse_bytes(buf.getvalue(), "附件.xlsx", META)
    message = str(info.value)
    assert "2 行无法读取" in message
    assert "工作表 明星，第 4 行：出生年月“1985年13月”的月份不合理" in message
    assert "工作表 明星，第 8 行：没有姓名" in message


def test_header_mapping_variants():
    assert [header_field(h) for h in ("序 号", "姓　名", "出生\n年月", "职务（岗位）", "职务/岗位",
                                      "所在单位", "工作单位", "推荐单位", "省份", "省（区、市）",
                                      "班组名称", "班组类别", "班组人数", "主要事迹", "申报说明材料",
                                      "备注", "籍贯")] == [
        "serial", "name", "birth", "position", "position", "unit", "unit", "company", "region",
        "region", "team", "team_category", "team_size", "citation", "citation", "ignore",
        "ignore"]
    assert header_field("说明") is None


def test_teams_named_only_by_a_generic_column_take_their_kind_from_the_list_title():
    from archive.ingest.columns import read_table
    from archive.ingest.tables import Table
    table = Table(rows=[["2019-2020年度全国用户满意电信服务明星班组名单", ""], ["序号", "名称"],
                        ["1", "中国移动通信集团广东有限公司深圳分公司10086热线夜班组"]])
    read = read_table(table, {"region": None})
    assert [(e["kind"], e["unit"], e["region"]) for e in read.entries] == [
        ("team", "中国移动通信集团广东有限公司深圳分公司", "广东")]


def test_province_group_rows_set_the_region():
    from archive.ingest.columns import read_table
    from archive.ingest.tables import Table
    table = Table(rows=[["序号", "姓名", "单位"], ["河北省", "河北省", "河北省"],
                        ["1", "赵一", "中国电信股份有限公司"], ["注：排名不分先后", "", ""]])
    read = read_table(table, {"region": None})
    assert [(e["name"], e["region"]) for e in read.entries] == [("赵一", "河北")]
    assert read.skipped == [(4, "注释或合计行", "注：排名不分先后")]


@pytest.mark.parametrize("written, iso", [
    ("1985年3月", "1985-03"), ("1985.03", "1985-03"), ("1985/3", "1985-03"), ("198503", "1985-03"),
    ("1985-3", "1985-03"), ("1985年3月12日", "1985-03-12"), ("1985.3.12", "1985-03-12"),
])
def test_birth_in_every_common_spelling(written, iso):
    assert parse_birth(written) == iso


def test_names_numbers_and_places():
    assert clean_name("陈 志强") == "陈志强"
    assert clean_name("王\u3000海") == "王海"
    assert clean_name("阿依古丽 • 吐尔逊") == "阿依古丽·吐尔逊"
    assert clean_name("Li Yuzhu") == "Li Yuzhu"
    assert number_text(3.0) == "3" and number_text(1985.1, "0.00") == "1985.10"
    assert one_line("中国电信股份有限公司\n九江分公司") == "中国电信股份有限公司九江分公司"
    assert company_prefix("中国电信股份有限公司九江分公司装维支撑向东班") == "中国电信股份有限公司九江分公司"
    assert company_prefix("集中处理专席") is None
    assert region_of("中国移动通信集团有限公司赣州分公司") == "江西"
    assert find_doc_number(["根据《通知》（工信行建〔2018〕1号）要求"]) is None
    assert find_doc_number(["工信行建〔2023〕1号"]) == "工信行建〔2023〕1号"
    assert find_doc_number(["发文字号：工信厅信管函〔2021〕35号"]) == "工信厅信管函〔2021〕35号"


def test_pdf_list_over_pages_keeps_its_group_and_skips_the_repeated_header():
    parsed = parse_bytes(nf.long_pdf_list(60), "附件.pdf", META)
    assert len(parsed.entries) == 60
    assert {(e["company"], e["operator"], e["region"]) for e in parsed.entries} == \
        {("中国移动", "中国移动", "河南")}
    assert [e["name"] for e in parsed.entries] == [f"测试{i:03d}号" for i in range(1, 61)]
    assert parsed.warnings == []  # the group's stated 60 were all read
    assert [reason for _, reason, _ in parsed.tables[0].skipped] == ["重复的表头"]


def test_list_in_two_column_blocks_inside_a_word_layout_table():
    parsed = parse_bytes(nf.two_block_docx(), "附件.docx", META)
    assert [(e["name"], e["company"], e["region"]) for e in parsed.entries] == [
        ("赵一", "中国联通", "辽宁"), ("钱二", "中国联通", "辽宁"), ("孙三", "中国联通", "安徽")]
    assert parsed.warnings == []


def test_headerless_table_numbered_on_goes_on_with_the_list_and_a_footer_table_does_not():
    from archive.ingest.documents import list_tables
    from archive.ingest.tables import Table
    first = Table(rows=[["序号", "姓名", "省份"], ["1", "赵一", "北京市"]])
    more = Table(rows=[["2", "钱二", "广西壮族自治区"]])
    footer = Table(rows=[["联系人", "电话", "地址"]])
    assert list_tables([first, more, footer]) == [first]
    from archive.ingest.columns import read_table
    assert [(e["name"], e["region"]) for e in read_table(first, {"region": None}).entries] == \
        [("赵一", "北京"), ("钱二", "广西")]


def test_hostile_pages_are_refused_with_a_reason():
    deep = ("<html><body>" + "<div>" * 20000 + "全国用户满意电信服务明星 姓名：张三"
            + "</div>" * 20000 + "</body></html>").encode()
    with pytest.raises(ParseError) as info:
        parse_bytes(deep, "deep.html")
    assert "嵌套超过" in str(info.value)
    rows = "".join(f"<tr><td>{i}</td><td>测试{i}</td><td>单位</td></tr>" for i in range(100_000))
    page = f"<html><body><table><tr><td>序号</td><td>姓名</td><td>单位</td></tr>{rows}</table>"
    with pytest.raises(ParseError) as info:
        parse_bytes(page.encode(), "big.html")
    assert "超过 20000 行" in str(info.value)
    lines = "\n".join(f"{i},测试{i},单位" for i in range(20_001))
    with pytest.raises(ParseError) as info:
        parse_bytes(f"序号,姓名,单位\n{lines}\n".encode(), "big.csv", META)
    assert "超过 20000 行" in str(info.value)


def test_a_page_whose_lists_are_attachments_says_to_attach_them():
    page = re.sub(rb"<table border=1>.*?</table>", b"", nf.commendation_html(), flags=re.S)
    with pytest.raises(ParseError) as info:
        parse_bytes(page, "通报.html")
    assert "--attach" in str(info.value)


def test_the_issuing_body_wins_over_the_source_line():
    page = nf.commendation_html().replace(b"<h1>", "<p>来源：信息通信管理局</p><h1>".encode())
    assert parse_bytes(page, "通报.html").notice["publisher"] == "工业和信息化部"


def test_html_rowspan_and_colspan_repeat_the_cell_over_its_span():
    from bs4 import BeautifulSoup
    from archive.ingest.html_notice import _grid
    table = BeautifulSoup("<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr>"
                          "<tr><td>c</td><td>d</td></tr><tr><td>e</td><td rowspan=3>f</td>"
                          "<td>g</td></tr><tr><td>h</td><td>i</td></tr></table>", "lxml").table
    assert _grid(table) == [["A", "B", "B"], ["A", "c", "d"], ["e", "f", "g"], ["h", "f", "i"]]


def test_a_company_alone_in_the_name_column_is_a_group_row():
    from archive.ingest.columns import read_table
    from archive.ingest.tables import Table
    table = Table(rows=[["姓名", "单位"], ["中国移动通信集团", ""],
                        ["赵一", "中国移动通信集团河北有限公司保定分公司"],
                        ["北京三快在线科技有限公司", ""], ["钱二", "北京三快在线科技有限公司"]])
    read = read_table(table, {"region": None})
    assert [(e["name"], e["company"], e["operator"], e["region"]) for e in read.entries] == [
        ("赵一", "中国移动通信集团", "中国移动", "河北"),
        ("钱二", "北京三快在线科技有限公司", "其他", "北京")]


def test_a_four_column_key_value_table_is_one_candidate_not_a_list():
    page = ("<html><head><title>关于2021-2022年度全国用户满意电信服务明星候选人的公示</title></head><body>"
            "<h1>关于2021-2022年度全国用户满意电信服务明星候选人的公示（虚构测试数据）</h1>"
            "<p>来源：河南省通信管理局 发布时间：2022-09-01</p>"
            "<p>一、中国移动河南公司推荐情况如下：</p><p>全国用户满意电信服务明星中国移动河南公司</p>"
            "<table><tr><td>姓名</td><td>孙 晓燕</td><td>性别</td><td>女</td></tr>"
            "<tr><td>出生年月</td><td>1988.06</td><td>学历</td><td>大学本科</td></tr>"
            "<tr><td>职务</td><td>营业厅经理</td><td>单位</td><td>中国移动通信集团河南有限公司郑州分公司</td></tr>"
            "</table><p>申报说明材料：</p><p>孙晓燕同志扎根营业一线。</p></body></html>")
    parsed = parse_bytes(page.encode("gbk"), "henan.html")
    [entry] = parsed.entries
    assert (entry["name"], entry["gender"], entry["birth"], entry["education"], entry["unit"],
            entry["citation"]) == ("孙晓燕", "女", "1988-06", "大学本科",
                                   "中国移动通信集团河南有限公司郑州分公司", "孙晓燕同志扎根营业一线。")


def test_a_unit_and_position_column_is_split():
    from archive.ingest.columns import read_table, split_unit_position
    from archive.ingest.tables import Table
    assert split_unit_position("中国电信股份有限公司赣州分公司 装维班长") == \
        ("中国电信股份有限公司赣州分公司", "装维班长")
    assert split_unit_position("中国移动通信集团浙江有限公司杭州分公司，客户经理") == \
        ("中国移动通信集团浙江有限公司杭州分公司", "客户经理")
    assert split_unit_position("北京三快在线科技有限公司") == ("北京三快在线科技有限公司", None)
    table = Table(rows=[["序号", "姓名", "工作单位及职务"],
                        ["1", "钟 明", "中国电信股份有限公司赣州分公司 装维班长"]])
    [entry] = read_table(table, {"region": None}).entries
    assert (entry["name"], entry["unit"], entry["position"], entry["region"]) == \
        ("钟明", "中国电信股份有限公司赣州分公司", "装维班长", "江西")


def test_html_spans_reach_no_further_than_the_real_table():
    from bs4 import BeautifulSoup
    from archive.ingest.html_notice import _grid
    table = BeautifulSoup("<table><tr><td rowspan=1000 colspan=1000>A</td><td>B</td></tr>"
                          "<tr><td>c</td><td>d</td></tr></table>", "lxml").table
    assert _grid(table) == [["A", "A", "B"], ["A", "A", "c", "d"]]
