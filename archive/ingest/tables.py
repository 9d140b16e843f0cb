"""One model for every notice file: its text lines and its tables.

Each reader (HTML, Word, Excel, PDF, CSV) turns a file into a `Document`:
the text a person reads, line by line (for the title, publisher, date and
stated counts), and the tables it holds, each a plain grid of strings with
merged cells resolved (the value repeated over the cells it spans) and
numbers written as a person reads them ("1", not "1.0"). The header mapper
(`columns.py`) reads entries out of the tables whatever the file format.
"""

import datetime as _dt
import re
from dataclasses import dataclass, field

from .errors import ParseError

#: Characters that never belong in a stored field: C0 and C1 controls but \n and \t
#: (XML cannot carry them), the non-characters U+FFFE/U+FFFF, and the invisible format
#: characters — bidirectional controls (U+202E turns a name around), zero-width
#: marks and joiners, word joiners, the byte-order mark, interlinear annotations.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                      "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                      "\ufffe\uffff]")
_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_DECIMALS = re.compile(r"0\.(0+)")

#: The most rows one list may have, in every format. Every cycle's honorees and
#: candidates together number in the thousands; a larger table is refused.
MAX_ROWS = 20_000


#: The most cells one file may hold across all its sheets and tables (a national list
#: of every cycle is some tens of thousands of cells).
MAX_CELLS = 2_000_000


class CellBudget:
    """Cells read so far from one file, across its sheets and tables; refuses a file
    with more than MAX_CELLS (ten sheets each with one far cell, a grid of 20,000 × 200)."""

    def __init__(self, limit=None):
        self.left = MAX_CELLS if limit is None else limit

    def spend(self, cells, where):
        """Count cells about to be read; raise ParseError past the budget."""
        self.left -= cells
        if self.left < 0:
            raise ParseError(f"{where}的单元格总数超过 {MAX_CELLS:,}；没有哪份通知有这么大的名单，"
                             "文件可能有异常的合并单元格或空白区域")


def check_rows(count, where):
    """Refuse a table longer than MAX_ROWS with a clear message."""
    if count > MAX_ROWS:
        raise ParseError(f"{where}超过 {MAX_ROWS} 行；没有哪份通知列出这么多条目，请拆分文件")


@dataclass
class Table:
    """A grid of cell texts; `heading` is the text just above it (its list title)."""

    rows: list
    heading: list = field(default_factory=list)
    source: str = "表格 1"
    row_numbers: list = None
    row_label: str = "第 {} 行"  # how an error names a row
    file: str = None  # the file it was read from, when a notice comes in several files
    # Read by OCR: each cell's confidence (0-1), a grid like rows; None when typed text.
    confidence: list = None

    def __post_init__(self):
        width = max((len(r) for r in self.rows), default=0)
        self.rows = [list(r) + [""] * (width - len(r)) for r in self.rows]
        if self.confidence is not None:
            self.confidence = [list(c) + [1.0] * (width - len(c)) for c in self.confidence]
        if self.row_numbers is None:
            self.row_numbers = list(range(1, len(self.rows) + 1))

    @property
    def width(self):
        """Number of columns."""
        return len(self.rows[0]) if self.rows else 0

    def as_lines(self):
        """The table as tab-separated text lines (for the stored text of a file)."""
        return ["\t".join(c.replace("\n", " ") for c in row).rstrip("\t") for row in self.rows]


@dataclass
class Document:
    """A notice file as read: text lines outside tables, tables, the text to keep."""

    lines: list
    tables: list
    text: str
    format: str
    title_hint: str = None
    head_lines: list = None  # the lines metadata is read from (a page's, not its attachments')
    head_file: str = None    # the name of the file those lines come from
    # The notice as a reader shows it, in document order: ("h", text) headings,
    # ("p", text) paragraphs, ("table", index into tables); None: lines, then tables.
    blocks: list = None
    reading: list = None     # reading_of(...) of the files combined, when combined


#: Rows of one table shown on a notice page; a longer list is cut there (its
#: entries are all listed beside it).
READING_ROWS = 2000


def heading_above(lines, since):
    """A table's heading: the last three text lines above it, none of them from above
    the table before it (lines[since:] came after that table)."""
    return lines[max(since, len(lines) - 3):]


def reading_of(doc):
    """A document as a reader sees it, JSON-ready: [{"type": "h"|"p", "text": …} or
    {"type": "table", "rows": [[[text, columns spanned], …], …]}], in document order;
    never markup. A merged cell (repeated over its columns in the grid) is one cell."""
    if doc.reading is not None:
        return doc.reading
    blocks = doc.blocks
    if blocks is None:
        blocks = [("p", line) for line in doc.lines] \
            + [("table", i) for i in range(len(doc.tables))]
    out = []
    for kind, value in blocks:
        if kind == "table":
            rows = [_spans(row) for row in doc.tables[value].rows[:READING_ROWS]]
            out.append({"type": "table", "rows": rows})
        else:
            out.append({"type": kind, "text": value})
    return out


def clean_cell(text):
    """A cell's text: control characters dropped, runs of spaces made one, lines
    kept (a citation's paragraphs), blank lines dropped."""
    if text is None:
        return ""
    text = CONTROLS.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_LATIN = re.compile(r"[A-Za-z]")


def one_line(text):
    """A wrapped cell's (or title's) lines as one line: a space only where the break
    fell between two Latin words, none between Chinese characters (中国电信股份有限
    公司 / 九江分公司) or inside a number (2021-2 / 022年度, 100 / 86)."""
    lines = (text or "").split("\n")
    out = lines[0]
    for line in lines[1:]:
        words = _LATIN.match(out[-1:]) and _LATIN.match(line[:1])
        out += " " + line if words else line
    return out


def number_text(value, number_format=None):
    """A number as a person reads it in the sheet: 1.0 -> "1", 1985.10 in a 0.00
    format -> "1985.10"."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    m = _DECIMALS.search(number_format or "")
    if m and "%" not in number_format:
        return f"{value:.{len(m.group(1))}f}"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def date_text(value, number_format=None):
    """A date cell as ISO text; year and month only when the format shows no day."""
    if isinstance(value, _dt.time):
        return value.isoformat()
    fmt = (number_format or "").lower()
    if isinstance(value, _dt.datetime) and value.time() != _dt.time(0) and "h" in fmt:
        return value.isoformat(sep=" ")
    if fmt and "d" not in fmt.replace("[red]", "") and ("m" in fmt or "月" in fmt):
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def fill_merged(grid, ranges):
    """Copy each merged range's top-left value into every cell it covers.

    ranges: (first_row, first_col, last_row, last_col), 0-based and inclusive. A range
    reaches no further than the grid's rows and widest row: a merge over the whole
    sheet fills the cells the sheet has, not a million rows."""
    width = max((len(row) for row in grid), default=0)
    for r0, c0, r1, c1 in ranges:
        if r0 >= len(grid) or c0 >= width or r1 < r0 or c1 < c0:
            continue
        c1 = min(c1, width - 1)
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
    return grid


def trim_grid(grid):
    """Drop trailing empty rows and columns (sheets carry formatted blank cells)."""
    while grid and not any(grid[-1]):
        grid.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in grid), default=0)
    return [r[:width] + [""] * (width - len(r[:width])) for r in grid]


def row_text(row):
    """A grid row as one tab-separated line: a merged cell (repeated over its columns)
    once, empty cells left out, a cell's own lines joined."""
    return "\t".join(text.replace("\n", " ") for text, _ in _spans(row) if text)


def _spans(row):
    """A grid row as [text, span] cells: equal neighbours (a merged cell) as one."""
    out = []
    for cell in row:
        if out and cell and out[-1][0] == cell:
            out[-1][1] += 1
        else:
            out.append([cell, 1])
    return out


def tab_tables(text):
    """Tables copied from a browser into a text file: runs of two or more lines whose
    cells are tab-separated. Returns (tables, the other lines' indexes)."""
    tables, outside, run = [], [], []
    since = [0]  # outside lines before this index lie above an earlier table

    def close():
        if len(run) >= 2:
            rows = [[clean_cell(c) for c in text_lines[i].split("\t")] for i in run]
            # Its heading: the text lines right above it, none from above the table before.
            above = [clean_cell(text_lines[i]) for i in outside[since[0]:]]
            tables.append(Table(rows=trim_grid(rows), source=f"表格 {len(tables) + 1}",
                                row_numbers=[i + 1 for i in run],
                                heading=heading_above([a for a in above if a], 0)))
            since[0] = len(outside)
        else:
            outside.extend(run)
        run.clear()

    def tabbed(line):
        return "\t" in line.strip("\t \u3000") and len([c for c in line.split("\t")
                                                        if c.strip()]) >= 2

    text_lines = text.split("\n")
    for i, line in enumerate(text_lines):
        if tabbed(line):
            run.append(i)
            continue
        if run and not line.strip():
            continue  # a blank line inside a copied table
        if run and len(line) <= 60 and i + 1 < len(text_lines) and tabbed(text_lines[i + 1]):
            run.append(i)  # a group row (中国电信（2名）) copied as one cell
            continue
        close()
        outside.append(i)
    close()
    for table in tables:
        check_rows(len(table.rows), "表格")
    return tables, sorted(outside)
