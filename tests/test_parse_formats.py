"""Notices in other shapes, encodings and formats; bad files fail cleanly."""

import json

import pytest

from archive.ingest import parse_bytes
from archive.ingest import ParseError, parse_file

import notice_files as nf
from conftest import DATA, SEED


def test_html_gbk_notice_with_tables_teams_first_and_fullwidth_colons():
    p = parse_file(DATA / "guangdong-2019-2020-candidates.html")
    assert p.notice["publisher"] == "广东省通信管理局"
    assert p.notice["published"] == "2020-09-15"
    assert p.notice["cycle"] == "2019-2020"
    assert p.notice["region"] == "广东"
    # 工信厅信管〔2020〕12号 is quoted in the preamble: the page has no number of its own.
    assert p.notice["doc_number"] is None
    assert p.notice["title"].startswith("关于2019-2020年度全国用户满意电信服务明星候选名单的公示")
    assert [(e["kind"], e["name"]) for e in p.entries] == [
        ("team", "深圳10086热线夜班组"), ("individual", "陈思远"), ("individual", "周婷婷")]
    team, chen, zhou = p.entries
    assert team["team_size"] == 36 and team["team_category"] == "客户服务"
    assert chen["birth"] == "1990-03" and chen["education"] == "硕士研究生"
    assert chen["operator"] == "中国移动" and zhou["operator"] == "中国电信"
    assert team["citation"].split("\n")[1].startswith("班组推行“首问负责”")
    assert "全年受理来电" in team["citation"]  # inline markup does not split text
    # The signature and the footer after the last honoree stay out.
    assert zhou["citation"].endswith("为老年用户办理业务五千余笔。")
    for e in p.entries:
        assert "不应出现" not in (e["citation"] or "")  # script text is dropped


def test_text_notice_with_bom_crlf_ideographic_spaces_and_no_sections():
    raw = (DATA / "sichuan-2019-2020-candidates.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    p = parse_bytes(raw, "sichuan.txt")
    assert p.notice["publisher"] == "四川省通信管理局"
    assert p.notice["published"] == "2020-10-09"
    names = [e["name"] for e in p.entries]
    assert names == ["赵一鸣", "李玉柱", "绵阳营业中心“贴心服务”班组"]
    zhao, li, team = p.entries
    assert zhao["company"] == "中国联通四川省分公司" and zhao["operator"] == "中国联通"
    assert zhao["birth"] == "1985-05"
    assert li["operator"] == "中国铁塔" and li["region"] == "四川"
    assert team["kind"] == "team" and team["team_size"] == 18
    assert team["citation"] == "班组坚持“客户至上”，推出上门服务，惠及行动不便的用户三千余人。"
    assert zhao["citation"].count("\n") == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_seed_in_any_encoding_gives_the_same_notice(encoding):
    text = SEED.read_text("utf-8")
    if encoding == "gbk":  # GBK has no NBSP; pages in GBK use plain spaces
        text = text.replace("\u00a0", " ")
    reference = parse_bytes(text.encode("utf-8"), "seed.txt")
    other = parse_bytes(text.replace("\n", "\r\n").encode(encoding), "seed.txt")
    assert other.notice == reference.notice
    assert other.entries == reference.entries
    assert other.text == reference.text


def test_seed_with_fullwidth_colons_and_nbsp():
    text = SEED.read_text("utf-8").replace(":", "：").replace("姓名", "姓\u00a0\u00a0名")
    p = parse_bytes(text.encode("utf-8"), "seed.txt")
    assert [e["name"] for e in p.entries][:3] == ["李玉柱", "集中处理专席", "张娜"]
    assert p.entries[0]["birth"] == "1989-11-08"


def test_seed_as_html_page():
    paragraphs = "".join(f"<p>{line}</p>\n" for line in SEED.read_text("utf-8").split("\n") if line)
    html = f"<html><head><title>公示</title></head><body><div>{paragraphs}</div></body></html>"
    p = parse_bytes(html.encode("utf-8"), "seed.html")
    ref = parse_file(SEED)
    assert p.notice == ref.notice
    assert [e["name"] for e in p.entries] == [e["name"] for e in ref.entries]
    assert p.entries[0]["citation"] == ref.entries[0]["citation"]
    assert p.format == "html" and p.text == html


def test_csv_list_with_metadata_and_chinese_kinds():
    p = parse_file(DATA / "beijing-2017-2018-honorees.csv")
    assert p.notice["stage"] == "honorees" and p.notice["publisher"] == "工业和信息化部"
    assert p.notice["region"] is None and p.notice["doc_number"] == "工信部信管〔2019〕3号"
    assert [(e["kind"], e["name"], e["region"]) for e in p.entries] == [
        ("individual", "李玉柱", "北京"), ("individual", "王晓明", "上海"),
        ("team", "客户服务部投诉处理中心", "北京")]


def test_json_list():
    p = parse_file(DATA / "hubei-2019-2020-honorees.json")
    assert p.notice["source_url"] == "https://example.invalid/hubei/2021-03-02.html"
    person, team = p.entries
    assert person["birth"] == "1987-06" and person["citation"].count("\n") == 1
    assert team["team_size"] == 42 and team["operator"] == "中国移动"


def _error(data, name):
    with pytest.raises(ParseError) as info:
        parse_bytes(data, name)
    return str(info.value)


def test_bad_inputs_name_the_file_and_the_problem():
    assert "文件是空的" in _error(b"", "a.txt")
    assert "文件是空的" in _error(b"  \n ", "a.txt")
    assert "二进制文件" in _error(bytes(range(256)) * 8, "a.txt")
    assert "不支持的文件类型" in _error(b"x", "a.exe")
    assert "这不是 PDF 文件" in _error(b"x", "a.pdf")
    msg = _error("<html><body><p>今日新闻</p></body></html>".encode(), "news.html")
    assert msg.startswith("news.html：") and "这不是电信服务评比表彰的通知" in msg
    assert "没有找到任何条目" in _error("电信服务明星 评选活动开始了".encode(), "x.txt")


def test_block_without_name_reports_line():
    text = SEED.read_text("utf-8").replace("姓名:张娜\n", "")
    msg = _error(text.encode(), "seed.txt")
    assert "第 117 行" in msg and "条目没有姓名" in msg


def test_bad_field_values_report_line_and_field():
    text = SEED.read_text("utf-8").replace("出生年月:1982.12", "出生年月:1982.13")
    msg = _error(text.encode(), "seed.txt")
    assert "第 203 行" in msg and "出生年月" in msg
    text = SEED.read_text("utf-8").replace("班组人数:91", "班组人数:很多")
    assert "班组人数" in _error(text.encode(), "seed.txt")


def test_csv_errors():
    head = "# title: 全国用户满意电信服务明星名单\n# publisher: 工业和信息化部\n# published: 2019-01-15\n# cycle: 2017-2018\n# stage: honorees\n"
    assert "表头中没有姓名列" in _error((head + "kind,company\nindividual,甲\n").encode(),
                                           "x.csv")
    assert "第 7 行" in _error((head + "kind,name,company\nrobot,甲,中国移动\n").encode(), "x.csv")
    assert "published" in _error(b"kind,name,company\n", "x.csv")
    assert "名单中没有任何条目" in _error((head + "kind,name,company\n").encode(), "x.csv")


def test_json_errors():
    assert "JSON 格式有误" in _error(b"{", "x.json")
    assert '"notice"' in _error(b"[]", "x.json")
    doc = {"notice": {"title": "全国用户满意电信服务明星", "publisher": "工业和信息化部",
                      "published": "2019-01-15", "cycle": "2017-2018", "stage": "honorees"},
           "entries": [{"kind": "team", "company": "中国移动"},
                       {"kind": "team", "name": "乙班组", "company": "中国移动"}]}
    assert "entries[0]" in _error(json.dumps(doc).encode(), "x.json")


META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}


def test_a_csv_of_a_million_cells_is_refused_by_the_cell_budget():
    import pytest
    from archive.ingest import ParseError
    header = "序号,姓名," + ",".join(f"列{i}" for i in range(1998))
    row = ",".join(["x"] * 2000)
    data = (header + "\n" + "\n".join(row for _ in range(1100))).encode()
    with pytest.raises(ParseError, match="单元格总数超过"):
        parse_bytes(data, "wide.csv", {**META, "cycle": "2021-2022", "stage": "honorees"})
