"""Streamed downloads: CSV and JSON exports of entries, other data files."""

import re
import threading
from urllib.parse import quote

from flask import Response, abort, current_app, request, stream_with_context

from .. import exports

def send_timeout():
    """Before every request: a client that stops reading the response for SEND_TIMEOUT
    seconds is dropped, freeing its worker thread (gunicorn's own socket)."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(current_app.config["SEND_TIMEOUT"])


def init_slots(app):
    """The worker's download slots: DOWNLOAD_SLOTS large downloads at once per process,
    so that clients that stall on downloads can hold a few threads, never all."""
    app.extensions["download_slots"] = threading.BoundedSemaphore(app.config["DOWNLOAD_SLOTS"])


def bounded(make_response):
    """A large download, if a slot is free (released when the response is closed: sent,
    or dropped by the send timeout); else 503 with Retry-After, at once."""
    slots = current_app.extensions["download_slots"]
    if not slots.acquire(blocking=False):
        busy = Response("下载的人太多，请稍后再试。\n", status=503, mimetype="text/plain")
        busy.headers["Retry-After"] = "30"
        busy.headers["Cache-Control"] = "no-store"
        return busy
    freed = []

    def release():
        if not freed:  # once, whichever comes first: the end of the body or close()
            freed.append(True)
            slots.release()

    try:
        response = make_response()
    except BaseException:
        release()
        raise
    response.call_on_close(release)
    if not hasattr(response.response, "filelike"):  # gunicorn's sendfile wrapper stays
        response.response = _releasing(response.response, release)
    return response


def _releasing(body, release):
    """The body, releasing the slot once it has all been sent (and closing the body:
    the file behind send_file)."""
    try:
        yield from body
    finally:
        try:
            if hasattr(body, "close"):
                body.close()
        finally:
            release()


def download(chunks, mimetype, filename):
    """Stream an export as an attachment, in a download slot."""
    return bounded(lambda: Response(stream_with_context(chunks), mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename)}))


def content_disposition(filename):
    """An attachment header (RFC 6266): a plain ASCII fallback with nothing to escape,
    the real (Chinese) name in filename*."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: Content types of the download formats.
MIMETYPES = {"csv": "text/csv", "json": "application/json", "jsonl": "application/jsonl",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(entries, fmt, filename, english=None, **_meta):
    """Entries as a download: CSV (Chinese headers and values; English keys and codes
    with lang=en, or english=True), .xlsx (typed, Chinese), a JSON array or JSON Lines."""
    if english is None:
        english = request.args.get("lang") == "en"
    if fmt == "csv":
        chunks = exports.csv_chunks(entries) if english else exports.chinese_csv_chunks(entries)
        return download(chunks, MIMETYPES["csv"], filename + ("-en" if english else "") + ".csv")
    if fmt == "json":
        return download(exports.json_chunks(entries), MIMETYPES["json"], filename + ".json")
    if fmt == "jsonl":
        return download(exports.jsonl_chunks(entries), MIMETYPES["jsonl"], filename + ".jsonl")
    if fmt == "xlsx":
        return bounded(lambda: file_response(exports.xlsx_file(entries), MIMETYPES["xlsx"],
                                              filename + ".xlsx"))
    abort(404)


def file_response(handle, mimetype, filename):
    """A finished temporary file as an attachment, streamed and closed at the end."""
    def chunks():
        try:
            while True:
                block = handle.read(65536)
                if not block:
                    return
                yield block
        finally:
            handle.close()
    return Response(chunks(), mimetype=mimetype,
                    headers={"Content-Disposition": content_disposition(filename)})
