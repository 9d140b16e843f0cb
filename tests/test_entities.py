"""Every field from the right place (ingest/columns.py, entries.py, fields.py): regions
where a place stands, every column mapped or named, 推荐单位 only where a list names
one, tab tables in text captures, and the notice's own order."""

import json

import notice_files as nf
import pytest

from archive.ingest import parse_bytes, parse_files
from archive.ingest.fields import region_of

NATIONAL = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}
HUBEI = {"title": "关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示",
         "publisher": "湖北省通信管理局", "published": "2022-09-01"}


def _list(rows, meta=NATIONAL, title=nf.LIST1):
    return parse_bytes(nf.sheet(rows, title), "名单.xlsx", meta)


@pytest.mark.parametrize("unit, region", [
    ("阿里巴巴（中国）有限公司", None),                         # 阿里 is a brand, not 阿里地区
    ("北京达佳互联信息技术有限公司武汉分公司", "湖北"),          # the branch's place wins
    ("中国移动通信集团浙江有限公司杭州分公司", "浙江"),
    ("中国电信股份有限公司九江分公司", "江西"),
    ("中国联合网络通信有限公司北京市分公司重要通信局", "北京"),
    ("大同市联通分公司", "山西"),
    ("中国电信重庆渝中区局", "重庆"),
    ("国网信通湖北分公司", "湖北"),
    ("吉林省广电网络有限公司", "吉林"),
])
def test_region_only_from_a_place_in_its_place(unit, region):
    assert region_of(unit) == region


def test_a_brand_is_no_region_and_a_branch_takes_its_own_place_in_a_list():
    rows = [["序号", "姓名", "单位"], ["1", "周小满", "阿里巴巴（中国）有限公司"],
            ["2", "钱一诺", "北京达佳互联信息技术有限公司武汉分公司"]]
    national = _list(rows)
    assert [e["region"] for e in national.entries] == [None, "湖北"]
    provincial = _list(rows, HUBEI)  # a provincial list: the notice's own province
    assert [e["region"] for e in provincial.entries] == ["湖北", "湖北"]


def test_every_column_is_mapped_or_named_and_kept_where_the_archive_has_a_field():
    rows = [["序号", "班组名称", "所属单位", "班组人数", "成立时间"],
            ["1", "装维一班", "中国移动通信集团湖南有限公司长沙分公司", "12", "2015"]]
    parsed = _list(rows, title=nf.LIST2)
    [team] = parsed.entries
    assert team["unit"] == "中国移动通信集团湖南有限公司长沙分公司"  # not a prefix of the name
    assert team["team_size"] == 12 and team["region"] == "湖南" and team["operator"] == "中国移动"
    assert any("列「成立时间」未识别，未导入" in w for w in parsed.warnings)
    people = _list([["序号", "姓名", "民族", "政治面貌", "单位"],
                    ["1", "阿依努尔", "维吾尔族", "群众", "中国电信股份有限公司新疆分公司"]])
    assert people.entries[0]["ethnicity"] == "维吾尔族"
    assert any("列「政治面貌」不在档案收录范围内，未导入" in w for w in people.warnings)
    assert [f for _, f in people.tables[0].mapping] == ["serial", "name", "ethnicity", "ignore",
                                                        "unit"]


def test_ethnicity_is_stored_and_shown(runner, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(nf.sheet([["序号", "姓名", "民族", "单位"],
                               ["1", "阿依努尔", "维吾尔族", "中国电信股份有限公司新疆分公司"]],
                              nf.LIST1))
    flags = sum((["--" + k, v] for k, v in NATIONAL.items()), [])
    assert runner("import", str(path), *flags).exit_code == 0
    [row] = json.loads(runner("list", "--json").output)
    assert row["ethnicity"] == "维吾尔族"


@pytest.mark.parametrize("fmt, build", [("html", nf.commendation_html), ("xlsx", nf.xlsx_list),
                                        ("xls", nf.xls_list), ("docx", nf.docx_list),
                                        ("pdf", nf.pdf_list)])
def test_company_comes_only_from_a_group_row_or_a_company_column(fmt, build):
    parsed = parse_bytes(build(), f"名单.{fmt}", None if fmt == "html" else NATIONAL)
    companies = {e["name"]: e["company"] for e in parsed.entries}
    assert companies["陈志强"] == "中国电信"      # its group row 中国电信（2名）
    assert companies["马晓丽"] is None           # 增值电信企业 names no company
    assert companies[nf.TEAMS[0]] is None         # no group row, no column: not the unit
    with_column = _list([["序号", "姓名", "单位", "推荐单位"],
                         ["1", "周小满", "中国联合网络通信有限公司湖北省分公司", "中国联通湖北分公司"]])
    assert with_column.entries[0]["company"] == "中国联通湖北分公司"


def test_a_table_copied_from_a_browser_into_a_text_file_is_read(tmp_path):
    text = ("关于表彰2021-2022年度“全国用户满意电信服务明星”的通报\n"
            "发文机关：工业和信息化部  发布日期：2023-05-18\n\n"
            "序号\t姓名\t性别\t工作单位\n"
            "1\t陈 志强\t男\t中国电信股份有限公司九江分公司\n"
            "2\t林晓雯\t女\t中国移动通信集团浙江有限公司杭州分公司\n")
    parsed = parse_bytes(text.encode(), "capture.txt")
    assert [(e["name"], e["gender"], e["region"]) for e in parsed.entries] == \
        [("陈志强", "男", "江西"), ("林晓雯", "女", "浙江")]
    assert parsed.notice["publisher"] == "工业和信息化部"
    gbk = parse_bytes(text.encode("gbk"), "capture.txt")
    assert [e["name"] for e in gbk.entries] == ["陈志强", "林晓雯"]


def test_entries_keep_the_notices_order(runner, tmp_path):
    rows = [["序号", "姓名", "单位"], ["3", "丙三", "中国电信股份有限公司九江分公司"],
            ["1", "甲一", "北京三快在线科技有限公司"], ["2", "乙二", "中国移动通信集团浙江有限公司"]]
    parsed = _list(rows)
    assert [e["name"] for e in parsed.entries] == ["甲一", "乙二", "丙三"]  # by 序号
    path = tmp_path / "名单.xlsx"
    path.write_bytes(nf.sheet(rows, nf.LIST1))
    flags = sum((["--" + k, v] for k, v in NATIONAL.items()), [])
    assert runner("import", str(path), *flags).exit_code == 0
    listed = json.loads(runner("list", "--json").output)
    assert [r["name"] for r in listed] == ["甲一", "乙二", "丙三"]


def test_the_page_and_attachment_order_is_the_notices(tmp_path):
    parsed = parse_files(("通报.html", nf.commendation_html()), [("附件.xlsx", nf.xlsx_list())])
    assert [e["name"] for e in parsed.entries][:3] == ["陈志强", "王海", "阿依古丽·吐尔逊"]
