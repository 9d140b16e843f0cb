"""Candidates and honorees kept apart: results, facets, filters, cycle pages, the feed."""

import csv
import io
import re


def test_stage_is_in_every_result_and_a_facet_and_a_filter(mixed):
    result = mixed.get("/api/search?q=李玉柱").get_json()
    # One person, shown once, with both stages on their path; facets count entries.
    [hit] = result["results"]
    assert hit["stage"] in ("candidates", "honorees")
    assert sorted(p["stage"] for p in hit["path"]) == ["candidates", "honorees"]
    assert {f["value"]: f["count"] for f in result["facets"]["stage"]} == \
        {"candidates": 1, "honorees": 1}
    honours = mixed.get("/api/search?q=李玉柱&stage=honorees").get_json()
    assert [h["stage"] for h in honours["results"]] == ["honorees"]
    page = mixed.get("/search?q=李玉柱").get_data(as_text=True)
    assert "候选人公示" in page and "表彰获奖" in page and "阶段" in page


def test_cycle_page_counts_people_once_and_splits_stages(mixed):
    page = mixed.get("/cycles/2017-2018").get_data(as_text=True)
    # Seed: 5 candidates; CSV: 3 honorees, of whom 李玉柱 and the 投诉处理中心 team were
    # candidates too: 6 people and teams in all.
    assert "候选人 5" in page and "获表彰 3" in page and "共 6 位（个）" in page
    only = mixed.get("/cycles/2017-2018?stage=honorees").get_data(as_text=True)
    assert "王晓明" in only and "刘鑫鑫" not in only
    csv_link = re.search(r'href="(/export/cycles/2017-2018\.csv[^"]*)"', only).group(1)
    rows = list(csv.DictReader(io.StringIO(
        mixed.get(csv_link.replace("&amp;", "&")).get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["阶段"] for r in rows} == {"表彰获奖"} and len(rows) == 3


def test_home_page_says_candidates_and_honorees(mixed, shared_client):
    home = mixed.get("/").get_data(as_text=True)
    assert re.search(r"<strong>5</strong> 位（个）候选人", home)
    assert re.search(r"<strong>3</strong> 位（个）获表彰", home)
    only_candidates = shared_client.get("/").get_data(as_text=True)
    assert "服务明星</li>" not in only_candidates
    assert re.search(r"<strong>0</strong> 位（个）获表彰", only_candidates)


def test_feed_entries_say_the_stage(mixed):
    feed = mixed.get("/feed.atom").get_data(as_text=True)
    assert "（获表彰）" in feed and "（候选人）" in feed
