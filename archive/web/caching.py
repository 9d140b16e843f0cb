"""HTTP caching that a CDN or a reverse proxy can use.

A public GET (pages, the API, exports and downloads) carries an ETag made from the index
generation (every import, correction and re-index moves it), the code's version and the
request itself, and Cache-Control with s-maxage for shared caches; a conditional request
with that ETag is answered 304 before anything is rendered. Admin pages, anything
answered to a request that carries a session, and errors are `private, no-store`."""

import hashlib
import os
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version

from flask import current_app, request

from index.snapshots import NoSnapshot

from .context import get_archive

#: Blueprints whose answers are the same for everyone.
PUBLIC = {"public", "api", "statistics", "crawl"}
#: Answers never cached by anyone: health checks follow the live state.
UNCACHED_PATHS = {"/healthz"}

try:
    CODE_VERSION = version("honors-archive")
except PackageNotFoundError:  # a source tree that was never installed
    CODE_VERSION = "source"


#: How long a static file whose URL names its content may be kept: a year.
STATIC_MAX_AGE = 31536000


def init_app(app):
    """Register the 304 shortcut, the headers, and static URLs that name their files'
    content (?v=hash)."""
    app.before_request(_answer_if_unchanged)
    app.after_request(_cache_headers)
    app.url_defaults(_static_version)


def _static_hash(app, filename):
    """The first 12 hex digits of a static file's SHA-256 (cached per file and mtime)."""
    path = f"{app.static_folder}/{filename}"
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cache = app.extensions.setdefault("static_hashes", {})
    key = (filename, mtime)
    if key not in cache:
        with open(path, "rb") as f:
            cache[key] = hashlib.sha256(f.read()).hexdigest()[:12]
    return cache[key]


def _static_version(endpoint, values):
    """url_for('static', filename=…) names the file's content: a new file, a new URL."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        digest = _static_hash(current_app, values["filename"])
        if digest:
            values["v"] = digest


def _has_session():
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _shared():
    """Whether this request's answer may be kept by shared caches."""
    return (request.method in ("GET", "HEAD") and request.blueprint in PUBLIC
            and request.path not in UNCACHED_PATHS and not _has_session())


def _stamp():
    """The index generation's stamp, read once per request (before and after it)."""
    if "archive.cache_stamp" not in request.environ:
        try:
            stamp = get_archive().generation_stamp()
        except NoSnapshot:
            stamp = None
        request.environ["archive.cache_stamp"] = stamp
    return request.environ["archive.cache_stamp"]


def _etag(stamp):
    """The ETag of this request's answer in the current index generation."""
    parts = [repr(stamp), CODE_VERSION, request.host, request.full_path,
             "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else ""]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def _answer_if_unchanged():
    if not _shared():
        return None
    stamp = _stamp()
    if stamp is None:
        return None
    tag = _etag(stamp)
    # Flask-Compress marks what it compressed: "tag:gzip" is the same answer, gzipped.
    if tag in request.if_none_match or f"{tag}:gzip" in request.if_none_match:
        response = current_app.response_class(status=304)
        _public_headers(response, tag, stamp)
        return response
    return None


def _public_headers(response, tag, stamp):
    config = current_app.config
    response.set_etag(tag)
    response.last_modified = datetime.fromtimestamp(int(stamp[1]), timezone.utc)
    response.headers["Cache-Control"] = (f"public, max-age={config['CACHE_MAX_AGE']}, "
                                         f"s-maxage={config['CACHE_S_MAXAGE']}")
    # nginx's proxy_cache reads max-age, not s-maxage; this header it reads first (and
    # does not pass on to the client).
    response.headers["X-Accel-Expires"] = str(config["CACHE_S_MAXAGE"])
    response.vary.add("Accept-Encoding")


def _cache_headers(response):
    if response.status_code == 304:
        return response
    if request.endpoint == "static" and response.status_code in (200, 304):
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args["v"] == _static_hash(current_app, filename):
            response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
        else:
            response.headers["Cache-Control"] = "public, no-cache"
        return response
    if not _shared() or response.status_code != 200 or "Set-Cookie" in response.headers:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    stamp = _stamp()
    if stamp is None:
        response.headers["Cache-Control"] = "no-cache"
        return response
    if response.headers.get("ETag") and response.direct_passthrough:
        # A file sent as it is (the public SQLite file): its own validators stand.
        response.headers["Cache-Control"] = (f"public, max-age={current_app.config['CACHE_MAX_AGE']}, "
                                             f"s-maxage={current_app.config['CACHE_S_MAXAGE']}")
        return response
    _public_headers(response, _etag(stamp), stamp)
    return response
