"""A notice's metadata from the right line (ingest/metadata.py): the issuing body, not
the posting department; values that end at the next label; whole titles; 发布日期
and 成文日期 apart."""

import notice_files as nf

from archive.ingest import parse_bytes

BLOCKS = """<p>姓名：林小禾</p><p>性别：女</p><p>出生年月：1991.05</p>
<p>工作单位：中国移动通信集团湖南有限公司长沙分公司</p>
<p>申报说明材料：</p><p>林小禾扎根营业厅十年，热情服务客户。</p>"""


def _page(head, body=BLOCKS, tail=""):
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>某站</title></head><body>
{head}<p>一、中国移动湖南公司推荐情况如下：</p>
<p>全国用户满意电信服务明星中国移动湖南公司</p>{body}{tail}
<div class="footer">版权所有 湘ICP备00000000号</div></body></html>""".encode()


def test_publisher_is_the_issuing_body_not_the_department_that_posted_the_page():
    page = nf.commendation_html().replace(
        "发文机关：</td><td>工业和信息化部".encode(), "来源：</td><td>信息通信管理局".encode())
    parsed = parse_bytes(page, "通报.html")
    assert parsed.notice["publisher"] == "工业和信息化部"  # the signature
    assert parsed.notice["department"] == "信息通信管理局"


def test_values_end_at_the_next_label_when_spans_touch():
    head = ("<h1>关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示</h1>"
            "<div><span>来源：湖南省通信管理局</span><span>浏览量：12</span>"
            "<span>发布时间：2022-09-01</span></div>")
    parsed = parse_bytes(_page(head), "hunan.html")
    assert parsed.notice["publisher"] == "湖南省通信管理局"
    assert parsed.notice["published"] == "2022-09-01"
    assert parsed.notice["region"] == "湖南"
    from archive.ingest.metadata import label_value
    assert label_value("某局浏览量：12") == "某局"
    assert label_value("工业和信息化部 打印本页") == "工业和信息化部"


def test_a_title_broken_by_br_is_read_whole_and_its_stage_found():
    head = ("<h1>关于2021-2022年度“全国用户满意电信服务明星”<br>候选人名单的公示</h1>"
            "<p>来源：湖南省通信管理局 日期：2022-09-01</p>")
    parsed = parse_bytes(_page(head), "hunan.html")
    assert parsed.notice["title"] == "关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示"
    assert parsed.notice["stage"] == "candidates" and parsed.notice["cycle"] == "2021-2022"


def test_a_title_wrapped_over_pdf_lines_is_read_whole():
    parsed = parse_bytes(nf.commendation_pdf(), "通报.pdf")
    assert parsed.notice["title"] == nf.TITLE
    assert parsed.notice["doc_number"] == "工信行建〔2023〕1号"


def test_a_signature_date_is_the_signing_date_and_stands_in_for_publication_with_a_warning():
    parsed = parse_bytes(nf.commendation_pdf(), "通报.pdf")
    assert parsed.notice["signed"] == "2023-05-15"
    assert parsed.notice["published"] == "2023-05-15"
    assert any("未注明发布日期" in w and "成文日期 2023-05-15" in w for w in parsed.warnings)


def test_published_signed_and_generated_dates_side_by_side():
    head = ("<h1>关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示</h1><table>"
            "<tr><td>生成日期：</td><td>2022-10-08</td><td>成文日期：</td><td>2022-09-28</td></tr>"
            "<tr><td>发布日期：</td><td>2022-09-30</td><td>发文机关：</td><td>湖南省通信管理局</td></tr>"
            "</table>")
    parsed = parse_bytes(_page(head), "hunan.html")
    assert (parsed.notice["published"], parsed.notice["signed"]) == ("2022-09-30", "2022-09-28")
    assert not any("未注明发布日期" in w for w in parsed.warnings)


def test_a_signature_beats_the_source_line_and_its_date_is_kept_apart():
    head = ("<h1>关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示</h1>"
            "<p>来源：办公室 日期：2022-09-01</p>")
    tail = "<p>湖南省通信管理局</p><p>2022年8月30日</p>"
    parsed = parse_bytes(_page(head, tail=tail), "hunan.html")
    assert parsed.notice["publisher"] == "湖南省通信管理局"
    assert parsed.notice["department"] == "办公室"
    assert (parsed.notice["published"], parsed.notice["signed"]) == ("2022-09-01", "2022-08-30")
    # The signature never leaks into the last citation.
    assert parsed.entries[-1]["citation"] == "林小禾扎根营业厅十年，热情服务客户。"


def test_an_office_named_as_source_is_the_department_and_the_administration_the_publisher():
    head = ("<h1>关于2021-2022年度“全国用户满意电信服务明星”候选人名单的公示</h1>"
            "<p>来源：湖南省通信管理局办公室　发布时间：2022-09-01</p>")
    parsed = parse_bytes(_page(head), "hunan.html")
    assert parsed.notice["publisher"] == "湖南省通信管理局"
    assert parsed.notice["department"] == "湖南省通信管理局办公室"
    assert parsed.notice["region"] == "湖南"


def test_a_pdf_title_wrapped_anywhere_is_read_whole():
    for cut in (10, 24, 50):
        parsed = parse_bytes(nf.commendation_pdf((nf.TITLE[:cut], nf.TITLE[cut:])), "通报.pdf")
        assert parsed.notice["title"] == nf.TITLE, cut
