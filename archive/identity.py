"""Identity: which notice a file is, which entry a row is, which person an entry is.

Domain logic that the importer, the store and the web share: notice ids and
the keys that recognise a notice when it comes again in another format
(same 文号, or same issuing body, title and cycle), entry ids, person keys and
content hashes.
"""

import hashlib
import json
import re

from .ingest import ENTRY_FIELDS

# Brackets of a document number as typed: 〔2018〕, [2018], 【2018】, (2018), （2018）.
_DOC_BRACKETS = str.maketrans({"[": "〔", "【": "〔", "(": "〔", "（": "〔", "]": "〕", "】": "〕",
                               ")": "〕", "）": "〕", "［": "〔", "］": "〕"})
# What a title may differ in between formats: spaces, quotes, brackets, punctuation.
_TITLE_NOISE = re.compile(r"[\W_]+")


def sha256(text):
    """The hex sha256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notice_id(notice):
    """Stable notice id from its identity at first import: publisher, title and date."""
    key = "\x1f".join((notice["publisher"], notice["title"], notice["published"]))
    return f"{notice['published']}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def doc_key(doc_number):
    """A document number as compared: 工信行建[2018]1号 = 工信行建〔2018〕1号; None if none."""
    from index.analysis import normalize
    if not doc_number:
        return None
    text = "".join(str(doc_number).split()).translate(_DOC_BRACKETS)
    return normalize(text).translate(_DOC_BRACKETS) or None


# Short names an admin may type for an issuing body.
_ISSUERS = {"工信部": "工业和信息化部", "工业与信息化部": "工业和信息化部",
            "中华人民共和国工业和信息化部": "工业和信息化部"}


def issuer_key(publisher):
    """An issuing body as compared (工信部 = 工业和信息化部)."""
    from index.analysis import normalize
    key = _TITLE_NOISE.sub("", normalize(publisher or ""))
    return _ISSUERS.get(key, key)


def title_key(notice):
    """Issuing body, title and cycle as compared: the same notice as a page, a PDF or a
    workbook has the same key (spacing, quotes, punctuation, width and traditional
    characters aside)."""
    from index.analysis import normalize
    if not notice.get("title") or not notice.get("publisher"):
        return None
    title = _TITLE_NOISE.sub("", normalize(notice["title"]))
    return "\x1f".join((issuer_key(notice["publisher"]), title, notice.get("cycle") or ""))


def same_title(a, b):
    """Whether two title keys name one notice though the titles differ a little: the
    same issuer and cycle, and one title holds the other whole (…的通报 beside
    …的通报（附件）, or 关于表彰… beside 工业和信息化部关于表彰…)."""
    if not a or not b:
        return False
    issuer_a, title_a, cycle_a = a.split("\x1f")
    issuer_b, title_b, cycle_b = b.split("\x1f")
    short, long = sorted((title_a, title_b), key=len)
    return issuer_a == issuer_b and cycle_a == cycle_b and len(short) >= 12 and short in long


def entry_id(notice_key, kind, name, n=1):
    """Stable entry id from notice identity + kind + name (+ n for namesakes)."""
    key = "\x1f".join((notice_key, kind, name) + ((str(n),) if n > 1 else ()))
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def person_key(entry):
    """Key shared by one person's (or team's) entries across notices and cycles: the
    normalised name (layout spaces dropped, traditional folded to simplified, the
    middle dot of minority names kept), the kind, the operator and the region."""
    from index.analysis import normalize
    from .ingest.fields import clean_name
    name = normalize(clean_name(entry["name"]) or "")
    key = "\x1f".join((entry["kind"], name, entry.get("operator") or "",
                       entry.get("region") or ""))
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def content_hash(entry):
    """Hash of everything an entry shows; the index stores it to detect drift."""
    data = {k: entry.get(k) for k in ENTRY_FIELDS + ("cycle", "stage", "notice_id")}
    if data.get("ethnicity") is None:
        # Added later (民族): an entry without it keeps the hash it always had, so an
        # upgrade shows no drift and re-imports change nothing.
        del data["ethnicity"]
    return hashlib.sha1(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
