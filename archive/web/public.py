"""Public pages: home, search, honoree, cycles, notices, about, exports, feed."""

import json
from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from index.parsing import QueryError

from .. import exports
from ..services.records import Gone, Moved
from . import structured
from .context import get_archive
from .downloads import bounded, content_disposition, export
from .params import (bad_request, cycle_filters, notice_filters, or_404, page_number, per_page,
                     search_params)
from .urls import public_url

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """Search box, what the archive holds, cycles, latest notices."""
    return render_template("home.html", **get_archive().records.home())


@bp.get("/search")
def search():
    """Results with snippets, facets as filter links, sort and pages."""
    params = search_params(request.args, request.query_string)
    archive = get_archive()
    try:
        result = archive.records.search(params.q, filters=params.filters, page=params.page,
                                sort=params.sort)
    except QueryError as exc:
        return render_template("search.html", params=params, result=None, error=str(exc)), 400
    pages = -(-result["total"] // result["per_page"])
    return render_template("search.html", params=params, result=result, pages=pages,
                           error=None)


@bp.get("/honorees/<entry_id>")
def honoree(entry_id):
    """Every field, the citation, the source notice, a citation line, related entries."""
    url = public_url("public.honoree", entry_id=entry_id)
    try:
        record = or_404(get_archive().records.honoree(
            entry_id, url, date.today().isoformat(),
            notice_url=lambda nid: public_url("public.notice", notice_id=nid)))
    except Moved as moved:  # a retired entry's successor
        return redirect(url_for("public.honoree", entry_id=moved.entry_id), 301)
    except Gone as gone:  # removed by a new version of its notice
        return render_template("retired.html", retired=gone.retired), 410
    ld, share = structured.honoree(record, url)
    return render_template("honoree.html", **record, canonical=url, structured=ld, share=share,
                           csl=json.dumps(record["cite"]["csl"], ensure_ascii=False, indent=1))


@bp.get("/people/<key>")
def person(key):
    """One person's (or team's) timeline across notices and cycles."""
    entries = get_archive().records.person(key)
    if not entries:
        abort(404)
    url = public_url("public.person", key=key)
    ld, share = structured.person(entries, url)
    return render_template("person.html", entries=entries, canonical=url, structured=ld,
                           share=share)


#: Corrections listed per page of the change log.
CORRECTIONS_PER_PAGE = 50


@bp.get("/corrections")
def corrections():
    """The public change log: every correction made to what the notices say."""
    page = page_number(request.args)
    rows, total = get_archive().records.corrections(CORRECTIONS_PER_PAGE, page)
    pages = max(1, -(-total // CORRECTIONS_PER_PAGE))
    if page > pages:
        abort(404)
    return render_template("corrections.html", rows=rows, total=total, page=page, pages=pages)


@bp.get("/cycles")
def cycles():
    """All award cycles with counts."""
    return render_template("cycles.html", cycles=get_archive().statistics.cycles())


@bp.get("/cycles/<cycle>")
def cycle(cycle):
    """A cycle's entries grouped by operator and company; kind and region filters."""
    filters = cycle_filters(request.args)
    record = or_404(get_archive().records.cycle(cycle, **filters))
    return render_template("cycle.html", **record, filters=filters)


@bp.get("/notices")
def notices():
    """The source notices, newest first: filters (cycle, region, publisher, stage), pages."""
    filters = notice_filters(request.args)
    per = per_page(request.args, default=50)
    page = page_number(request.args)
    record = get_archive().records.notices(per, page, **filters)
    pages = max(1, -(-record["total"] // per))
    if page > pages:
        abort(404)
    active = {k: v for k, v in filters.items() if v}
    return render_template("notices.html", **record, page=page, pages=pages, filters=filters,
                           args=dict(active, **({"per_page": per} if per != 50 else {})))


@bp.get("/notices/<notice_id>")
def notice(notice_id):
    """A notice's metadata, its entries in its order, its text as read, its versions and
    the files it came from."""
    record = or_404(get_archive().records.notice(notice_id))
    url = public_url("public.notice", notice_id=notice_id)
    ld, share = structured.notice(record, url)
    return render_template("notice.html", **record, canonical=url, structured=ld, share=share)


@bp.get("/notices/<notice_id>/versions/<int:version>")
def notice_version(notice_id, version):
    """An earlier version of a notice: its text, files and what it changed."""
    record = or_404(get_archive().records.notice(notice_id, version))
    if record["current"]:
        return redirect(url_for("public.notice", notice_id=notice_id), 301)
    return render_template("notice.html", **record)


#: Content types of the original files a notice offers for download.
_FILE_TYPES = {"html": "text/html", "htm": "text/html", "txt": "text/plain", "csv": "text/csv",
               "json": "application/json", "pdf": "application/pdf",
               "doc": "application/msword", "xls": "application/vnd.ms-excel",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/notices/<notice_id>/files/<int:version>/<int:position>")
def notice_file(notice_id, version, position):
    """An original file of a notice, as a download (a page is never shown inline: its
    scripts are the source site's, not ours)."""
    found = or_404(get_archive().records.notice_file(notice_id, version, position))
    mimetype = _FILE_TYPES.get(found["format"], "application/octet-stream")
    if mimetype.startswith("text/") or mimetype == "application/json":
        mimetype += "; charset=utf-8" if found["format"] != "html" else ""
    def send():
        response = Response(found["data"], mimetype=mimetype)
        response.headers["Content-Disposition"] = content_disposition(found["name"])
        response.headers["Content-Security-Policy"] = "sandbox"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    return bounded(send)


@bp.get("/about")
def about():
    """What the archive contains and how to search it."""
    return render_template("about.html", stats=get_archive().statistics.held())


#: Seconds an export may wait for a client that does not read before giving up.
@bp.get("/export/search.<fmt>")
def export_search(fmt):
    """Every hit of a search as CSV or JSON, streamed."""
    params = search_params(request.args, request.query_string)
    archive = get_archive()
    try:
        ids = archive.publishing.export_ids(params.q, params.filters, params.sort)
    except QueryError as exc:
        raise bad_request(str(exc)) from None
    parts = ["honorees-search"] + [v for v in params.filters.values()]
    if params.q:
        parts.append(params.q[:40])
    name = "-".join(parts).replace("/", "_").replace(" ", "_")
    return export(archive.publishing.entries(ids), fmt, name, query=params.q,
                   filters=params.filters, total=len(ids))


@bp.get("/export/cycles/<cycle>.<fmt>")
def export_cycle(cycle, fmt):
    """A whole cycle as CSV or JSON, streamed."""
    publishing = get_archive().publishing
    filters = cycle_filters(request.args)
    if not publishing.entry_ids(cycle=cycle):
        abort(404)
    ids = publishing.entry_ids(cycle=cycle, **filters)
    name = "-".join(["honorees", cycle] + [v for v in filters.values() if v])
    return export(publishing.entries(ids), fmt, name, cycle=cycle,
                   filters={k: v for k, v in filters.items() if v}, total=len(ids))


@bp.get("/feed.atom")
def feed():
    """Newly imported honorees as Atom."""
    entries = get_archive().records.latest()
    body = exports.atom_feed(
        entries, site_url=public_url("public.home"),
        feed_url=public_url("public.feed"), title="全国用户满意电信服务明星档案",
        entry_url=lambda e: public_url("public.honoree", entry_id=e["id"]))
    return Response(body, mimetype="application/atom+xml")
