"""The OpenAPI 3.1 document of the JSON API (JSON Schema 2020-12 schemas)."""

from index.parsing import MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS
from index.schema import FACETS

from ..exports import EXPORT_FIELDS

_S = {"type": "string"}
_SPAN = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
_NS = {"type": ["string", "null"]}
_NI = {"type": ["integer", "null"]}


def _entry_props():
    props = {k: _NS for k in EXPORT_FIELDS}
    props.update(id=_S, notice_id=_S, name=_S, cycle=_S, stage={"enum": ["candidates", "honorees"]},
                 kind={"enum": ["individual", "team"]}, team_size=_NI)
    return props


def _facet():
    return {"type": "array", "items": {"type": "object", "required": ["value", "count"],
                                       "properties": {"value": _S, "count": {"type": "integer"}},
                                       "additionalProperties": False}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message", "status"],
              "properties": {"error": _S, "message": _S, "status": {"type": "integer"}}},
    "Entry": {"type": "object", "required": list(EXPORT_FIELDS), "properties": _entry_props(),
              "additionalProperties": False},
    "Honoree": {"type": "object",
                "required": list(EXPORT_FIELDS) + ["award", "source", "related", "corrections",
                                                   "cite"],
                "properties": {**_entry_props(), "award": _NS,
                               "source": {"type": "object", "required": ["notice_id", "title",
                                                                         "publisher", "published"],
                                          "properties": {"notice_id": _S, "title": _S,
                                                         "publisher": _S, "published": _S,
                                                         "doc_number": _NS, "source_url": _NS}},
                               "related": {"type": "array", "items": {
                                   "type": "object", "required": ["id", "stage", "cycle"],
                                   "properties": {"id": _S, "stage": _S, "cycle": _S,
                                                  "notice_title": _S}}},
                               "corrections": {
                                   "type": "array", "description": "Admins' corrections of what "
                                   "the notice says, newest first; before is the notice's value.",
                                   "items": {"type": "object",
                                             "required": ["field", "before", "after", "at"],
                                             "properties": {"field": _S, "before": _NS,
                                                            "after": _NS, "at": _S}}},
                               "cite": {
                                   "type": "object", "description": "The entry cited, with "
                                   "today as the access date and ARCHIVE_BASE_URL in its link.",
                                   "required": ["plain", "gbt7714", "gbt7714_notice", "bibtex",
                                                "csl"],
                                   "properties": {"plain": _S, "gbt7714": _S,
                                                  "gbt7714_notice": _S, "bibtex": _S,
                                                  "csl": {"type": "object",
                                                          "description": "CSL-JSON item"}}}},
                "additionalProperties": False},
    "Hit": {"type": "object",
            "required": ["id", "name", "kind", "cycle", "company", "operator", "region", "unit",
                         "stage", "person", "score", "snippet", "path", "name_html",
                         "name_spans", "passage", "matched"],
            "properties": {"id": _S, "name": _S,
                           "name_html": {"type": "string", "description": "The name, "
                                         "HTML-escaped, with the parts the query matched "
                                         "(characters, traditional forms, pinyin, initials) "
                                         "wrapped in <mark>."}, "kind": {"enum": ["individual", "team"]},
                           "cycle": _S, "company": _NS, "operator": _NS, "region": _NS,
                           "unit": _NS, "stage": {"enum": ["candidates", "honorees"],
                                                  "description": "candidates: 候选人 (listed in "
                                                  "a 公示); honorees: 获表彰"},
                           "person": {"type": "string", "description": "The person's key: "
                                      "a search shows each person once; /people/{person} "
                                      "is their timeline."},
                           "path": {"type": "array", "description": "The person's entries "
                                    "across notices, oldest first.",
                                    "items": {"type": "object",
                                              "required": ["id", "cycle", "stage",
                                                           "notice_title", "published"],
                                              "properties": {"id": _S, "cycle": _S,
                                                             "stage": _S, "notice_title": _S,
                                                             "published": _S}}},
                           "score": {"type": "number"},
                           "snippet": {"type": "string",
                                       "description": "HTML-escaped citation passage; matches "
                                                      "wrapped in <mark>."},
                           "matched": {"type": "string", "description": "The entry whose "
                                       "words matched (its passage is shown). The hit itself "
                                       "shows the person's highest distinction: an honoree "
                                       "entry over a candidate one, then the newest cycle."},
                           "name_spans": {"type": "array", "description": "Where the query "
                                          "matched the name: [start, end) character offsets, "
                                          "what name_html marks.",
                                          "items": _SPAN},
                           "passage": {"type": "object", "description": "The citation passage "
                                       "as plain data: its text, the [start, end) spans that "
                                       "matched, and whether text was cut before or after it "
                                       "(what snippet shows).",
                                       "required": ["text", "spans", "before", "after"],
                                       "properties": {"text": _S,
                                                      "spans": {"type": "array", "items": _SPAN},
                                                      "before": {"type": "boolean"},
                                                      "after": {"type": "boolean"}},
                                       "additionalProperties": False}},
            "additionalProperties": False},
    "SearchResult": {"type": "object",
                     "required": ["query", "total", "entries", "page", "per_page", "relaxed",
                                  "results", "facets", "suggestions"],
                     "properties": {"query": _S,
                                    "suggestions": {
                                        "type": "array", "description": "您是不是要找: when the "
                                        "query found little, names, teams and companies that "
                                        "sound alike or are spelled nearly alike.",
                                        "items": {"$ref": "#/components/schemas/Suggestion"}},
                                    "total": {"type": "integer", "description":
                                              "People (and teams) found: each is one hit"},
                                    "entries": {"type": "integer", "description":
                                                "Entries found (a person listed as candidate "
                                                "and honoree counts twice); facets count these"},
                                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                    "relaxed": {"type": "boolean"},
                                    "results": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Hit"}},
                                    "facets": {"type": "object",
                                               "required": list(FACETS),
                                               "properties": {k: _facet() for k in FACETS}}},
                     "additionalProperties": False},
    "Suggestion": {"type": "object", "required": ["text", "kind", "url"],
                   "properties": {"text": _S,
                                  "kind": {"enum": ["individual", "team", "company",
                                                    "operator"]},
                                  "url": {"type": "string", "description": "Its search page"}},
                   "additionalProperties": False},
    "Cycle": {"type": "object", "required": ["cycle", "entries", "people", "individuals", "teams",
                                             "candidates", "honorees", "notices"],
              "description": "People (and teams) listed both as candidates and as honorees "
                             "of the cycle count once in people, individuals and teams.",
              "properties": {"cycle": _S, "entries": {"type": "integer"},
                             **{k: {"type": "integer"} for k in
                                ("people", "individuals", "teams", "candidates", "honorees",
                                 "notices")}}},
    "CycleEntries": {"type": "object", "required": ["cycle", "total", "entries"],
                     "properties": {"cycle": _S, "total": {"type": "integer"},
                                    "entries": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Entry"}}}},
    "NoticeSummary": {"type": "object",
                      "required": ["id", "title", "publisher", "published", "stage", "cycle",
                                   "entries"],
                      "properties": {"id": _S, "title": _S, "publisher": _S, "published": _S,
                                     "stage": _S, "cycle": _S, "region": _NS, "doc_number": _NS,
                                     "source_url": _NS, "imported_at": _NS,
                                     "entries": {"type": "integer"}}},
    "Notice": {"type": "object",
               "required": ["id", "title", "publisher", "published", "stage", "cycle", "text",
                            "sha256", "entries"],
               "properties": {"id": _S, "title": _S, "publisher": _S, "published": _S,
                              "stage": _S, "cycle": _S, "region": _NS, "doc_number": _NS,
                              "source_url": _NS, "source_name": _NS, "format": _NS, "text": _S,
                              "sha256": _S, "imported_at": _NS, "updated_at": _NS,
                              "entries": {"type": "array", "items": _S}}},
}


def _param(name, description, schema=None, where="query", required=False):
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _ok(ref, description="OK"):
    return {"description": description,
            "content": {"application/json": {"schema": ref}}}


_ERR = {"$ref": "#/components/responses/Error"}


def spec():
    """The OpenAPI document as a dict."""
    search_params = [
        _param("q", "Query: words, \"phrases\", -exclusion, name: company: cycle: kind:",
               {"type": "string", "maxLength": MAX_QUERY_CHARS}),
        _param("cycle", "Filter: award cycle, e.g. 2017-2018"),
        _param("operator", "Filter: operator group, e.g. 中国联通"),
        _param("kind", "Filter: individual or team", {"enum": ["individual", "team"]}),
        _param("region", "Filter: province, e.g. 北京"),
        _param("stage", "Filter: candidates or honorees", {"enum": ["candidates", "honorees"]}),
        _param("sort", "relevance (default) or newest", {"enum": ["relevance", "newest"]}),
        _param("page", "Result page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        _param("per_page", "Results per page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    ]
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "info": {"title": "Honors Archive API", "version": "1",
                 "description": "全国用户满意电信服务明星档案: search and browse the honorees."},
        "paths": {
            "/api/search": {"get": {"summary": "Search honorees", "parameters": search_params,
                                    "responses": {"200": _ok(ref("SearchResult")), "400": _ERR}}},
            "/api/suggest": {"get": {
                "summary": "Search as you type: up to 8 names, teams, companies or operators "
                           "starting with q (as written, in pinyin or by pinyin initials)",
                "parameters": [_param("q", "What has been typed so far")],
                "responses": {"200": _ok({"type": "object", "required": ["suggestions"],
                                          "properties": {"suggestions": {
                                              "type": "array", "items": ref("Suggestion")}}}),
                              "400": _ERR}}},
            "/api/honorees/{id}": {"get": {
                "summary": "One honoree entry",
                "parameters": [_param("id", "Entry id", where="path", required=True)],
                "responses": {"200": _ok(ref("Honoree")), "404": _ERR}}},
            "/api/stats": {"get": {
                "summary": "What /stats shows: people (and teams) per cycle by operator and "
                           "region (rows, columns, totals), kind and stage, gender "
                           "(women_share, over those whose gender is stated), age at award "
                           "(bands, median), team sizes; of one stage, or of both with a "
                           "person listed in both counted once per cycle",
                "parameters": [_param("stage", "candidates, honorees or all (default)",
                                      {"enum": ["candidates", "honorees", "all"]})],
                "responses": {"200": _ok({"type": "object", "required": [
                    "stage", "entries", "people", "cycles", "by_operator", "by_region",
                    "kind_stage", "gender", "age", "team_size"]}), "400": _ERR}}},
            "/api/compare": {"get": {
                "summary": "Two cycles side by side, of one stage and kind: by_operator and "
                           "by_region (a, b, change, change_pct: null below a base of "
                           "min_base), top_companies, top_units, in_both (people)",
                "parameters": [_param("a", "A cycle, e.g. 2017-2018 (default: the second "
                                           "newest)"),
                               _param("b", "Another cycle (default: the newest)"),
                               _param("stage", "honorees (default), candidates, or all",
                                      {"enum": ["honorees", "candidates", "all"]}),
                               _param("kind", "individual or team (default: both)",
                                      {"enum": ["individual", "team"]})],
                "responses": {"200": _ok({"type": "object", "required": [
                    "a", "b", "stage", "kind", "min_base", "entries", "by_operator",
                    "by_region", "top_companies", "top_units", "in_both"]}), "400": _ERR}}},
            "/api/trends": {"get": {
                "summary": "Each cycle's most characteristic citation words (keywords: content "
                           "words, cycles with enough citations); with q, per cycle how many "
                           "of the entries with a citation (cited) mention it (mentions; "
                           "share = mentions / cited, null where no entry has a citation)",
                "parameters": [_param("q", "A word or phrase, e.g. 5G or 适老化"),
                               _param("stage", "all (default), candidates or honorees",
                                      {"enum": ["all", "candidates", "honorees"]})],
                "responses": {"200": _ok({"type": "object",
                                          "required": ["query", "mentions", "keywords"]}),
                              "400": _ERR}}},
            "/api/cycles": {"get": {"summary": "Award cycles",
                                    "responses": {"200": _ok({"type": "array",
                                                              "items": ref("Cycle")})}}},
            "/api/cycles/{cycle}": {"get": {
                "summary": "Every entry of a cycle",
                "parameters": [_param("cycle", "e.g. 2017-2018", where="path", required=True),
                               _param("kind", "individual or team",
                                      {"enum": ["individual", "team"]}),
                               _param("region", "Province"),
                               _param("stage", "candidates or honorees",
                                      {"enum": ["candidates", "honorees"]})],
                "responses": {"200": _ok(ref("CycleEntries")), "400": _ERR, "404": _ERR}}},
            "/api/notices": {"get": {"summary": "Source notices, newest first",
                                     "parameters": [
                                         _param("cycle", "e.g. 2017-2018"),
                                         _param("region", "Province"),
                                         _param("publisher", "e.g. 工业和信息化部"),
                                         _param("stage", "candidates or honorees",
                                                {"enum": ["candidates", "honorees"]})],
                                     "responses": {"400": _ERR,
                                                   "200": _ok({"type": "array",
                                                               "items": ref("NoticeSummary")})}}},
            "/api/notices/{id}": {"get": {
                "summary": "One notice with its original text",
                "parameters": [_param("id", "Notice id", where="path", required=True)],
                "responses": {"200": _ok(ref("Notice")), "404": _ERR}}},
        },
        "components": {"schemas": SCHEMAS,
                       "responses": {"Error": _ok(ref("Error"), "Error with a message")}},
    }
