"""Notice parsers: page text and HTML, Word, Excel, PDF, OFD, CSV/JSON lists, and
scans and photos through OCR.

Every format is read into one model (`tables.Document`: text lines and
tables), and lists are read by one header mapper (`columns.py`). A page and
its attachments import as one notice (`parse_files`).
"""

import io
import zipfile
from pathlib import Path

from .decode import decode_bytes
from .errors import ParseError
from .metadata import FLAGS
from .notice import ENTRY_FIELDS, NOTICE_FIELDS, ParsedNotice

__all__ = ["ParseError", "ParsedNotice", "ENTRY_FIELDS", "NOTICE_FIELDS", "FLAGS", "parse_bytes",
           "parse_file", "parse_files", "FORMATS", "reading_of_text"]

#: File endings accepted by import, web upload included.
FORMATS = ("txt", "html", "htm", "csv", "json", "docx", "doc", "xlsx", "xls", "pdf", "ofd",
           "jpg", "jpeg", "png", "tif", "tiff")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _suffix(filename):
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ParseError(f"不支持的文件类型 .{suffix or '?'}；可导入："
                         + "、".join("." + f for f in FORMATS), filename=filename)
    return suffix


def _kind(data, suffix):
    """What the bytes are, whatever the ending says (sites serve HTML tables as .xls)."""
    from .ocr import image_kind
    if data.startswith(b"%PDF"):
        return "pdf"
    if image_kind(data):
        return "image"
    if data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data)):
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        if any(n.lower() == "ofd.xml" for n in names):
            return "ofd"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return suffix
    if data.startswith(_OLE):
        return suffix if suffix in ("doc", "xls") else "doc"
    if suffix in ("docx", "xlsx", "xls", "doc", "pdf"):
        head = data[:2048].lstrip().lower()
        if head.startswith((b"<", b"\xef\xbb\xbf<")) and b"<table" in data[:1_000_000].lower():
            return "html"  # an HTML table saved with an Office ending
        if suffix == "doc" and head.startswith(b"{\\rtf"):
            return "doc"  # LibreOffice reads RTF as well
    return suffix


def read_document(data, filename):
    """Read a file (any format) into a Document: its text lines and tables."""
    from .html_notice import html_document
    from .ocr import image_document
    from .ofd import ofd_document
    from .office import doc_document, docx_document, xls_document, xlsx_document
    from .pdf import pdf_document

    kind = _kind(data, _suffix(filename))
    if not data:
        raise ParseError("文件是空的")
    readers = {"docx": docx_document, "xlsx": xlsx_document, "xls": xls_document,
               "doc": doc_document, "pdf": pdf_document, "ofd": ofd_document,
               "image": image_document}
    if kind in readers:
        return readers[kind](data)
    text = decode_bytes(data, filename)
    if kind in ("html", "htm"):
        return html_document(text)
    if kind == "csv":
        from .tabular import csv_document
        return csv_document(text)
    if kind == "json":
        raise ParseError("JSON 名单不能作为附件，请单独导入")
    return text_document(text)


def text_document(text, fmt="txt"):
    """A text file (a page copied from a browser) as a Document: its lines, the tables
    copied into it as tab-separated rows, and both in the order they stand."""
    from .documents import is_list
    from .tables import Document, tab_tables
    from .text_notice import clean_lines, label_lines

    tables, outside = tab_tables(text)
    raw = text.split("\n")
    starts = {t.row_numbers[0] - 1: n for n, t in enumerate(tables)}
    outside = set(outside)
    lines, blocks = [], []
    for i, row in enumerate(raw):
        if i in starts:
            blocks.append(("table", starts[i]))
        elif i in outside:
            for _, line in clean_lines(row):
                lines.append(line)
                blocks.append(("p", line))
    # A disclosure block copied as tab-separated pairs: the page's metadata, as lines.
    labelled = [line for t in tables if not is_list(t)
                for row in t.rows for line in (label_lines(row) or ())]
    return Document(lines=labelled + lines, tables=tables, text=text, format=fmt,
                    blocks=blocks)


def parse_bytes(data, filename, overrides=None):
    """Parse one notice file's bytes; the format comes from the bytes and the filename.

    overrides: notice metadata the admin supplies (keys of FLAGS), over the file's."""
    return parse_files((filename, data), (), overrides)


def parse_files(main, attachments=(), overrides=None, choices=None, guide=None):
    """Parse a notice given as a page (name, bytes) and its attachments, as one notice.

    choices: where the page and an attachment give one honoree different values,
    the admin's pick ({conflict key: index}); the page's value otherwise. guide: the
    admin's reading guide (guide.py: which table and columns, or which lines)."""
    from .documents import combine, is_list, parse_document
    from .tabular import parse_csv, parse_json
    from .text_notice import has_blocks, parse_notice_text

    filename, data = main
    try:
        kind = _kind(data, _suffix(filename))
        if not attachments and not guide and kind in ("csv", "json"):
            text = decode_bytes(data, filename)
            parse = parse_csv if kind == "csv" else parse_json
            return parse(text, filename=filename, overrides=overrides)
        doc = read_document(data, filename)
        # A page of candidate blocks; any other text (lines that may form a list) is
        # read as a document.
        if not attachments and not guide and kind == "txt" \
                and not any(is_list(t) for t in doc.tables) \
                and has_blocks(doc.lines):
            from .guide import layout_of
            parsed = parse_notice_text(doc.text, fmt="txt", filename=filename,
                                       overrides=overrides)
            parsed.layout = layout_of(doc)
            return parsed
    except ParseError as exc:
        raise exc.with_filename(filename) from None
    others = []
    for name, blob in attachments:
        try:
            others.append((Path(name).name, read_document(blob, name)))
        except ParseError as exc:
            raise exc.with_filename(name) from None
    try:
        parsed = parse_document(combine(doc, others, Path(filename).name), overrides, filename,
                                guide)
    except ParseError as exc:
        raise exc.with_filename(filename) from None
    if choices:
        from .merge import apply_choices
        apply_choices(parsed.entries, parsed.merges, choices)
    return parsed


def parse_file(path, overrides=None):
    """Parse the notice file at path."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"无法读取文件：{exc.strerror}", filename=str(path)) from exc
    return parse_bytes(data, str(path), overrides)


def reading_of_text(text, fmt):
    """A stored notice text as a reader sees it (tables.reading_of), for versions
    imported before the reading was kept: an HTML page read as a page, any other
    text as paragraphs and tab-separated tables."""
    from .html_notice import html_document
    from .tables import reading_of
    if fmt in ("html", "htm"):
        try:
            return reading_of(html_document(text))
        except ParseError:
            pass
    return reading_of(text_document(text, fmt))
