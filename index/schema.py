"""The index schema, declared once; fields, boosts and facets in one place."""

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import PairTokenizer, chinese_analyzer

#: Bumped whenever fields or analysis change: older snapshots must be rebuilt.
SCHEMA_VERSION = 6

#: Query-time weight of each searchable field (a name match beats a citation match).
FIELD_BOOSTS = {"name": 8.0, "name_sub": 5.0, "pinyin": 6.0, "org": 3.0, "role": 1.5,
                "citation": 1.0}
#: Fields searched by plain words.
TEXT_FIELDS = ("name", "org", "role", "citation")
#: Fields that can be filtered on and are counted in facets.
FACETS = ("cycle", "operator", "kind", "region", "stage")
FILTERS = FACETS
#: The column whose equal values are one person: a search shows each person once.
GROUP = "person"
#: Columns read into the per-document table: filters, facets, grouping, and the
#: name (as shown, and its pinyin) and company that break score ties and feed
#: suggestions.
COLUMNS = FILTERS + (GROUP, "label", "sound", "company")
#: Stored values returned with every hit.
RESULT_FIELDS = ("id", "name", "kind", "cycle", "company", "operator", "region", "unit", "stage",
                 "notice_id", "person")


def make_schema(digest=None):
    """The schema, its analyzer bound to the snapshot's jieba dictionary `digest`."""
    analyzer = chinese_analyzer(digest)
    # Names and units are single dictionary words (the archive's own): their parts
    # are terms too, so any run of words read in them is found.
    short = chinese_analyzer(digest, parts=True)
    return Schema(
        id=ID(stored=True, unique=True),
        content_hash=ID(stored=True),
        notice_id=ID(stored=True),
        kind=ID(stored=True, sortable=True),
        cycle=ID(stored=True, sortable=True),
        operator=ID(stored=True, sortable=True),
        region=ID(stored=True, sortable=True),
        stage=ID(stored=True, sortable=True),
        person=ID(stored=True, sortable=True),
        year=NUMERIC(int, sortable=True),
        label=ID(sortable=True),
        # The name's pinyin, one syllable per character ("-" for others).
        sound=ID(stored=True, sortable=True),
        name=TEXT(analyzer=short, stored=True, phrase=True),
        name_sub=KEYWORD(lowercase=True, scorable=True),
        pinyin=KEYWORD(lowercase=True, scorable=True),
        org=TEXT(analyzer=short, phrase=True),
        role=TEXT(analyzer=short, phrase=True),
        # Term frequencies only: snippets find the matched words in the stored
        # text, so positions and character offsets would only slow matching.
        citation=TEXT(analyzer=analyzer, stored=True, phrase=False),
        citation_pairs=TEXT(analyzer=PairTokenizer(digest), phrase=False),
        company=ID(stored=True, sortable=True),
        # "1" when the citation has no traditional characters: snippets then skip the
        # conversion (analysis.is_plain).
        plain=STORED(),
        unit=STORED(),
    )
