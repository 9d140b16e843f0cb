"""Notice parsers: page text, page HTML, and structured CSV/JSON lists."""

from pathlib import Path

from .decode import decode_bytes
from .errors import ParseError
from .notice import ENTRY_FIELDS, NOTICE_FIELDS, ParsedNotice

__all__ = ["ParseError", "ParsedNotice", "ENTRY_FIELDS", "NOTICE_FIELDS", "parse_bytes",
           "parse_file", "FORMATS"]

#: File endings accepted by import, web upload included.
FORMATS = ("txt", "html", "htm", "csv", "json")


def parse_bytes(data, filename):
    """Parse one notice file's bytes; the format comes from the filename's ending."""
    from .html_notice import parse_notice_html
    from .tabular import parse_csv, parse_json
    from .text_notice import parse_notice_text

    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ParseError(f"unsupported file type .{suffix or '?'}; expected one of: "
                         + ", ".join("." + f for f in FORMATS), filename=filename)
    try:
        text = decode_bytes(data, filename)
        if suffix == "txt":
            return parse_notice_text(text, fmt="txt", filename=filename)
        if suffix in ("html", "htm"):
            return parse_notice_html(text, filename=filename)
        if suffix == "csv":
            return parse_csv(text, filename=filename)
        return parse_json(text, filename=filename)
    except ParseError as exc:
        raise exc.with_filename(filename) from None


def parse_file(path):
    """Parse the notice file at path."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", filename=str(path)) from exc
    return parse_bytes(data, str(path))
