"""Public addresses: the configured base URL (ARCHIVE_BASE_URL), never a Host header
that the configuration does not name."""

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter


def public_url(endpoint, **values):
    """The public, absolute address of a page, for citations, feeds and canonical
    links: under BASE_URL when one is configured; else under the request's own
    address only when its host is one of ALLOWED_HOSTS (a forged Host header must
    not end up in a citation, a feed or a cache); else the path alone."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    if request.host.rsplit(":", 1)[0].strip("[]").lower() in allowed_hosts():
        return url_for(endpoint, _external=True, **values)
    return url_for(endpoint, **values)


def allowed_hosts():
    """ALLOWED_HOSTS as a set of lower-case host names."""
    hosts = current_app.config.get("ALLOWED_HOSTS") or ""
    return {h.strip().strip("[]").lower() for h in hosts.split(",") if h.strip()}


class BoundedInt(IntegerConverter):
    """<int:…> in a URL, at most 2**31 - 1 unless a route says otherwise: a larger
    number (past what SQLite stores) is a 404, never a server error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 31 - 1)
        super().__init__(url_map, *args, **kwargs)
