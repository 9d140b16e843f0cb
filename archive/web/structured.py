"""What a page says about itself to search engines and to whoever shares its link:
schema.org JSON-LD and Open Graph / Twitter card tags. Plain dicts; the base template
writes them (JSON escaped by tojson, attributes by Jinja)."""

from ..vocabulary import STAGE_ROLES
from .urls import public_url

#: The description of a shared page is cut to this many characters.
DESCRIPTION_CHARS = 120


def _cut(text, size=DESCRIPTION_CHARS):
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size - 1] + "…"


def _award(entry):
    """What an entry is, in words: …明星候选人 or …明星获表彰."""
    return f"{entry['cycle']}年度{entry.get('award') or ''}{STAGE_ROLES.get(entry['stage'], '')}"


def _awarded(entry):
    """The award an honoree received (…年度全国用户满意电信服务明星); None for a
    candidate, who received none."""
    if entry["stage"] != "honorees":
        return None
    return f"{entry['cycle']}年度{entry.get('award') or ''}"


def _who(entry):
    """A Person by their employer, or a team as an Organization within its company."""
    if entry["kind"] == "team":
        thing = {"@type": "Organization", "name": entry["name"]}
        if entry.get("company"):
            thing["parentOrganization"] = {"@type": "Organization", "name": entry["company"]}
        return thing
    thing = {"@type": "Person", "name": entry["name"]}
    employer = entry.get("unit") or entry.get("company")
    if employer:
        thing["worksFor"] = {"@type": "Organization", "name": employer}
    return thing


def _source(entry):
    """The notice an entry comes from, as a Report by a GovernmentOrganization."""
    report = {"@type": "Report", "name": entry["notice_title"],
              "url": public_url("public.notice", notice_id=entry["notice_id"]),
              "datePublished": entry["published"],
              "publisher": {"@type": "GovernmentOrganization", "name": entry["publisher"]}}
    if entry.get("doc_number"):
        report["identifier"] = entry["doc_number"]
    return report


def honoree(record, url):
    """(JSON-LD, share tags) of an honoree page: a Person (an Organization for a team)
    with what it is (description), the award it received (honorees only: a candidate
    received none), its employer and the notice that names it."""
    entry = record["entry"]
    ld = {"@context": "https://schema.org", **_who(entry), "url": url,
          "description": _award(entry), "subjectOf": _source(entry)}
    if _awarded(entry):
        ld["award"] = _awarded(entry)
    description = _cut(entry.get("citation") or f"{entry['name']}，{_award(entry)}。"
                       f"来源：{entry['publisher']}《{entry['notice_title']}》")
    return ld, _share(f"{entry['name']}（{_award(entry)}）", description, url, "profile")


def person(entries, url):
    """(JSON-LD, share tags) of a person's (or team's) timeline: one Person (or
    Organization) with what each notice says it is, the awards it received, and each
    notice as subjectOf."""
    latest = entries[-1]
    awards = list(dict.fromkeys(_award(e) for e in entries))
    ld = {"@context": "https://schema.org", **_who(latest), "url": url,
          "description": "；".join(awards), "subjectOf": [_source(e) for e in entries]}
    received = list(dict.fromkeys(filter(None, map(_awarded, entries))))
    if received:
        ld["award"] = received
    return ld, _share(f"{latest['name']}的历程", _cut("；".join(awards)), url, "profile")


def notice(record, url):
    """(JSON-LD, share tags) of a notice page: a Report by a GovernmentOrganization."""
    n = record["notice"]
    ld = {"@context": "https://schema.org", "@type": "Report", "name": n["title"], "url": url,
          "datePublished": n["published"],
          "publisher": {"@type": "GovernmentOrganization", "name": n["publisher"]}}
    if n.get("doc_number"):
        ld["identifier"] = n["doc_number"]
    if n.get("source_url"):
        ld["sameAs"] = n["source_url"]
    description = _cut(f"{n['publisher']}，{n['published']}：{len(record['entries'])} 条记录。"
                       + (f"文号：{n['doc_number']}。" if n.get("doc_number") else ""))
    return ld, _share(n["title"], description, url, "article")


def dataset(counts, downloads, url, license_name, license_url, site_name):
    """(JSON-LD, share tags) of /data: a Dataset with one DataDownload per file
    (downloads: (url, encoding format, size in bytes or None))."""
    description = (f"全国用户满意电信服务明星与明星班组的候选人公示和表彰名单：{counts['notices']} 份来源通知，"
                   f"{counts['entries']} 条记录，整理自工业和信息化部及各省、自治区、直辖市通信管理局公开发布的通知。")
    ld = {"@context": "https://schema.org", "@type": "Dataset", "name": f"{site_name}（公开数据）",
          "description": description, "url": url, "inLanguage": "zh-CN",
          "license": license_url or license_name,
          "creator": {"@type": "Organization", "name": site_name,
                      "url": public_url("public.home")},
          "isBasedOn": "工业和信息化部及各省、自治区、直辖市通信管理局公开发布的通知",
          "distribution": [{"@type": "DataDownload", "contentUrl": href,
                            "encodingFormat": fmt,
                            **({"contentSize": f"{size} B"} if size else {})}
                           for href, fmt, size in downloads]}
    return ld, _share(f"{site_name}：下载数据", _cut(description), url, "website")


def _share(title, description, url, kind):
    """Open Graph and Twitter card tags: [(attribute, name, content)]."""
    from flask import current_app
    site = current_app.config["SITE_NAME"]
    image = public_url("static", filename="share.png")
    return [("property", "og:title", title), ("property", "og:description", description),
            ("property", "og:url", url), ("property", "og:site_name", site),
            ("property", "og:type", kind), ("property", "og:locale", "zh_CN"),
            ("property", "og:image", image), ("property", "og:image:width", "1200"),
            ("property", "og:image:height", "630"),
            ("name", "twitter:card", "summary_large_image"), ("name", "twitter:title", title),
            ("name", "twitter:description", description), ("name", "twitter:image", image)]
