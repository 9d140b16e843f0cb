"""Pages for journalists: statistics (/stats), two cycles compared (/compare),
citation themes and a word's trend (/trends), the whole dataset (/data)."""

from flask import Blueprint, abort, jsonify, render_template, request, send_file

from index.parsing import QueryError

from .. import exports
from ..services.publishing import FILENAME, METADATA
from ..services.statistics import MIN_CITATIONS
from . import charts, structured
from .context import get_archive
from .urls import public_url
from .downloads import MIMETYPES, bounded, download, export, file_response
from .params import bad_request, cycle_pair, stage_kind

bp = Blueprint("statistics", __name__)


@bp.get("/stats")
def stats():
    """Counts per cycle by operator, region, kind and stage; gender, age, team size."""
    stage, _ = stage_kind(request.args, default_stage="all")
    data = get_archive().statistics.overview(stage)
    return render_template("stats.html", s=data, charts=_stats_charts(data), stage=stage)


def _stats_charts(data):
    def table_chart(chart_id, title, table):
        rows = [(r["cycle"], r["counts"]) for r in reversed(table["rows"])]
        return charts.stacked_bars(chart_id, title, rows, table["columns"])
    return {
        "operator": table_chart("chart-operator", "各年度按运营商的人数", data["by_operator"]),
        "region": table_chart("chart-region", "各年度按地区的人数", data["by_region"]),
        "gender": charts.stacked_bars(
            "chart-gender", "各年度个人获奖者的性别", [(g["cycle"], g["counts"])
                                             for g in reversed(data["gender"])],
            ["男", "女", "未注明"]),
        "age": charts.stacked_bars(
            "chart-age", "各年度获奖时的年龄段", [(a["cycle"], a["counts"])
                                         for a in reversed(data["age"])], data["age_bands"]),
    }


@bp.get("/compare")
def compare():
    """Two cycles side by side (?a=2017-2018&b=2019-2020)."""
    statistics = get_archive().statistics
    cycles = statistics.cycle_names()
    if not cycles:
        abort(404)
    stage, kind = stage_kind(request.args)
    a, b = cycle_pair(request.args, cycles, statistics.default_pair(stage))
    data = statistics.compare(a, b, stage, kind)
    chart = charts.grouped_bars("chart-compare-operator", f"{a} 与 {b} 按运营商",
                                [(r["value"], r["a"], r["b"]) for r in data["by_operator"]],
                                (f"{a}年度", f"{b}年度"))
    return render_template("compare.html", c=data, cycles=cycles, chart=chart)


@bp.get("/trends")
def trends():
    """The words most characteristic of each cycle's citations; with ?q=, the share
    of citations per cycle that mention it."""
    statistics = get_archive().statistics
    q = (request.args.get("q") or "").strip()
    stage, _ = stage_kind(request.args, default_stage="all")
    mentions, chart = None, None
    if q:
        try:
            mentions = statistics.mentions(q, stage)
        except QueryError as exc:
            raise bad_request(str(exc)) from None
        chart = charts.line_chart("chart-trend", f"有事迹的记录中提到“{q}”的占比",
                                  [(m["cycle"], m["share"]) for m in mentions])
    return render_template("trends.html", q=q, stage=stage, mentions=mentions, chart=chart,
                           keywords=statistics.keywords(),
                           citations=statistics.citation_counts(), min_citations=MIN_CITATIONS)


@bp.get("/data")
def data():
    """The whole dataset: CSV, JSON, the notice list, the public SQLite file."""
    archive = get_archive()
    public = archive.publishing.public_file()
    counts = archive.statistics.held()
    url = public_url("statistics.data")
    downloads = [(public_url("statistics.honorees", fmt="csv"), "text/csv", None),
                 (public_url("statistics.honorees_english"), "text/csv", None),
                 (public_url("statistics.honorees", fmt="xlsx"), MIMETYPES["xlsx"], None),
                 (public_url("statistics.honorees", fmt="json"), "application/json", None),
                 (public_url("statistics.honorees", fmt="jsonl"), "application/jsonl", None),
                 (public_url("statistics.notices", fmt="csv"), "text/csv", None),
                 (public_url("statistics.datapackage"), "application/json", None)]
    if public["built"]:
        downloads.append((public_url("statistics.public_database"), "application/vnd.sqlite3",
                          public["built"].st_size))
    config = archive.settings
    ld, share = structured.dataset(counts, downloads, url, config["DATA_LICENSE"],
                                   config["DATA_LICENSE_URL"], config["SITE_NAME"])
    return render_template("data.html", counts=counts, built=public["built"],
                           canonical=url, structured=ld, share=share,
                           published=public["entries"], rebuilding=public["rebuilding"],
                           filename=public["filename"], metadata=public["metadata"])


@bp.get("/data/honorees.<fmt>")
def honorees(fmt):
    """Every entry: CSV (Chinese headers and values; lang=en: the API's keys and codes),
    .xlsx, a JSON array or JSON Lines; oldest cycle first, each notice in its order."""
    publishing = get_archive().publishing
    ids = publishing.entry_ids()
    return export(publishing.entries(ids), fmt, "honorees")


@bp.get("/data/honorees-en.csv")
def honorees_english():
    """Every entry as CSV with the API's keys and codes (no BOM: for programs)."""
    publishing = get_archive().publishing
    return export(publishing.entries(publishing.entry_ids()), "csv", "honorees", english=True)


@bp.get("/data/notices.<fmt>")
def notices(fmt):
    """Every source notice's metadata: CSV (Chinese; lang=en: keys and codes), .xlsx, JSON."""
    rows = get_archive().publishing.notices()
    english = request.args.get("lang") == "en"
    if fmt == "csv":
        return download(exports.notices_csv_chunks(rows, chinese=not english), MIMETYPES["csv"],
                        "notices-en.csv" if english else "notices.csv")
    if fmt == "json":
        return download(exports.notices_json_chunks(rows), MIMETYPES["json"], "notices.json")
    if fmt == "xlsx":
        return bounded(lambda: file_response(
            exports.xlsx_file(rows, exports.NOTICE_COLUMNS, "来源通知"), MIMETYPES["xlsx"],
            "notices.xlsx"))
    abort(404)


@bp.get("/data/notices-en.csv")
def notices_english():
    """Every notice as CSV with English keys and codes (no BOM)."""
    return download(exports.notices_csv_chunks(get_archive().publishing.notices(), chinese=False),
                    MIMETYPES["csv"], "notices-en.csv")


#: The CSV files the Data Package describes: (name, path beside it, table, Chinese).
DATA_PACKAGE = (("honorees", "honorees.csv", "entries", True),
                ("honorees-en", "honorees-en.csv", "entries", False),
                ("notices", "notices.csv", "notices", True),
                ("notices-en", "notices-en.csv", "notices", False))


@bp.get("/data/datapackage.json")
def datapackage():
    """A Frictionless Data Package describing every CSV download: fields, types (ids are
    text), descriptions, license, sources."""
    return jsonify(get_archive().publishing.datapackage(DATA_PACKAGE))


@bp.get(f"/data/{FILENAME}")
def public_database():
    """The public SQLite file (built by every re-index)."""
    path = get_archive().publishing.path
    if not path.exists():
        abort(404)
    return bounded(lambda: send_file(path, mimetype="application/vnd.sqlite3", as_attachment=True,
                                     download_name=FILENAME, conditional=True))


@bp.get(f"/data/{METADATA}")
def public_metadata():
    """Datasette's metadata for the public SQLite file."""
    path = get_archive().publishing.metadata_path
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="application/json", as_attachment=True,
                     download_name=METADATA, conditional=True)
