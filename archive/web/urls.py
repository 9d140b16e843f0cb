"""Public addresses: the configured base URL (ARCHIVE_BASE_URL), never the Host header."""

from flask import current_app, url_for


def public_url(endpoint, **values):
    """The public, absolute address of a page, for citations, feeds and canonical
    links: under BASE_URL when one is configured, else the request's own address."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)
