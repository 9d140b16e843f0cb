"""End to end in real headless Chromium (Debian's), driven by Playwright."""

import csv
import io

import pytest

pytestmark = pytest.mark.slow  # minutes: `pytest -m "not slow"` skips them locally


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base = live_server
    yield page
    context.close()
    assert errors == []


def test_search_click_through_facet_cycle_and_csv(page, artifacts):
    page.goto(page.base + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)

    page.get_by_label("检索姓名、单位或事迹").fill("玉柱")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator("li.hit").first
    assert "李玉柱" in first.locator("h2").inner_text()
    assert first.locator("h2 mark").inner_text() == "玉柱"
    assert first.locator(".snippet mark").count() >= 1
    page.screenshot(path=str(artifacts / "results.png"), full_page=True)

    first.locator("h2 a").click()
    page.wait_for_url("**/honorees/*")
    assert page.locator("h1").inner_text().startswith("李玉柱")
    assert "阿尔及利亚使馆" in page.locator("section.citation").inner_text()
    assert "北京市通信管理局" in page.locator("#cite-line").input_value()
    assert "[DB/OL]" in page.locator("#cite-gbt").input_value()
    assert "北京市通信管理局. " in page.locator("#cite-gbt-notice").input_value()
    assert page.locator("#cite-bibtex").input_value().startswith("@misc{honors-")
    page.screenshot(path=str(artifacts / "honoree.png"), full_page=True)

    # A facet narrows the results, and can be removed again.
    page.goto(page.base + "/search?q=投诉")
    assert page.locator(".total").inner_text() == "4"
    page.locator(".facet a", has_text="中国电信").click()
    page.wait_for_url("**operator=*")
    assert page.locator(".total").inner_text() == "2"
    page.locator("a.remove").click()
    assert page.locator(".total").inner_text() == "4"
    # The stage facet: every seed entry is a candidate, and says so.
    stage = page.locator("section.facet", has=page.locator("h2", has_text="阶段"))
    assert stage.locator("li").count() == 1 and "候选人公示" in stage.inner_text()
    stage.locator("a", has_text="候选人公示").click()
    page.wait_for_url("**stage=candidates*")
    assert page.locator(".total").inner_text() == "4"
    assert page.locator("li.hit .tag.stage-candidates").count() == 4

    # Browse the cycle, then download its CSV and read it back.
    page.goto(page.base + "/cycles")
    page.get_by_role("link", name="2017-2018年度").first.click()
    page.wait_for_url("**/cycles/2017-2018")
    assert page.locator("section.operator").count() == 3
    with page.expect_download() as info:
        page.locator(".export a", has_text="CSV").click()
    download = info.value
    assert download.suggested_filename == "honorees-2017-2018.csv"
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert sorted(r["姓名或班组名称"] for r in rows) == sorted(
        ["李玉柱", "集中处理专席", "张娜", "客户服务部投诉处理中心", "刘鑫鑫"])
    # Filter the cycle to teams: the export link follows the filter.
    page.select_option("#kind", "team")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/cycles/2017-2018?*kind=team*")
    with page.expect_download() as info:
        page.locator(".export a", has_text="CSV").click()
    with open(info.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert sorted(r["姓名或班组名称"] for r in rows) == ["客户服务部投诉处理中心", "集中处理专席"]
    assert {r["类别"] for r in rows} == {"班组"}


def test_phone_width_and_keyboard(browser, live_server, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/search?q=投诉")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(artifacts / "results-phone.png"), full_page=True)
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "A"
    context.close()


def test_admin_logs_in_uploads_confirms_and_finds_the_honoree(page, live_server, seeded_copy,
                                                              artifacts):
    from archive import auth
    from conftest import DATA
    auth.create_user(seeded_copy.private, "editor", "correct horse battery")
    page.goto(page.base + "/admin/")
    page.wait_for_url("**/admin/login**")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("correct horse battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    page.get_by_label("通知文件").set_input_files(str(DATA / "guangdong-2019-2020-candidates.html"))
    page.get_by_role("button", name="上传并预览").click()
    assert "将导入 3 条记录" in page.content()
    page.screenshot(path=str(artifacts / "admin-preview.png"), full_page=True)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/notices/*")
    assert "已导入，3 条记录" in page.content()
    page.goto(page.base + "/search?q=chensiyuan")
    assert page.locator("li.hit h2 a").first.inner_text() == "陈思远"


def test_hostile_notice_executes_nothing_in_the_browser(page, live_server, seeded_copy):
    from conftest import DATA
    seeded_copy.imports.import_paths([DATA / "xss-2019-2020-candidates.txt"])
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hit = seeded_copy.records.search("钱多多")["results"][0]
    notice = seeded_copy.db.execute("select notice_id from entries where id = ?",
                                    [hit["id"]]).fetchone()[0]
    for path in (f"/honorees/{hit['id']}", "/search?q=钱多多", "/search?q=宽带",
                 "/cycles/2019-2020", f"/notices/{notice}", "/notices"):
        page.goto(page.base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        # No inline code (JSON-LD is data, never run: CSP's script-src does not apply).
        assert page.locator('script:not([src]):not([type="application/ld+json"])').count() \
            == 0, path
        assert page.locator("img[onerror], svg").count() == 0, path
        assert page.locator("a[href^='javascript']").count() == 0, path
    page.goto(page.base + f"/honorees/{hit['id']}")
    text = page.locator("section.citation").inner_text()
    assert "<script>window.__xss=3;alert(1)</script>" in text  # shown as text
    assert "<script>" in page.locator("h1").inner_text()
    assert dialogs == []


def test_a_persons_timeline_and_a_corrected_field(browser, seeded_copy, artifacts):
    from conftest import DATA, gunicorn
    seeded_copy.imports.import_paths([DATA / "beijing-2017-2018-honorees.csv"])
    liu = seeded_copy.db.execute("select id from entries where name = '刘鑫鑫'").fetchone()[0]
    seeded_copy.corrections.correct(liu, {"education": "硕士研究生"}, "editor")
    seeded_copy.close()
    with gunicorn(seeded_copy.home) as url:
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.goto(url + "/search?q=李玉柱")
        hits = page.locator("li.hit")
        assert hits.count() == 1  # one person, shown once
        path = hits.first.locator("p.path")
        assert "候选人公示 → 表彰获奖" in path.inner_text()
        path.locator("a", has_text="全部记录").click()
        page.wait_for_url("**/people/*")
        items = page.locator("ol.timeline li")
        assert items.count() == 2
        assert "2018-10-24" in items.nth(0).inner_text() and "候选人公示" in items.nth(0).inner_text()
        assert "2019-01-15" in items.nth(1).inner_text() and "表彰获奖" in items.nth(1).inner_text()
        page.screenshot(path=str(artifacts / "timeline-390.png"), full_page=True)
        page.goto(url + f"/honorees/{liu}")
        marker = page.locator(".tag.corrected")
        assert marker.count() == 1 and marker.inner_text() == "已更正"
        assert "通知原文：大学本科" in page.locator(".fields").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "corrected-390.png"), full_page=True)
        page.goto(url + "/corrections")
        assert "刘鑫鑫" in page.locator("table").inner_text()
        context.close()


def test_search_box_suggests_as_you_type_with_the_keyboard(page, artifacts):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(page.base + "/")
    box = page.get_by_role("combobox", name="检索姓名、单位或事迹")
    box.press_sequentially("lyz", delay=50)
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "李玉柱" in options.first.inner_text()
    page.screenshot(path=str(artifacts / "suggest-390.png"), full_page=True)
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("listbox").is_hidden()
    box.fill("")
    box.press_sequentially("联", delay=50)
    page.get_by_role("option", name="中国联通 运营商").wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator(".total").inner_text() == "2"
    # A typo: the page offers what was probably meant.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page.base + "/search?q=李玉住")
    hint = page.locator(".did-you-mean")
    assert "您是不是要找" in hint.inner_text()
    page.screenshot(path=str(artifacts / "did-you-mean-1280.png"), full_page=True)
    hint.get_by_role("link", name="李玉柱").click()
    page.wait_for_url("**/search?q=*")
    assert "李玉柱" in page.locator("li.hit h2").first.inner_text()


@pytest.fixture(scope="module")
def journalists_server(generated):
    """gunicorn over the seed plus the generated list (three cycles, both stages)."""
    from conftest import gunicorn
    with gunicorn(generated.home) as url:
        yield url


def _table(page, caption):
    """The rows of the table with this caption, as lists of cell texts."""
    table = page.locator("table", has=page.locator("caption", has_text=caption)).first
    return [[c.inner_text().strip() for c in row.locator("th, td").all()]
            for row in table.locator("tbody tr").all()]


#: The on-screen size (px) of every visible chart label, and the page's scroll width.
_CHART_LABELS = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll('svg.chart text')) {
    if (!text.getBoundingClientRect().width) continue;  // the drawing for the other width
    const size = parseFloat(text.getAttribute('font-size'));
    sizes.push(size * text.getScreenCTM().a);
  }
  return {smallest: Math.min(...sizes), labels: sizes.length,
          scroll: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_charts_fit_their_box_with_labels_of_12_px_or_more(browser, journalists_server, width):
    """Phones too: each chart is drawn for its width (no sideways scrolling, nothing
    cut), every label at least 12 px on screen."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    for url in ("/stats", "/compare?a=2017-2018&b=2021-2022&stage=all", "/trends?q=反诈"):
        page.goto(journalists_server + url)
        measured = page.evaluate(_CHART_LABELS)
        assert measured["labels"] >= 8, url  # axis ticks and cycle labels at least
        assert measured["smallest"] >= 12, (url, measured)
        assert measured["scroll"] <= width, (url, measured)
        for chart in page.locator("svg.chart").all():
            if chart.is_visible():
                box, parent = chart.bounding_box(), chart.locator("xpath=..").bounding_box()
                assert box["width"] <= parent["width"] + 1, url
    context.close()


def test_on_a_phone_the_filters_fold_above_the_results_with_the_chosen_on_top(
        browser, journalists_server):
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(journalists_server + "/search?q=联通&kind=team")
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None  # folded
    chip = page.locator(".active-filters a.remove").first
    first_hit = page.locator("li.hit").first
    assert panel.bounding_box()["y"] < chip.bounding_box()["y"] < first_hit.bounding_box()["y"]
    page.locator("details.filter-panel > summary").click()
    facet = page.locator(".facet a").first
    assert facet.is_visible()
    facet.click()
    page.wait_for_url("**/search?*")
    assert page.locator(".active-filters a.remove").count() == 2
    context.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = wide.new_page()
    page.goto(journalists_server + "/search?q=联通")
    assert page.locator(".facet a").first.is_visible()  # open beside the results
    assert not page.locator("details.filter-panel > summary").is_visible()
    wide.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_journalists_pages_charts_tables_and_downloads(browser, journalists_server, artifacts,
                                                       width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = journalists_server
    page.goto(base + "/stats")
    assert page.locator("svg.chart").count() >= 4
    rows = _table(page, "各年度按运营商的人数")
    assert [r[0] for r in rows] == ["2021-2022", "2019-2020", "2017-2018"]
    total = sum(int(r[-1]) for r in rows)
    # People of each cycle, each once (the seed's 5 and the generated 120 entries).
    assert total == page.request.get(base + "/api/stats").json()["people"] <= 125
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"stats-{width}.png"), full_page=True)
    # A number opens the search that produces it.
    first = page.locator("table.crosstab tbody td a").first
    n = first.inner_text()
    first.click()
    page.wait_for_url("**/search?*")
    import re
    assert page.locator(".total").inner_text() == n  # the search's people, as /stats counts

    page.goto(base + "/compare?a=2017-2018&b=2021-2022")
    rows = _table(page, "两个年度按运营商的记录数")
    assert rows and all(len(r) == 4 for r in rows)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"compare-{width}.png"), full_page=True)

    page.goto(base + "/trends?q=反诈")
    rows = _table(page, "各年度提到“反诈”的事迹数与占比")
    shares = {r[0]: r[-1] for r in rows}
    assert shares["2017-2018"].endswith("= 0.0%")  # n / N = share
    assert re.fullmatch(r"[1-9]\d* / \d+ = \d+\.\d%", shares["2021-2022"])
    page.screenshot(path=str(artifacts / f"trends-{width}.png"), full_page=True)

    page.goto(base + "/data")
    page.screenshot(path=str(artifacts / f"data-{width}.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV（中文表头）").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text("utf-8-sig"))))
    assert len(rows) == 126 and rows[0][3] == "姓名或班组名称"
    with page.expect_download() as info:
        page.get_by_role("link", name="archive-public.db").click()
    import sqlite3
    db = sqlite3.connect(info.value.path())
    assert db.execute("select count(*) from entries").fetchone()[0] == 125
    db.close()
    context.close()
    assert errors == []


def test_honoree_neighbours(browser, journalists_server, artifacts):
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(journalists_server + "/search?q=李玉柱")
        page.locator("li.hit h2 a").first.click()
        page.wait_for_url("**/honorees/*")
        assert page.locator("#similar").inner_text() == "相似的事迹"
        assert page.locator("section[aria-labelledby=similar] li").count() >= 1
        page.screenshot(path=str(artifacts / f"honoree-neighbours-{width}.png"), full_page=True)
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_cycle_cohort_filter_and_about_page(browser, journalists_server, artifacts, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(journalists_server + "/stats")
    # The women of 2017-2018, from the gender table, open the filtered cycle page.
    row = page.locator("table", has=page.locator("caption", has_text="性别与女性占比")) \
        .locator("tbody tr", has=page.locator("th", has_text="2017-2018"))
    link = row.locator("td a").nth(1)
    n = int(link.inner_text())
    link.click()
    page.wait_for_url("**/cycles/2017-2018?*gender=*")
    assert "性别：女" in page.locator(".active-filters").inner_text()
    assert page.locator("ul.entries li").count() == n
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"cycle-gender-{width}.png"), full_page=True)
    page.locator(".active-filters a.remove").click()
    assert page.locator(".active-filters").count() == 0
    page.goto(journalists_server + "/about")
    page.screenshot(path=str(artifacts / f"about-{width}.png"), full_page=True)
    context.close()
