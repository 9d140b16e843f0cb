"""Accessibility, measured: axe-core (from the npm registry, installed by `make test`
into tests/axe/, never served by the app) runs in Chromium over every public page at
390 and 1280 px; no serious or critical violation."""

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"

#: Every public page, with the data it needs (see the fixture below).
PAGES = ("/", "/search?q=联通", "/search?q=liyuzhu&kind=individual", "/search?q=不存在的人名",
         "/honorees/{entry}", "/people/{person}", "/cycles", "/cycles/2017-2018",
         "/notices", "/notices/{notice}", "/about", "/corrections", "/stats",
         "/compare?a=2017-2018&b=2021-2022&stage=all", "/trends?q=反诈", "/data",
         "/admin/login", "/no-such-page")


@pytest.fixture(scope="module")
def site(generated):
    """gunicorn over the generated archive (three cycles, both stages), and the ids
    its pages need."""
    from conftest import gunicorn
    entry = next(generated.db.query("select id, person_key, notice_id from entries "
                                    "where citation is not null order by id limit 1"))
    with gunicorn(generated.home) as url:
        yield url, {"entry": entry["id"], "person": entry["person_key"],
                    "notice": entry["notice_id"]}


@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_or_critical_violation_on_any_public_page(browser, site, width):
    assert AXE.exists(), "run `make test` (it installs axe-core from the npm registry)"
    base, ids = site
    # bypass_csp: axe is injected as a script of the test's; the site's own CSP stays.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(base + path.format(**ids))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => JSON.stringify(await axe.run(document, "
                               "{resultTypes: ['violations']}))")
        bad = [v for v in json.loads(result)["violations"]
               if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                           for v in bad]
    context.close()
    assert found == {}
