"""The notice as a reader sees it (通知原文, ParsedNotice.reading): its text in document
order with its tables where they stand, and without the site around it (navigation,
breadcrumbs, footers, share boxes), in every format."""

import random

import pytest

import layouts
from archive.ingest import parse_bytes

META = {"published": "2022-03-02", "publisher": layouts.PUBLISHER, "title": layouts.TITLE}


def _kinds(reading):
    return [(b["type"], b.get("text", "")[:8]) for b in reading]


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf", "wechat"])
@pytest.mark.parametrize("seed", range(4))
def test_the_tables_stand_where_they_stand_in_the_notice(fmt, seed):
    rng = random.Random(f"reading-{fmt}-{seed}")
    items = layouts.paragraphs(rng, "table", layouts.people(rng, 4), headerless=False)
    filename, data = layouts.render(items, fmt, rng)
    reading = parse_bytes(data, filename, META).reading
    order = [b["type"] for b in reading]
    assert "table" in order
    table = order.index("table")
    texts = [b.get("text", "") for b in reading]
    signature = next(i for i, t in enumerate(texts) if t == layouts.PUBLISHER)
    closing = next(i for i, t in enumerate(texts) if t.startswith("公示期间"))
    assert table < closing < signature  # the list, then the closing lines, then the signature
    assert any(t.startswith("根据评选工作安排") for t in texts[:table])


def test_a_pages_navigation_breadcrumbs_and_footer_are_not_the_notice():
    rng = random.Random("chrome")
    items = layouts.paragraphs(rng, "numbered", layouts.people(rng, 3))
    body = "".join(f"<p>{value}</p>" for kind, value in items if kind == "p")
    page = f"""<html><head><meta charset="utf-8"><title>公示</title></head><body>
<div class="top"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/bsfw">办事服务</a>
<a href="/hdjl">互动交流</a> <a href="/map">网站地图</a></div>
<div class="crumb">您现在的位置：<a href="/">首页</a> &gt; <a href="/tzgg">通知公告</a></div>
<div class="meta">来源：江西省通信管理局 发布时间：2022-03-02</div>
<div class="content">{body}</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="foot"><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> |
<a href="/map">网站地图</a><p>主办单位：江西省通信管理局 版权所有</p>
<p>赣ICP备05000000号 赣公网安备36010000000000号</p></div></body></html>"""
    parsed = parse_bytes(page.encode(), "公示.html", {"published": "2022-03-02"})
    texts = " ".join(b.get("text", "") for b in parsed.reading)
    for chrome in ("网站地图", "您现在的位置", "分享到", "ICP备", "主办单位", "办事服务"):
        assert chrome not in texts, chrome
    assert parsed.reading[0]["text"].startswith("关于2021")
    assert parsed.notice["publisher"] == layouts.PUBLISHER and len(parsed.entries) == 3


def test_a_notice_whose_list_is_most_of_its_text_keeps_its_paragraphs():
    rng = random.Random("long-list")
    items = layouts.paragraphs(rng, "table", layouts.people(rng, 9), headerless=False)
    body = "".join(f"<p>{v}</p>" if k == "p" else "<table>" + "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in v) + "</table>"
        for k, v in items)
    page = (f'<html><head><meta charset="utf-8"></head><body><div class="nav"><a href="/">首页</a>'
            f'</div><div class="content">{body}</div></body></html>')
    reading = parse_bytes(page.encode(), "公示.html", META).reading
    assert [b["type"] for b in reading][:3] == ["p", "p", "p"]
    assert reading[0]["text"].startswith("关于2021")
    assert reading[-1]["text"] in ("2022年3月1日", "二〇二二年三月一日", "二○二二年三月一日")
