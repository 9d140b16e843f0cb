"""Requests anyone can send: absurd queries and parameters get a 400 with a message, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.markup import marked_hits
from index.parsing import QueryError


FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


SYNTAX = st.sampled_from(['"', "'", "-", "*", "?", ":", "name:", "company:", "cycle:", "kind:",
                          "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "~", "^", "\\",
                          "\u202e", "\u200f", "\x00", "\x1b", "🙂", "聯通", "李玉柱", " ", "\t",
                          "\ud7ff", "\ufffd", "％", "＂"])


QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(SYNTAX, st.text(max_size=5)), max_size=20).map("".join),
    st.text(min_size=190, max_size=10000),
)


@FUZZ
@given(q=QUERIES, page=st.integers(-5, 2000), per_page=st.integers(-5, 200),
       operator=st.one_of(st.none(), st.text(max_size=80)))
def test_search_function_never_raises_anything_but_query_error(seeded, q, page, per_page,
                                                               operator):
    try:
        result = seeded.records.search(q, filters={"operator": operator}, page=page, per_page=per_page)
    except QueryError as exc:
        assert str(exc)
        return
    assert len(result["results"]) == max(0, min(per_page, result["total"] - (page - 1) * per_page))
    for hit in marked_hits(result["results"]):
        assert "<script" not in hit["snippet"]


@FUZZ
@given(q=QUERIES, page=st.text(max_size=6), kind=st.text(max_size=10),
       sort=st.sampled_from(["", "relevance", "newest", "x"]))
def test_api_and_page_answer_200_or_400(shared_client, q, page, kind, sort):
    params = {"q": q, "page": page, "kind": kind, "sort": sort}
    for path in ("/api/search", "/search"):
        r = shared_client.get(path, query_string=params)
        assert r.status_code in (200, 400), (path, params, r.status_code)
        body = r.get_data(as_text=True)
        assert "Traceback" not in body
        if r.status_code == 400 and path == "/api/search":
            assert r.get_json()["message"]


def test_oversized_query_string_is_400(shared_client):
    assert shared_client.get("/search?q=" + "字" * 3000).status_code == 400
    assert shared_client.get("/api/search?x=" + "a" * 5000).status_code == 400


@pytest.mark.parametrize("path", ["/search?q=a%0d%0aSet-Cookie:x", "/export/search.csv?q=%00",
                                  "/export/search.json?q=x%0ay", "/api/search?q=%0d",
                                  "/cycles/2017-2018?region=%00"])
def test_cr_lf_nul_in_a_parameter_is_a_400_with_security_headers(shared_client, path):
    r = shared_client.get(path)
    assert r.status_code == 400
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


BIG = str(2 ** 63)


@pytest.mark.parametrize("path", [
    "/notices/{nid}/versions/" + BIG, "/notices/{nid}/files/" + BIG + "/1",
    "/notices/{nid}/files/1/" + BIG, "/sitemaps/honorees-" + BIG + ".xml",
])
def test_an_integer_out_of_range_in_a_path_is_not_found(shared_client, path):
    nid = shared_client.get("/api/notices").get_json()[0]["id"]
    assert shared_client.get(path.format(nid=nid)).status_code == 404


@pytest.mark.parametrize("path", ["/notices?page=" + BIG, "/corrections?page=" + BIG,
                                  "/notices?page=-" + BIG, "/corrections?page=1e3"])
def test_an_integer_out_of_range_in_a_query_is_a_bad_request(shared_client, path):
    response = shared_client.get(path)
    assert response.status_code == 400 and "页码" in response.get_data(as_text=True)


@pytest.mark.parametrize("path,word", [
    ("/api/search?q=李&kind=robot", "类别"), ("/api/search?q=李&stage=bogus", "阶段"),
    ("/search?q=李&kind=robot", "类别"), ("/search?q=李&stage=bogus", "阶段"),
])
def test_the_search_checks_its_enums(shared_client, path, word):
    response = shared_client.get(path)
    assert response.status_code == 400 and word in response.get_data(as_text=True)
    assert "suggestions" not in response.get_data(as_text=True)
