"""JSON API: the same data as the pages; /api/search is `archive search --json`."""

from datetime import date

from flask import Blueprint, jsonify, redirect, request, url_for

from index.parsing import QueryError

from .. import exports
from ..archive import ReadOnly
from ..markup import marked_hits
from ..services.records import Gone, Moved
from .context import get_archive
from .openapi import spec
from .params import (bad_request, cycle_filters, cycle_pair, notice_filters, or_404, per_page,
                     search_params, stage_kind)
from .urls import public_url

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    """The search result object."""
    params = search_params(request.args, request.query_string)
    try:
        result = get_archive().records.search(params.q, filters=params.filters,
                                              page=params.page,
                                              per_page=per_page(request.args, 20),
                                              sort=params.sort)
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    return jsonify({**result, "results": marked_hits(result["results"])})


@bp.get("/api/suggest")
def suggest():
    """Search as you type: names, teams, companies and operators starting with q."""
    try:
        items = get_archive().records.suggest(request.args.get("q", ""))
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    root = request.script_root
    return jsonify(suggestions=[{**i, "url": root + i["url"]} for i in items])


@bp.get("/api/stats")
def stats():
    """What /stats shows, as JSON."""
    stage, _ = stage_kind(request.args, default_stage="all")
    return jsonify(get_archive().statistics.overview(stage))


@bp.get("/api/compare")
def compare():
    """Two cycles side by side (?a=…&b=…; default the two newest)."""
    statistics = get_archive().statistics
    stage, kind = stage_kind(request.args)
    a, b = cycle_pair(request.args, statistics.cycle_names(), statistics.default_pair(stage))
    return jsonify(statistics.compare(a, b, stage, kind))


@bp.get("/api/trends")
def trends():
    """Each cycle's characteristic citation words; with ?q=, its share per cycle."""
    statistics = get_archive().statistics
    q = (request.args.get("q") or "").strip()
    stage, _ = stage_kind(request.args, default_stage="all")
    try:
        mentions = statistics.mentions(q, stage) if q else None
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    return jsonify(query=q or None, mentions=mentions, keywords=statistics.keywords())


@bp.get("/api/honorees/<entry_id>")
def honoree(entry_id):
    """One entry with its source and the same person's other entries."""
    url = public_url("public.honoree", entry_id=entry_id)
    try:
        record = or_404(get_archive().records.honoree(
            entry_id, url, date.today().isoformat(), similar=False,
            notice_url=lambda nid: public_url("public.notice", notice_id=nid)))
    except Moved as moved:
        return redirect(url_for("api.honoree", entry_id=moved.entry_id), 301)
    except Gone as gone:
        return jsonify(error="Gone", status=410, notice_id=gone.retired["notice_id"],
                       message="这条记录已从通知的新版本中移除。"), 410
    entry = record["entry"]
    out = exports.export_row(entry)
    out["award"] = entry["award"]
    out["source"] = {"notice_id": entry["notice_id"], "title": entry["notice_title"],
                     "publisher": entry["publisher"], "published": entry["published"],
                     "doc_number": entry["doc_number"], "source_url": entry["source_url"]}
    out["related"] = [{"id": r["id"], "stage": r["stage"], "cycle": r["cycle"],
                       "notice_title": r["notice_title"]} for r in record["related"]]
    out["corrections"] = [{k: c[k] for k in ("field", "before", "after", "at")}
                          for c in record["corrections"]]
    out["cite"] = record["cite"]
    return jsonify(out)


@bp.get("/api/cycles")
def cycles():
    """Award cycles with counts."""
    return jsonify(get_archive().statistics.cycles())


@bp.get("/api/cycles/<cycle>")
def cycle(cycle):
    """Every entry of a cycle (optionally one kind or region)."""
    filters = cycle_filters(request.args)
    entries = or_404(get_archive().records.cycle_entries(cycle, **filters))
    return jsonify({"cycle": cycle, "total": len(entries),
                    "entries": [exports.export_row(e) for e in entries]})


@bp.get("/api/notices")
def notices():
    """Notices (without their text), newest first; filters cycle, region, publisher, stage."""
    return jsonify(get_archive().records.notices(**notice_filters(request.args))["notices"])


@bp.get("/api/notices/<notice_id>")
def notice(notice_id):
    """One notice with its original text and its entry ids."""
    record = or_404(get_archive().records.notice(notice_id))
    return jsonify({**record["notice"], "text": record["text"],
                    "entries": [e["id"] for e in record["entries"]]})


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(spec())


@bp.get("/healthz")
def healthz():
    """Live snapshot id and entry counts of store and index, and on a replica the
    release it serves."""
    archive = get_archive()
    body = {"status": "ok", "read_only": archive.read_only,
            "release": archive.releases.installed()}
    try:
        body.update(archive.indexing.counts())
    except ReadOnly:  # a replica that has not installed a release yet
        body.update(status="no-release", store_entries=0, index_entries=0, snapshot=None)
        return jsonify(body), 503
    if body["snapshot"] is None:
        body.update(status="no-index", index_entries=0)
    if body["index_entries"] != body["store_entries"]:
        body["status"] = "degraded" if body["status"] == "ok" else body["status"]
    return jsonify(body), 200 if body["status"] == "ok" else 503
