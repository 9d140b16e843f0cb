"""Request parameters shared by the search page, the API and the exports."""

from dataclasses import dataclass

from werkzeug.exceptions import BadRequest

from index.parsing import MAX_PAGE, MAX_PER_PAGE, SORTS
from index.schema import FILTERS

from ..vocabulary import AGE_BANDS, KIND_LABELS, SIZE_BANDS, STAGE_LABELS

#: The values the kind and stage filters take.
KINDS, STAGES = tuple(KIND_LABELS), tuple(STAGE_LABELS)

MAX_QUERY_STRING = 2048


def bad_request(message):
    """A 400 whose message is shown to the user."""
    exc = BadRequest(message)
    exc.custom = True
    return exc


@dataclass
class SearchParams:
    """What a search request asks for."""

    q: str
    filters: dict
    page: int
    sort: str

    def args(self, **change):
        """Query-string arguments for a link to this search with some changes."""
        base = {"q": self.q or None, **self.filters, "sort": None if self.sort == "relevance"
                else self.sort, "page": None}
        base.update(change)
        return {k: v for k, v in base.items() if v not in (None, "")}


def search_params(args, query_string=b""):
    """Parse and check search arguments; raise a 400 with a Chinese message."""
    if len(query_string) > MAX_QUERY_STRING:
        raise bad_request("查询参数过长。")
    q = args.get("q", "")
    filters = {}
    for name in FILTERS:
        values = args.getlist(name)
        if len(values) > 1:
            raise bad_request(f"筛选条件 {name} 只能给一个值。")
        if values and values[0]:
            filters[name] = values[0]
    for name, allowed, label in (("kind", KINDS, "类别"), ("stage", STAGES, "阶段")):
        if filters.get(name) and filters[name] not in allowed:
            raise bad_request(f"{label}只能是 {' 或 '.join(allowed)}。")
    page = page_number(args)
    sort = args.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise bad_request("排序方式只能是 relevance 或 newest。")
    return SearchParams(q=q, filters=filters, page=page, sort=sort)


def page_number(args):
    """The page argument, 1 to MAX_PAGE; a 400 with a message otherwise (an integer past
    what SQLite stores included)."""
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        raise bad_request("页码必须是整数。") from None
    if not 1 <= page <= MAX_PAGE:
        raise bad_request(f"页码必须在 1 到 {MAX_PAGE} 之间。")
    return page


def per_page(args, default):
    """The per_page argument (API only), checked."""
    try:
        value = int(args.get("per_page", default))
    except ValueError:
        raise bad_request("per_page 必须是整数。") from None
    if not 1 <= value <= MAX_PER_PAGE:
        raise bad_request(f"per_page 必须在 1 到 {MAX_PER_PAGE} 之间。")
    return value


def cycle_filters(args):
    """The filters of a cycle browse (kind, region, stage, gender, age band, team size
    band), checked (400 otherwise)."""
    filters = {key: args.get(key) or None
               for key in ("kind", "region", "stage", "gender", "age", "size")}
    if filters["gender"] not in (None, "男", "女"):
        raise bad_request("性别只能是“男”或“女”。")
    if filters["age"] not in (None, *AGE_BANDS):
        raise bad_request("年龄段只能是 " + "、".join(AGE_BANDS) + "。")
    if filters["size"] not in (None, *SIZE_BANDS):
        raise bad_request("班组人数段只能是 " + "、".join(SIZE_BANDS) + "。")
    if filters["kind"] not in (None, "individual", "team"):
        raise bad_request("类别只能是 individual（个人）或 team（班组）。")
    if filters["stage"] not in (None, "candidates", "honorees"):
        raise bad_request("阶段只能是 candidates（候选人）或 honorees（获表彰）。")
    if filters["region"] and len(filters["region"]) > 20:
        raise bad_request("地区无效。")
    return filters


def cycle_pair(args, cycles, default=(None, None)):
    """The (a, b) cycles of a comparison: given, or the default pair; checked."""
    a = args.get("a") or default[0]
    b = args.get("b") or default[1]
    for value in (a, b):
        if value not in cycles:
            raise bad_request(f"没有这个评选年度：{value}。可选：" + "、".join(cycles))
    return a, b


def notice_filters(args):
    """The cycle, region, publisher and stage filters of the notice list, checked."""
    filters = {key: (args.get(key) or None) for key in ("cycle", "region", "publisher", "stage")}
    if filters["stage"] not in (None, "candidates", "honorees"):
        raise bad_request("阶段只能是 candidates（候选人）或 honorees（获表彰）。")
    if any(v and len(v) > 100 for v in filters.values()):
        raise bad_request("筛选条件过长。")
    return filters


def or_404(value):
    """The value, or a 404 when there is none."""
    if value is None:
        from flask import abort
        abort(404)
    return value


def stage_kind(args, default_stage="honorees"):
    """The stage and kind of a figure (/compare, /trends): stage candidates, honorees or
    all (default: default_stage); kind individual, team or both (None)."""
    stage = args.get("stage", default_stage) or default_stage
    if stage not in ("candidates", "honorees", "all"):
        raise bad_request("阶段只能是 candidates（候选人）、honorees（获表彰）或 all（全部）。")
    kind = args.get("kind") or None
    if kind not in (None, "individual", "team"):
        raise bad_request("类别只能是 individual（个人）或 team（班组）。")
    return (None if stage == "all" else stage), kind
