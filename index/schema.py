"""The index schema, declared once; fields, boosts and facets in one place."""

import zlib

from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import PairTokenizer, chinese_analyzer

#: Bumped whenever fields or analysis change: older snapshots must be rebuilt.
SCHEMA_VERSION = 9

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
#: Short fields are scored without positions (a posting list with positions costs ten
#: times as much to read); phrases in them are matched in these unscored twins.
PHRASE_FIELDS = {"name": "name_phrase", "org": "org_phrase", "role": "role_phrase"}
#: The column holding each entry's citation (pack_citation): snippets read one per hit
#: (Whoosh's stored fields are pickles of every stored value).
CITATION_TEXT = "citation_text"


def pack_citation(text):
    """A citation as its column holds it: UTF-8, deflated (real citations shrink to
    about half; inflating one takes some 25 µs)."""
    return zlib.compress((text or "").encode("utf-8"), 6)


def unpack_citation(value):
    """The citation of a column value written by pack_citation."""
    return zlib.decompress(value).decode("utf-8")
#: Stored values returned with every hit.
RESULT_FIELDS = ("id", "name", "kind", "cycle", "company", "operator", "region", "unit", "stage",
                 "notice_id", "person")


def make_codec():
    """Whoosh's W3 codec with posting blocks of up to 1,024 documents (not 128: a
    word in most citations is read whole, and each block costs a decompression and
    an unpickling) and without per-block field-length statistics: they serve only
    Whoosh's own top-N scoring (ranking.py scores from the length columns), and
    writing them reads a document's length for every posting (a fifth of indexing)."""
    codec = W3Codec(blocklimit=1024)
    codec.length_stats = False  # an instance attribute: pickled with each segment
    return codec


def make_schema(digest=None):
    """The schema, its analyzer bound to the snapshot's jieba dictionary `digest`."""
    analyzer = chinese_analyzer(digest)
    # Names and units are single dictionary words (the archive's own): their parts
    # are terms too, so any run of words read in them is found.
    short = chinese_analyzer(digest, parts=True)
    phrases = {twin: TEXT(analyzer=short, phrase=True) for twin in PHRASE_FIELDS.values()}
    for field in phrases.values():
        field.scorable = False  # matched, never scored: no field-length column
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
        name=TEXT(analyzer=short, stored=True, phrase=False),
        name_sub=KEYWORD(lowercase=True, scorable=True),
        pinyin=KEYWORD(lowercase=True, scorable=True),
        org=TEXT(analyzer=short, phrase=False),
        role=TEXT(analyzer=short, phrase=False),
        # Term frequencies only (phrases: citation_pairs): snippets find the matched
        # words in citation_text, so positions and offsets would only slow matching.
        citation=TEXT(analyzer=analyzer, phrase=False),
        citation_pairs=TEXT(analyzer=PairTokenizer(digest), phrase=False),
        citation_text=COLUMN(VarBytesColumn()),
        company=ID(stored=True, sortable=True),
        # "1" when the citation has no traditional characters: snippets then skip the
        # conversion (analysis.is_plain).
        plain=STORED(),
        unit=STORED(),
        **phrases,
    )
