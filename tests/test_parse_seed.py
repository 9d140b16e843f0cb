"""The real seed notice parses to exactly the values in the notice."""

import pytest

from archive.ingest import parse_file

from conftest import SHARED_SEED, SEED


@pytest.fixture(scope="module")
def parsed():
    return parse_file(SEED)


def test_bundled_copy_is_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip(f"no shared seed beside this clone ({SHARED_SEED}): nothing to compare")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_notice_metadata(parsed):
    assert parsed.notice == {
        "title": "“全国用户满意电信服务明星”“全国用户满意电信服务明星班组”候选人名单公示",
        "publisher": "北京市通信管理局",
        "published": "2018-10-24",
        "stage": "candidates",
        "cycle": "2017-2018",
        "region": "北京",
        # The seed quotes the Ministry's 工信行建[2018]1号 in a sentence: that is
        # not its own number, and the notice has none.
        "doc_number": None,
        "source_url": None,
        # The seed has no signature date, no posting department, and a 日期 it was
        # published on.
        "signed": None,
        "department": None,
        "published_guessed": None,
    }
    assert parsed.warnings == []


def test_entries_in_document_order(parsed):
    assert [(e["kind"], e["name"]) for e in parsed.entries] == [
        ("individual", "李玉柱"), ("team", "集中处理专席"), ("individual", "张娜"),
        ("team", "客户服务部投诉处理中心"), ("individual", "刘鑫鑫")]


EXPECTED = [
    dict(kind="individual", name="李玉柱", gender="男", birth="1989-11-08", education="大学本科",
         position="班长", unit="中国联合网络通信有限公司北京市分公司重要通信局",
         company="中国联通北京分公司", operator="中国联通", region="北京",
         team_category=None, team_size=None),
    dict(kind="team", name="集中处理专席", gender=None, birth=None, education=None, position=None,
         unit=None, company="中国联通北京分公司", operator="中国联通", region="北京",
         team_category="一线基层组织", team_size=91),
    dict(kind="individual", name="张娜", gender="女", birth="1981-10-11", education="大专",
         position="北京电信大兴区分公司投诉首岗", unit="中国电信股份有限公司北京市大兴区分公司",
         company="中国电信北京分公司", operator="中国电信", region="北京",
         team_category=None, team_size=None),
    dict(kind="team", name="客户服务部投诉处理中心", gender=None, birth=None, education=None,
         position=None, unit=None, company="中国电信北京分公司", operator="中国电信",
         region="北京", team_category="投诉处理", team_size=69),
    dict(kind="individual", name="刘鑫鑫", gender="女", birth="1982-12", education="大学本科",
         position="值班经理", unit="中国移动通信集团北京有限公司密云分公司",
         company="中国移动北京公司", operator="中国移动", region="北京",
         team_category=None, team_size=None),
]


@pytest.mark.parametrize("i", range(5))
def test_entry_fields(parsed, i):
    entry = parsed.entries[i]
    for key, value in EXPECTED[i].items():
        assert entry[key] == value, key


def test_award_titles(parsed):
    assert [e["award"] for e in parsed.entries] == [
        "全国用户满意电信服务明星", "全国用户满意电信服务明星班组", "全国用户满意电信服务明星",
        "全国用户满意电信服务明星班组", "全国用户满意电信服务明星"]


def test_citation_boundaries(parsed):
    first, team, zhang, centre, liu = (e["citation"] for e in parsed.entries)
    assert first.startswith("李玉柱同志自2012年进入公司以来")
    assert first.endswith("为打造匠心网络贡献着他的力量。")
    assert team.startswith("责任搭起桥梁、速度点亮精彩")
    assert zhang.startswith("张娜在中国电信股份有限公司北京市大兴区分公司从事投申诉首岗工作")
    assert centre.startswith("中国电信北京公司客户服务部投诉处理中心")
    assert liu.startswith("刘鑫鑫一直服务于营业一线")
    assert liu.endswith("赢得用户的信任与信赖。")


def test_citations_keep_paragraphs_and_inner_headings(parsed):
    first, _, zhang, centre, liu = (e["citation"] for e in parsed.entries)
    assert first.count("\n") == 7  # eight paragraphs
    assert "\n一、落实投诉管理办法,明确流程,闭环管理。\n" in zhang
    assert "(一)    聚焦用户感知" in centre
    assert "\n1.严格新人培训,以周为单位制定学习计划\n" in liu


def test_no_page_chrome_in_citations(parsed):
    for entry in parsed.entries:
        text = entry["citation"]
        for chrome in ("当前位置", "主办单位", "版权所有", "ICP备", "公网安备", "网站标识码",
                       "推荐情况如下", "姓名:", "班组名称:", "申报说明材料", "公示时间",
                       "全国用户满意电信服务明星中国"):
            assert chrome not in text, (entry["name"], chrome)
