"""Records: one data function per public resource — search, honoree, person, cycle,
notice, the notice list, the change log, the feed — each returning plain data that a
thin view renders as HTML or as JSON (as Datasette's row and table views do)."""

import json
from urllib.parse import urlencode

from pypinyin import lazy_pinyin

from index import searching, themes

from .. import exports
from ..db import store
from ..ingest import reading_of_text
from ..vocabulary import KIND_LABELS, REGION_ORDER, STAGE_LABELS, UNSTATED


class Moved(Exception):
    """The entry was replaced by another (a new version of its notice kept the same
    honoree under a new id): answer 301 to `entry_id`."""

    def __init__(self, entry_id):
        super().__init__(entry_id)
        self.entry_id = entry_id


class Gone(Exception):
    """The entry was removed from its notice by a new version: answer 410.
    `retired`: what is known of it (its notice, when it was retired)."""

    def __init__(self, retired):
        super().__init__(retired["id"])
        self.retired = retired


class Records:
    """The public resources of an instance."""

    def __init__(self, archive):
        self.archive = archive

    # -- search ----------------------------------------------------------
    def search(self, text, filters=None, page=1, per_page=20, sort="relevance"):
        """Search the live snapshot; the result object of the CLI and the API. Each
        person appears once, with `path`: their entries across notices, oldest first.
        Raises index.parsing.QueryError for a request that cannot be searched."""
        archive = self.archive
        result = searching.search(archive.snapshot(), text, filters=filters, page=page,
                                  per_page=per_page, sort=sort)
        paths = store.people_paths(archive.db, [h["person"] for h in result["results"]])
        result["results"] = [_headline(hit, paths.get(hit["person"]) or [])
                             for hit in result["results"]]
        result["suggestions"] = [_with_url(s) for s in result["suggestions"]]
        return result

    def suggest(self, prefix, limit=8):
        """Search as you type: names, teams, companies and operators starting with
        prefix (as written, in pinyin or by initials), each with its search URL."""
        return [_with_url(s) for s in searching.complete(self.archive.snapshot(), prefix, limit)]

    # -- pages -----------------------------------------------------------
    def home(self):
        """The home page: what the archive holds, its cycles, the latest notices."""
        statistics = self.archive.statistics
        return {"stats": statistics.held(), "cycles": statistics.cycles(),
                "notices": store.list_notices(self.archive.db, limit=5)}

    def honoree(self, entry_id, url, accessed, similar=True, notice_url=None):
        """An entry with its source, the same person's other entries, its public
        corrections, citations of it (url: its page's address; accessed: today;
        notice_url(notice id): its notice's page here, the access path of a notice that
        gives no address of its own) and, unless similar is False, entries with like
        citations and from the same unit.
        Raises Moved or Gone for a retired entry; None when there never was one."""
        db = self.archive.db
        entry = store.get_entry(db, entry_id)
        if entry is None:
            retired = store.retired_entry(db, entry_id)
            if retired is None:
                return None
            if retired["successor"]:
                raise Moved(retired["successor"])
            raise Gone(retired)
        return {
            "entry": entry, "related": store.related_entries(db, entry),
            "corrections": store.corrections(db, entry_id),
            "corrected": store.corrected_fields(db, entry_id),
            "cite": exports.citations(entry, url, accessed,
                                      notice_url(entry["notice_id"]) if notice_url else None),
            "similar": self.similar_to(entry_id) if similar else [],
            "same_unit": store.same_unit(db, entry) if similar else [],
        }

    def similar_to(self, entry_id, limit=5):
        """Other people's entries with the most similar citations."""
        return themes.similar(self.archive.snapshot(), entry_id, limit)

    def entry(self, entry_id):
        """One entry with its notice's source fields, or None."""
        return store.get_entry(self.archive.db, entry_id)

    def related(self, entry):
        """The same person's (or team's) other entries."""
        return store.related_entries(self.archive.db, entry)

    def entries(self, cycle=None):
        """Every entry (of one cycle), by cycle, operator and company."""
        return store.list_entries(self.archive.db, cycle=cycle)

    def person(self, key):
        """One person's (or team's) entries across notices and cycles, oldest first."""
        return store.person_entries(self.archive.db, key) if len(key) <= 40 else []

    def corrections(self, per_page, page):
        """A page of the public change log: (corrections, total)."""
        return store.all_corrections(self.archive.db, per_page, (page - 1) * per_page)

    def cycle(self, cycle, **filters):
        """A cycle's entries grouped by operator and company, with its facets and
        counts; None when the archive has no such cycle."""
        db = self.archive.db
        facets = store.cycle_facets(db, cycle)
        if not facets["kind"]:
            return None
        filters = _stored(filters)
        groups = store.cycle_groups(db, cycle, **filters)
        return {"cycle": cycle, "groups": groups, "facets": _ordered(facets),
                "counts": store.cycle_counts(db, cycle, **filters),
                "total": sum(g["count"] for g in groups)}

    def cycle_entries(self, cycle, **filters):
        """Every entry of a cycle (optionally one kind or region); None when the
        archive has no such cycle."""
        db = self.archive.db
        if not store.cycle_facets(db, cycle)["kind"]:
            return None
        return store.list_entries(db, cycle=cycle, **_stored(filters))

    def notices(self, per_page=None, page=1, **filters):
        """Notices without their text, newest first: {notices, total, facets}; a page of
        per_page of them, or all."""
        db = self.archive.db
        offset = (page - 1) * per_page if per_page else 0
        facets = store.notice_facets(db)
        rank = {region: i for i, region in enumerate(REGION_ORDER)}
        facets["region"].sort(key=lambda r: (rank.get(r, len(rank)), r))
        facets["publisher"].sort(key=lambda p: (lazy_pinyin(p), p))  # by sound: 北京… before 工业…
        return {"notices": store.list_notices(db, **filters, limit=per_page, offset=offset),
                "total": store.count_notices(db, **filters), "facets": facets}

    def notice(self, notice_id, version=None):
        """A notice as its page and the API show it, or None: metadata, entries in the
        notice's order, the text as read (headings, paragraphs, tables; never markup),
        every version with what it changed, and the files that version came from.

        version: an earlier version's number (its text, files and changes)."""
        db = self.archive.db
        notice = store.get_notice(db, notice_id, with_text=False)
        if notice is None:
            return None
        current = notice["version"]
        number = current if version is None else version
        shown = store.notice_version(db, notice_id, number)
        if shown is None:
            return None
        reading = json.loads(shown["reading"]) if shown.get("reading") else \
            reading_of_text(shown["text"], shown["format"])
        if number != current and shown.get("metadata"):  # what that version said
            notice = {**notice, **json.loads(shown["metadata"]), "version": current}
        versions = store.notice_versions(db, notice_id)
        return {
            "notice": notice, "version": number, "current": number == current,
            "entries": store.list_entries(db, notice=notice_id) if number == current
            else [], "reading": reading, "versions": versions,
            "changes": next((v["changes"] for v in versions if v["version"] == number), None),
            "files": store.notice_files(db, notice_id, number),
            "imported_at": shown["imported_at"], "source_name": shown["source_name"],
            "format": shown["format"], "text": shown["text"],
        }

    def notice_file(self, notice_id, version, position):
        """One original file of a notice version: {name, format, data}, or None. Versions
        imported before files were kept offer their stored text (position 0)."""
        db = self.archive.db
        if position == 0:
            shown = store.notice_version(db, notice_id, version)
            if shown is None:
                return None
            name = shown["source_name"] or f"{notice_id}.txt"
            if shown["format"] not in ("html", "htm", "txt", "csv", "json"):
                name = name.rsplit(".", 1)[0] + ".txt"  # the text read from a binary file
            return {"name": name, "format": name.rsplit(".", 1)[-1].lower(),
                    "data": shown["text"].encode("utf-8")}
        return store.notice_file(db, notice_id, version, position)

    #: The kinds of page the sitemaps list, and the most URLs a sitemap file may hold.
    SITEMAP_KINDS = ("honorees", "people", "notices", "cycles")
    SITEMAP_SIZE = 50_000

    def sitemap_index(self):
        """[(kind, file number, last change)] of every sitemap file."""
        db = self.archive.db
        out = []
        for kind in self.SITEMAP_KINDS:
            files = -(-store.sitemap_count(db, kind) // self.SITEMAP_SIZE)
            lastmod = store.sitemap_lastmod(db, kind)
            out += [(kind, n, lastmod) for n in range(1, files + 1)]
        return out

    def sitemap(self, kind, number):
        """[(key, last change)] of sitemap file `number` (from 1) of a kind; None when
        there is no such file."""
        if kind not in self.SITEMAP_KINDS or number < 1:
            return None
        rows = store.sitemap_page(self.archive.db, kind, self.SITEMAP_SIZE,
                                  (number - 1) * self.SITEMAP_SIZE)
        return rows or None

    def latest(self, limit=50):
        """The newest imported entries (the Atom feed)."""
        return store.latest_entries(self.archive.db, limit)


#: What a hit shows of the entry it heads with (the rest is the matched entry's).
_HEADLINE_FIELDS = ("id", "kind", "cycle", "company", "operator", "region", "unit", "stage")


def _headline(hit, path):
    """A person's hit headed by their highest distinction: honoree over candidate, then
    the newest cycle (李玉柱, a 2017-2018 candidate and a 2019-2020 honoree, shows as the
    honoree). `matched` is the entry whose words matched (its passage is shown);
    `path` lists every entry of the person, oldest first."""
    hit = {**hit, "matched": hit["id"]}
    if path:
        best = max(path, key=lambda p: (p["stage"] == "honorees", p["cycle"] or "",
                                        p["published"] or ""))
        if best["id"] != hit["id"]:
            hit.update({k: best.get(k) for k in _HEADLINE_FIELDS})
    hit["path"] = [{k: p[k] for k in ("id", "cycle", "stage", "notice_title", "published")}
                   for p in path]
    return hit


def _with_url(suggestion):
    """A suggestion with the (site-relative) URL of its search."""
    return {**suggestion, "url": "/search?" + urlencode({"q": suggestion["text"]})}


def _stored(filters):
    """Browse filters as the store takes them: 未注明 asks for entries without a value."""
    return {key: store.MISSING if value == UNSTATED else value for key, value in filters.items()}


def _ordered(facets):
    """A cycle's facets as its filters list them: regions in the official order, those
    without one as 未注明 last; kinds and stages in their own order."""
    rank = {region: i for i, region in enumerate(REGION_ORDER)}
    regions = sorted(facets["region"], key=lambda f: (f["value"] is None,
                                                     rank.get(f["value"], len(rank)),
                                                     f["value"] or ""))
    return {**facets,
            "region": [{**f, "value": f["value"] or UNSTATED} for f in regions],
            "kind": sorted(facets["kind"], key=lambda f: list(KIND_LABELS).index(f["value"])),
            "stage": sorted(facets["stage"], key=lambda f: list(STAGE_LABELS).index(f["value"]))}
