"""Streamed downloads: CSV and JSON exports of entries, other data files."""

import re
from urllib.parse import quote

from flask import Response, abort, request, stream_with_context

from .. import exports

EXPORT_SEND_TIMEOUT = 60


def download(chunks, mimetype, filename):
    """Stream an export as an attachment; a client that stops reading for
    EXPORT_SEND_TIMEOUT seconds is dropped, freeing its worker thread."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(EXPORT_SEND_TIMEOUT)
    return Response(stream_with_context(chunks), mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename)})


def content_disposition(filename):
    """An attachment header (RFC 6266): a plain ASCII fallback with nothing to escape,
    the real (Chinese) name in filename*."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export(entries, fmt, filename, **meta):
    """Entries as a CSV (Chinese headers; lang=en: the API's keys) or JSON download."""
    if fmt == "csv":
        if request.args.get("lang") == "en":  # the API's keys and codes, for programs
            return download(exports.csv_chunks(entries), "text/csv", filename + ".csv")
        return download(exports.chinese_csv_chunks(entries), "text/csv", filename + ".csv")
    if fmt == "json":
        return download(exports.json_chunks(entries, **meta), "application/json",
                         filename + ".json")
    abort(404)
