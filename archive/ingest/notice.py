"""What a parser extracts from one notice, before it is stored."""

from dataclasses import dataclass, field

#: Notice metadata keys, as stored (and as ParsedNotice.notice holds them).
NOTICE_FIELDS = ("title", "publisher", "published", "stage", "cycle", "region",
                 "doc_number", "source_url", "signed", "department")

#: Entry fields a parser fills; everything else (ids, keys) the store derives.
ENTRY_FIELDS = ("kind", "name", "award", "gender", "birth", "education", "position",
                "unit", "company", "operator", "region", "team_category", "team_size",
                "citation", "ethnicity")


@dataclass
class ParsedNotice:
    """A notice as a parser read it: metadata, entries in document order, warnings."""

    notice: dict
    entries: list
    text: str
    format: str
    warnings: list = field(default_factory=list)
    tables: list = field(default_factory=list)  # columns.TableRead per list table read
    merges: list = field(default_factory=list)  # merge.Merge per honoree found in several lists
    # Counts the notice states that differ from what was read: an import stops on them
    # unless the admin accepts them.
    mismatches: list = field(default_factory=list)
    reading: list = None  # the notice as a reader sees it (tables.reading_of), for its page
    # Read by OCR: an import needs the admin's review (--accept-ocr, the preview's tick).
    ocr: bool = False
    # OCR'd cells to check: {"entry": index, "name", "field", "text", "confidence",
    # "reason", "where"}, low confidence or rare characters.
    doubts: list = field(default_factory=list)
    # The admin's reading guide the entries were read with (guide.py), or None.
    guide: dict = None
    # What the file holds, for the admin to point at the list (guide.layout_of).
    layout: dict = None
