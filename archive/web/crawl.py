"""For crawlers: /robots.txt and the sitemaps (a sitemap index, one sitemap per kind of
page and at most 50,000 URLs a file, absolute URLs under BASE_URL, lastmod from the data)."""

from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort

from .context import get_archive
from .urls import public_url

bp = Blueprint("crawl", __name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Each kind's page, and the argument its key fills.
_PAGES = {"honorees": ("public.honoree", "entry_id"), "people": ("public.person", "key"),
          "notices": ("public.notice", "notice_id"), "cycles": ("public.cycle", "cycle")}


@bp.get("/robots.txt")
def robots():
    """Crawl the pages of honorees, people, notices and cycles; not the admin area, the
    exports and downloads, or the endless combinations of search results."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /export/", "Disallow: /search",
             "Disallow: /api/search", "Disallow: /api/suggest", "Disallow: /data/",
             "Allow: /data$", "", f"Sitemap: {public_url('crawl.sitemap_index')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


def _lastmod(value):
    return f"<lastmod>{escape(value[:10])}</lastmod>" if value else ""


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemap index: one sitemap file per kind of page and 50,000 URLs."""
    items = "".join(
        f"<sitemap><loc>{escape(public_url('crawl.sitemap', kind=kind, number=number))}</loc>"
        f"{_lastmod(lastmod)}</sitemap>"
        for kind, number, lastmod in get_archive().records.sitemap_index())
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>')


@bp.get("/sitemaps/<kind>-<int:number>.xml")
def sitemap(kind, number):
    """One sitemap file: the pages of one kind, with when each last changed."""
    rows = get_archive().records.sitemap(kind, number)
    if rows is None:
        abort(404)
    endpoint, argument = _PAGES[kind]
    urls = "".join(f"<url><loc>{escape(public_url(endpoint, **{argument: key}))}</loc>"
                   f"{_lastmod(lastmod)}</url>" for key, lastmod in rows)
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{urls}</urlset>')


def _xml(body):
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body,
                    mimetype="application/xml")


