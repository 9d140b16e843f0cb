"""People across notices: one person, their path and timeline; links that last."""

import re


from archive import identity
from archive.archive import Archive

from conftest import DATA, SEED, make_app


def test_spacing_and_traditional_characters_do_not_split_a_person():
    base = {"kind": "individual", "operator": "中国联通", "region": "北京", "cycle": "2017-2018"}
    keys = {identity.person_key({**base, "name": name}) for name in ("张娜", "張娜", "张 娜", "张　娜")}
    assert len(keys) == 1
    assert identity.person_key({**base, "name": "张娜", "cycle": "2019-2020"}) in keys
    assert identity.person_key({**base, "name": "张娜", "region": "上海"}) not in keys
    assert identity.person_key({**base, "name": "张娜", "kind": "team"}) not in keys


def test_a_search_shows_a_person_once_with_their_path(mixed):
    result = mixed.get("/api/search?q=李玉柱").get_json()
    assert result["total"] == 1 and len(result["results"]) == 1
    hit = result["results"][0]
    assert [(p["cycle"], p["stage"]) for p in hit["path"]] == [
        ("2017-2018", "candidates"), ("2017-2018", "honorees")]
    page = mixed.get("/search?q=李玉柱").get_data(as_text=True)
    assert re.search(r"2017-2018年度\s*<a[^>]*>候选人公示</a>\s*→\s*<a[^>]*>表彰获奖</a>", page)


def test_the_person_page_shows_the_timeline(mixed):
    hit = mixed.get("/api/search?q=李玉柱").get_json()["results"][0]
    page = mixed.get(f"/honorees/{hit['id']}").get_data(as_text=True)
    link = re.search(r'href="(/people/[0-9a-f]+)"', page).group(1)
    timeline = mixed.get(link).get_data(as_text=True)
    first, second = timeline.index("候选人名单公示"), timeline.index("关于表彰2017-2018年度")
    assert first < second  # oldest notice first
    assert "2018-10-24" in timeline and "2019-01-15" in timeline
    assert mixed.get("/people/0000000000ff").status_code == 404


def test_archive_show_lists_the_related_entries(runner, home):
    runner("init")
    runner("import", DATA / "beijing-2017-2018-honorees.csv")
    a = Archive(home)
    candidate = a.db.execute("select id from entries where name = '李玉柱' and "
                             "stage = 'candidates'").fetchone()[0]
    honoree = a.db.execute("select id from entries where name = '李玉柱' and "
                           "stage = 'honorees'").fetchone()[0]
    a.close()
    out = runner("show", candidate).output
    assert "related:" in out and honoree in out and "honorees" in out


# -- stable links -----------------------------------------------------------------------

def test_an_entry_keeps_its_id_when_a_new_version_renames_it(runner, home, tmp_path):
    runner("init")
    a = Archive(home)
    old = a.db.execute("select id from entries where name = '李玉柱'").fetchone()[0]
    a.close()
    renamed = tmp_path / "seed.txt"
    renamed.write_text(SEED.read_text("utf-8").replace("李玉柱", "李玉桂"), "utf-8")
    out = runner("import", renamed)
    assert out.exit_code == 0, out.output
    a = Archive(home)
    assert a.db["entries"].get(old)["name"] == "李玉桂"
    assert a.db["entries"].count == 5
    a.close()


def test_retired_ids_answer_410_or_301(seeded_copy, tmp_path):
    text = SEED.read_text("utf-8")
    start = text.index("全国用户满意电信服务明星中国移动北京公司")
    shorter = tmp_path / "seed.txt"
    shorter.write_text(text[:start] + text[text.index("主办单位"):], "utf-8")
    gone = seeded_copy.db.execute("select id, notice_id from entries where name = '刘鑫鑫'").fetchone()
    seeded_copy.imports.import_paths([shorter], allow_removal=True)
    client = make_app(seeded_copy.home).test_client()
    r = client.get(f"/honorees/{gone[0]}")
    assert r.status_code == 410
    assert f'href="/notices/{gone[1]}"' in r.get_data(as_text=True)
    assert client.get(f"/api/honorees/{gone[0]}").status_code == 410
    # A retired id with a successor redirects to it.
    successor = seeded_copy.db.execute("select id from entries where name = '张娜'").fetchone()[0]
    seeded_copy.db["retired_entries"].update(gone[0], {"successor": successor})
    r = client.get(f"/honorees/{gone[0]}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/honorees/{successor}")
    assert client.get("/honorees/000000000000").status_code == 404


def test_a_duplicate_dropped_by_a_new_version_redirects_to_the_entry_that_stays(
        seeded_copy, tmp_path):
    """A notice that listed 李玉柱 twice is corrected to list him once: the dropped
    duplicate's id answers 301 to the entry that stays (not 410: he is still there)."""
    text = SEED.read_text("utf-8")
    start = text.index("全国用户满意电信服务明星中国联通北京分公司")
    end = text.index("全国用户满意电信服务明星班组中国联通北京分公司")
    doubled = tmp_path / "seed.txt"
    doubled.write_text(text[:end] + text[start:end] + text[end:], "utf-8")
    seeded_copy.imports.import_paths([doubled], allow_removal=True)
    ids = [r[0] for r in seeded_copy.db.execute(
        "select id from entries where name = '李玉柱' order by seq")]
    assert len(ids) == 2
    seeded_copy.imports.import_paths([SEED], allow_removal=True)
    [kept] = [r[0] for r in seeded_copy.db.execute("select id from entries where name = '李玉柱'")]
    [dropped] = [i for i in ids if i != kept]
    client = make_app(seeded_copy.home).test_client()
    r = client.get(f"/honorees/{dropped}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/honorees/{kept}")
    r = client.get(f"/api/honorees/{dropped}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/api/honorees/{kept}")


def test_the_results_page_says_people_and_entries(mixed):
    page = mixed.get("/search?q=李玉柱").get_data(as_text=True)
    assert re.search(r'共 <span class="total">1</span> 个结果 <span class="muted">（2 条记录', page)


def test_a_person_is_headed_by_their_highest_distinction(seeded_copy, tmp_path):
    """李玉柱, a 2017-2018 candidate (whose citation matches) and a later honoree: the
    hit shows the honour, its badge and details; the path lists the rest."""
    text = (DATA / "beijing-2017-2018-honorees.csv").read_text("utf-8")
    later = tmp_path / "beijing-2019-2020-honorees.csv"
    later.write_text(text.replace("2017-2018", "2019-2020").replace("2019-01-15", "2021-01-15")
                     .replace("〔2019〕3号", "〔2021〕2号"), "utf-8")
    seeded_copy.imports.import_paths([later])
    [hit] = seeded_copy.records.search("李玉柱 使馆")["results"]  # only the candidate's text
    honoree = next(p for p in hit["path"] if p["stage"] == "honorees")
    assert (hit["id"], hit["stage"], hit["cycle"]) == (honoree["id"], "honorees", "2019-2020")
    assert hit["matched"] != hit["id"] and "使馆" in hit["passage"]["text"]
    assert [p["stage"] for p in hit["path"]] == ["candidates", "honorees"]
    page = make_app(seeded_copy.home).test_client().get("/search?q=李玉柱 使馆")
    html = page.get_data(as_text=True)
    card = html[html.index('<h2><a href="/honorees/' + hit["id"]):]
    assert 'class="tag stage-honorees">表彰获奖' in card[:400]
    assert "2019-2020" in card[:800]
