"""Word and Excel attachments -> Documents (text lines + tables).

.docx through python-docx (merged cells come back as the same cell, so
their text repeats over the span), .xlsx through openpyxl (merged ranges
filled from their top-left cell), .xls through xlrd (merged ranges and
number formats need formatting_info), and Word 97 .doc by converting it to
.docx with LibreOffice when it is installed.
"""

import datetime as _dt
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .errors import ParseError
from .documents import is_list
from .text_notice import label_lines
from .tables import (CellBudget, Document, Table, check_rows, clean_cell, date_text, fill_merged,
                     heading_above, number_text, trim_grid)

#: Sheets wider than this are not lists (a sheet's used range can be absurd).
MAX_COLUMNS = 200
#: An Office file's parts, unpacked, at most; and the most a part may expand.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100


def _check_zip(data, what):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(f"这不是 {what} 文件（已损坏，或是其他格式改了扩展名）")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = z.infolist()
        if sum(i.file_size for i in members) > MAX_UNPACKED:
            raise ParseError(f"{what} 文件解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，拒绝导入")
        for i in members:
            # A part that unpacks to a hundred times its size and more than a megabyte:
            # the text of a list compresses about tenfold.
            if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise ParseError(f"{what} 文件中的 {i.filename} 压缩比异常（超过 {MAX_RATIO} 倍），"
                                 "拒绝导入")


def docx_document(data):
    """Read a .docx: paragraphs as lines, tables in document order with their headings."""
    _check_zip(data, "Word .docx")
    import docx
    from docx.text.paragraph import Paragraph
    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise  # the sandbox's limit: refused as such
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise ParseError(f"无法读取 Word .docx 文件：{exc}") from exc
    lines, tables, text, blocks = [], [], [], []
    budget, since = CellBudget(), 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            line = clean_cell(Paragraph(child, document).text)
            if line:
                lines += line.split("\n")
                blocks += [("p", part) for part in line.split("\n")]
                text.append(line)
        elif tag == "tbl":
            for grid in _docx_tables(child, budget):
                table = Table(rows=trim_grid(grid), heading=heading_above(lines, since),
                              source=f"表格 {len(tables) + 1}")
                if not is_list(table):
                    # A disclosure block or a candidate's form (label | value) as lines.
                    labelled = [line for row in grid for line in (label_lines(row) or ())]
                    lines += labelled
                tables.append(table)
                blocks.append(("table", len(tables) - 1))
                text += table.as_lines()
            since = len(lines)
    return Document(lines=lines, tables=tables, text="\n".join(text), format="docx",
                    blocks=blocks)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_tables(tbl, budget, depth=0):
    """A Word table's grid and the grids of the tables nested in its cells (a layout
    table around a list), read from the XML in one pass: a cell spanning columns
    (gridSpan) reaches no further than the table's grid, a cell merged down (vMerge)
    repeats the text above it. python-docx's cell grid is quadratic in merged rows and
    trusts any gridSpan."""
    width = len(tbl.findall(f"{_W}tblGrid/{_W}gridCol")) or MAX_COLUMNS
    width = min(width, MAX_COLUMNS)
    grid, nested = [], []
    for tr in tbl.findall(f"{_W}tr"):
        check_rows(len(grid) + 1, "Word 表格")
        row = [""] * min(_int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0), width)
        for tc in tr.findall(f"{_W}tc") + tr.findall(f"{_W}sdt/{_W}sdtContent/{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span = _int(props.find(f"{_W}gridSpan") if props is not None else None, 1)
            span = max(1, min(span, width - len(row)))
            merge = props.find(f"{_W}vMerge") if props is not None else None
            if merge is not None and merge.get(f"{_W}val") != "restart":
                above = grid[-1] if grid else []
                text = above[len(row)] if len(row) < len(above) else ""
            else:
                text = _cell_text(tc)
            if len(row) < width:
                row += [text] * span
            for inner in tc.findall(f"{_W}tbl"):
                if depth < 5:
                    nested.append(inner)
        budget.spend(len(row), "Word 文件中的表格")
        grid.append(row)
    yield grid
    for inner in nested:
        yield from _docx_tables(inner, budget, depth + 1)


def _int(element, default):
    try:
        return int(element.get(f"{_W}val"))
    except (AttributeError, TypeError, ValueError):
        return default


def _cell_text(tc):
    """A cell's paragraphs as lines (runs joined; a tab or break as Word shows it)."""
    paragraphs = []
    for p in tc.findall(f"{_W}p"):
        parts = []
        for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            else:
                parts.append("\t" if node.tag == f"{_W}tab" else "\n")
        paragraphs.append("".join(parts))
    return clean_cell("\n".join(paragraphs))


def _sheets_document(sheets, fmt):
    """Sheets given as (name, grid) -> one Document, a table per sheet."""
    tables, text = [], []
    for name, grid in sheets:
        grid = trim_grid(grid)
        if not grid:
            continue
        table = Table(rows=grid, source=f"工作表 {name}")
        tables.append(table)
        text += [f"[工作表 {name}]"] + table.as_lines()
    if not tables:
        raise ParseError("工作簿中的工作表都是空的")
    return Document(lines=[], tables=tables, text="\n".join(text), format=fmt)


def _xlsx_value(cell):
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return date_text(value, cell.number_format)
    if isinstance(value, (int, float)):
        return number_text(value, cell.number_format)
    return clean_cell(value)


def xlsx_document(data):
    """Read an .xlsx workbook: every visible sheet is a table, merged ranges filled.

    Sheets are streamed (openpyxl's read-only mode) and merged ranges read from the
    sheet's XML, each reaching no further than the cells the sheet really has: at
    load, openpyxl makes an object for every cell of a merged range, and one range
    can claim the whole sheet (A1:XFD1048576)."""
    _check_zip(data, "Excel .xlsx")
    import openpyxl
    try:
        merges = _xlsx_merges(data)
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except MemoryError:
        raise  # the sandbox's limit: refused as such
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ParseError(f"无法读取 Excel .xlsx 文件：{exc}") from exc
    sheets, budget = [], CellBudget()
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            grid = []
            # Rows are padded to max_col: the sheet's declared width, at most MAX_COLUMNS.
            width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
            for row in sheet.iter_rows(max_col=width):
                check_rows(len(grid) + 1, f"工作表 {sheet.title}")
                budget.spend(len(row), f"工作表 {sheet.title}")
                grid.append([_xlsx_value(c) for c in row])
            sheets.append((sheet.title, fill_merged(grid, merges.get(sheet.title, []))))
    except (MemoryError, ParseError):
        raise
    except Exception as exc:
        raise ParseError(f"无法读取 Excel .xlsx 文件：{exc}") from exc
    finally:
        book.close()
    return _sheets_document(sheets, "xlsx")


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _cell_index(ref):
    m = _REF.match(ref)
    if not m:
        raise ValueError(ref)
    column = 0
    for ch in m.group(1):
        column = column * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, column - 1


def _xlsx_merges(data):
    """{sheet name: [(first_row, first_col, last_row, last_col)]}, 0-based, read from
    the workbook's XML (sheet names from workbook.xml and its relationships)."""
    from xml.etree import ElementTree
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        def xml(name):
            raw = z.read(name)
            if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:  # OOXML has none: a bomb
                raise ParseError("Excel 文件中含有 XML 实体声明，拒绝读取")
            return ElementTree.fromstring(raw)
        try:
            targets = {r.get("Id"): r.get("Target")
                       for r in xml("xl/_rels/workbook.xml.rels")}
            sheets = [(s.get("name"), targets.get(s.get(f"{rel}id")))
                      for s in xml("xl/workbook.xml").iter(f"{main}sheet")]
        except KeyError:
            return {}
        out = {}
        for name, target in sheets:
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            try:
                root = xml(path)
            except KeyError:
                continue
            ranges = []
            for merged in root.iter(f"{main}mergeCell"):
                try:
                    first, last = (merged.get("ref") or "").split(":")
                    (r0, c0), (r1, c1) = _cell_index(first), _cell_index(last)
                except ValueError:
                    continue
                ranges.append((r0, c0, r1, c1))
            out[name] = ranges
    return out


def xls_document(data):
    """Read an Excel 97 .xls workbook (xlrd, with merged cells and number formats)."""
    import xlrd
    if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ParseError("这不是 Excel .xls 文件（已损坏，或是其他格式改了扩展名）")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=io.StringIO())  # its warnings are not ours to print
    except MemoryError:
        raise  # the sandbox's limit: refused as such
    except Exception as exc:  # xlrd raises XLRDError, struct.error, … for damaged files
        raise ParseError(f"无法读取 Excel .xls 文件：{exc}") from exc
    sheets, budget = [], CellBudget()
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.visibility:
            continue
        check_rows(sheet.nrows, f"工作表 {sheet.name}")
        budget.spend(sheet.nrows * min(sheet.ncols, MAX_COLUMNS), f"工作表 {sheet.name}")
        grid = [[_xls_value(book, sheet, r, c) for c in range(min(sheet.ncols, MAX_COLUMNS))]
                for r in range(sheet.nrows)]
        sheets.append((sheet.name, fill_merged(grid, [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1
                                                      in sheet.merged_cells])))
    return _sheets_document(sheets, "xls")


def _xls_value(book, sheet, r, c):
    import xlrd
    cell = sheet.cell(r, c)
    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
    fmt_text = fmt.format_str if fmt else None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return date_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), fmt_text)
        except (ValueError, OverflowError):
            return number_text(cell.value, fmt_text)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return number_text(cell.value, fmt_text)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return number_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return clean_cell(cell.value)
    return ""


def _unlimited_address_space():
    """LibreOffice maps far more address space than it uses: the parsing sandbox's
    RLIMIT_AS would stop it, so it lifts its soft limit (the sandbox's wall-clock limit
    and process group still bound it)."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def doc_converter():
    """The LibreOffice program that converts Word 97 files, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def doc_document(data, timeout=120):
    """Read a Word 97 .doc by converting it to .docx with LibreOffice (tables kept)."""
    if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ParseError("这不是 Word 97 .doc 文件（已损坏，或是其他格式改了扩展名）")
    program = doc_converter()
    if program is None:
        raise ParseError("此处无法读取 Word 97 .doc 文件（未安装 LibreOffice）；"
                         "请用 Word 或 WPS 另存为 .docx 后再导入")
    with tempfile.TemporaryDirectory(prefix="archive-doc-") as tmp:
        source = Path(tmp) / "notice.doc"
        source.write_bytes(data)
        # A session of its own, so that a timeout kills soffice.bin too (soffice is a
        # launcher), before the temporary folder it writes into is removed.
        convert = subprocess.Popen(
            [program, "--headless", "--norestore", "--convert-to", "docx", "--outdir", tmp,
             f"-env:UserInstallation=file://{tmp}/profile", str(source)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_unlimited_address_space)
        try:
            convert.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            try:
                os.killpg(convert.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            convert.wait()
        try:
            converted = (Path(tmp) / "notice.docx").read_bytes()
        except OSError as exc:
            raise ParseError("LibreOffice 无法转换这个 .doc 文件；请另存为 .docx 后再导入") from exc
    doc = docx_document(converted)
    doc.format = "doc"
    return doc
