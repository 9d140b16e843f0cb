"""Text PDFs -> a Document: pdfplumber's ruled tables, else columns read from
the positions of the words under a header line (序号 姓名 单位).

A PDF without a text layer (a scan) is rendered page by page and read through OCR
(ocr.py).
"""

import io
import logging
import re
import zlib

from .columns import header_fields
from .documents import is_list
from .errors import ParseError
from .tables import Document, Table, clean_cell

MAX_PAGES = 500
# pdfminer logs every odd font at WARNING; a notice import has nothing to learn from it.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


#: The most bytes one PDF stream may decompress to (a page's content is kilobytes).
MAX_STREAM = 64 * 1024 * 1024
_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")
#: How many references a lookup follows before it calls the file circular.
_MAX_HOPS = 32


def _check_streams(data):
    """Refuse a PDF whose compressed streams unpack to more than MAX_STREAM each (a
    megabyte that unpacks to a gigabyte), before pdfminer unpacks them whole."""
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        unpack = zlib.decompressobj()
        try:
            unpack.decompress(data[m.end():end if end > 0 else None], MAX_STREAM)
        except zlib.error:
            continue  # damaged: pdfminer decides
        if unpack.unconsumed_tail:
            raise ParseError(f"PDF 中有数据流解压后超过 {MAX_STREAM // 1024 // 1024} MB，"
                             "文件结构异常，拒绝导入")


def _check_pages(data):
    """Count the pages from the catalog's /Count, following each reference a bounded
    number of times: a page tree that points at itself is refused at once, and no
    page is resolved for counting."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFObjRef

    def resolve(value):
        for _ in range(_MAX_HOPS):
            if not isinstance(value, PDFObjRef):
                return value
            value = value.resolve()
        raise ParseError("PDF 的对象互相引用成环，文件结构异常，拒绝导入")

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    pages = resolve(resolve(document.catalog).get("Pages")) if document.catalog else None
    count = resolve(pages.get("Count")) if isinstance(pages, dict) else None
    kids = resolve(pages.get("Kids")) if isinstance(pages, dict) else None
    if isinstance(kids, list):
        for kid in kids[:MAX_PAGES + 1]:
            resolve(kid)
    if isinstance(count, int) and count > MAX_PAGES:
        raise ParseError(f"PDF 有 {count} 页，超过 {MAX_PAGES} 页的文件拒绝导入")


def pdf_document(data):
    """Read a text PDF's lines and tables; refuse a scanned one."""
    if not data.startswith(b"%PDF"):
        raise ParseError("这不是 PDF 文件（已损坏，或是其他格式改了扩展名）")
    import pdfplumber
    _check_streams(data)
    try:
        _check_pages(data)
        pdf = pdfplumber.open(io.BytesIO(data))
    except (MemoryError, ParseError):
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise ParseError(f"无法读取 PDF 文件：{exc}") from exc
    with pdf:
        try:
            pages = [_page(page, number) for number, page in enumerate(pdf.pages, start=1)]
            # The stored text: every page's whole text, tables included.
            text = "\n".join(clean_cell(page.extract_text() or "") for page in pdf.pages)
            lines = [line for page_lines, _, _ in pages for line in page_lines]
            if not any(lines) and not any(tables for _, tables, _ in pages):
                return _scanned(data, len(pdf.pages))
            tables = _join_pages([page_tables for _, page_tables, _ in pages])
            order = [block for _, _, page_order in pages for block in page_order]
            if not any(is_list(t) for t in tables):
                # No ruled list: one printed without rules? Else keep the ruled tables
                # (a list without its header row is read from their rows).
                positional = _positional_document(pdf)
                if any(is_list(t) for t in positional.tables):
                    return Document(lines=lines, tables=positional.tables, text=text,
                                    format="pdf", blocks=positional.blocks)
        except ParseError:
            raise
        except MemoryError:
            raise  # the sandbox's limit: refused as such
        except Exception as exc:
            raise ParseError(f"无法读取 PDF 文件：{exc}") from exc
    index = {id(t): i for i, t in enumerate(tables)}  # a table joined to the one before drops
    blocks = [("table", index[id(v)]) if kind == "table" else (kind, v)
              for kind, v in order if kind == "p" or id(v) in index]
    return Document(lines=lines, tables=tables, text=text, format="pdf", blocks=blocks)


def _scanned(data, pages):
    """A PDF without a text layer: its pages rendered and read through OCR."""
    from .ocr import MAX_PAGES as OCR_PAGES, ocr_pages, pdf_page_images
    if pages > OCR_PAGES:
        raise ParseError(f"这个 PDF 没有文字层（是扫描图片），有 {pages} 页；文字识别最多读 "
                         f"{OCR_PAGES} 页，请拆分文件或索取原始文档")
    try:
        doc = ocr_pages(pdf_page_images(data), "扫描 PDF")
    except ParseError as exc:
        raise ParseError(f"这个 PDF 没有文字层（是扫描图片）；{exc}") from exc
    doc.format = "pdf"
    return doc


def _page(page, number):
    """One page: its text lines outside ruled tables, those tables, and both in the
    order they stand on the page ([("p", line) | ("table", Table)])."""
    found = page.find_tables()
    tables = []
    for i, table in enumerate(found, start=1):
        grid = [[clean_cell(c) for c in row] for row in table.extract()]
        tables.append(Table(rows=grid, source=f"第 {number} 页表格 {i}",
                            row_numbers=list(range(1, len(grid) + 1))))
    outside = page
    for table in found:
        outside = outside.outside_bbox(table.bbox)
    placed = [(line["top"], clean_cell(line["text"])) for line in outside.extract_text_lines()]
    placed = [(top, line) for top, line in placed if line]
    lines = [line for _, line in placed]
    floor = 0  # the heading of a table lies below the table above it
    for table, box in sorted(zip(tables, found), key=lambda pair: pair[1].bbox[1]):
        above = page.crop((0, floor, page.width, box.bbox[1])).extract_text() \
            if box.bbox[1] > floor + 1 else ""
        floor = max(floor, box.bbox[3])
        table.heading = [clean_cell(line) for line in (above or "").split("\n")
                         if clean_cell(line)][-3:]
    order = sorted([(top, ("p", line)) for top, line in placed]
                   + [(box.bbox[1], ("table", table)) for table, box in zip(tables, found)],
                   key=lambda pair: pair[0])
    return lines, tables, [block for _, block in order]


def _header(table):
    return next((f for f in map(header_fields, table.rows[:5]) if f is not None), None)


def _join_pages(pages):
    """A list that goes on over a page break with its header repeated is one list
    (so its group rows go on applying): the first table of a page joins the last
    table of the page before when both have the same header."""
    out, last_on_previous = [], None
    for page_tables in pages:
        for index, table in enumerate(page_tables):
            header = _header(table)
            if index == 0 and last_on_previous is not None and header is not None \
                    and header == _header(last_on_previous) \
                    and table.width == last_on_previous.width:
                last_on_previous.rows += table.rows
                last_on_previous.row_numbers += [f"{table.source} 第 {n} 行"
                                                 for n in table.row_numbers]
                continue
            out.append(table)
        last_on_previous = out[-1] if page_tables else None
    return out


def _positional_document(pdf):
    """Lists printed without rules: the words and their positions, read into lines and
    lists as any positioned text is (layout.py: columns from the header line)."""
    from .layout import Box, boxes_document
    pages = [[Box(w["text"], w["x0"], w["top"], w["x1"], w["bottom"])
              for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)]
             for page in pdf.pages]
    return boxes_document(pages, "pdf", "PDF 文本")
