"""Notice pages as HTML -> a Document: the page's text lines and its data tables.

Parsed by lxml (through BeautifulSoup), which is linear in the page's size.
A table is data when it holds no other table and its cells hold no blocks:
its rows become a grid (rowspan/colspan resolved) and, when a header names
a name column, a list for the header mapper; a two-cell "key | value" row
reads as the line "key：value" for the block parser. Layout tables (those
that wrap the page, or hold paragraphs) are read as blocks, never flattened
into one line.
"""

import re

from bs4 import BeautifulSoup, NavigableString
from bs4.element import PreformattedString

from .documents import is_list
from .errors import ParseError
from .tables import Document, Table, check_rows, clean_cell, one_line
from .text_notice import FIELD_KEYS

_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table",
               "section", "article", "header", "footer", "ul", "ol", "dl", "dt", "dd",
               "blockquote", "pre", "center", "form", "hr", "title", "caption", "tbody")
_CELL_BLOCKS = ("p", "div", "table", "li", "ul", "ol", "h1", "h2", "h3", "h4", "br", "section")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "select",
              "button", "input", "textarea")
#: Page-size limits that keep parsing fast and refuse hostile pages clearly.
MAX_DEPTH = 400
_ROW_RE = re.compile(r"<tr[\s>]", re.I)
_MARK = "\x00TABLE{}\x00"
_MARK_RE = re.compile("\x00TABLE(\\d+)\x00")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADING = "\x01"  # marks a heading's text through get_text (clean_cell drops it)
_GOES_ON = "\x02"  # a heading's next line after a <br>: one heading, joined
_META_KEYS = ("来源", "发布机构", "发文机关", "发布单位", "信息来源", "发布日期", "发布时间",
              "成文日期", "日期", "文号", "发文字号", "标题", "名称", "索引号", "主题分类")


def _key(text):
    return re.sub(r"[\s:：]", "", text or "")


def _is_key(text):
    key = _key(text)
    return key in FIELD_KEYS or key in _META_KEYS


def _check_depth(soup):
    """Refuse pages nested deeper than any real notice (a sign of a hostile file)."""
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"HTML 嵌套超过 {MAX_DEPTH} 层，"
                             "不是通知网页")
        stack.extend((child, depth + 1) for child in node.find_all(True, recursive=False))


def _grid(table):
    """A data table's rows as a grid, with rowspan and colspan resolved."""
    grid, pending = [], {}  # pending: column -> (rows left, text) of cells spanning down

    def fill_pending(row):
        while len(row) in pending:
            col = len(row)
            left, text = pending[col]
            row.append(text)
            if left == 1:
                del pending[col]
            else:
                pending[col] = (left - 1, text)

    for tr in table.find_all("tr"):
        row = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            fill_pending(row)
            text = _cell_text(cell)
            down = _span(cell.get("rowspan"))
            for _ in range(_span(cell.get("colspan"))):
                if down > 1:
                    pending[len(row)] = (down - 1, text)
                row.append(text)
        fill_pending(row)
        grid.append(row)
        check_rows(len(grid), "表格")
    return grid


def _cell_text(cell):
    """A cell's text: inline markup joined (Word's HTML splits words into spans), a
    line break for <br> and between paragraphs."""
    parts = []
    for node in cell.descendants:
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctypes
                parts.append(str(node))
        elif node.name == "br" or node.name in _LINE_TAGS:
            parts.append("\n")
    return clean_cell("".join(parts))


_LINE_TAGS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd")


def _span(value):
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def _is_simple(table):
    """Whether a table that is not a list holds short rows (key | value) rather than
    page content: no cell holds more than two paragraphs."""
    return not any(len(cell.find_all(_CELL_BLOCKS)) > 2 for cell in table.find_all(["td", "th"]))


def _row_lines(grid):
    """A table that is not a list, as text lines: a row of "key | value" pairs gives
    "key：value" lines (for the block parser), any other row its cells tab-separated."""
    lines = []
    for row in grid:
        cells = [c.replace("\n", " ") for c in row if c]
        if cells and len(cells) % 2 == 0 and all(_is_key(k) for k in cells[::2]):
            lines += [f"{_key(k)}：{v}" for k, v in zip(cells[::2], cells[1::2])]
        elif cells:
            lines.append("\t".join(cells))
    return lines


def html_document(html):
    """Read a notice page: its text lines (blocks kept apart) and its list tables."""
    # Counted before parsing: building the tree of a huge page is the slow part.
    check_rows(len(_ROW_RE.findall(html)) - 1000, "网页")
    soup = BeautifulSoup(html, "lxml")
    if soup.find(True) is None or soup.find("body") is None and soup.find("html") is None:
        raise ParseError("这不是 HTML 文档（没有任何标签）")
    _check_depth(soup)
    hint = None
    for tag in ("h1", "h2", "title"):
        node = soup.find(tag)
        if node and node.get_text(strip=True):
            hint = clean_cell(node.get_text(" ")).replace("\n", " ")
            break
    for node in soup.find_all(_DROP_TAGS):
        node.decompose()
    if soup.head:
        soup.head.decompose()
    tables = []
    for table in soup.find_all("table"):
        if table.find("table") is not None:
            continue  # a layout table: its inner tables are read on their own
        grid = Table(rows=_grid(table), source=f"表格 {len(tables) + 1}")
        if is_list(grid):
            tables.append(grid)
            table.replace_with(NavigableString("\n" + _MARK.format(len(tables) - 1) + "\n"))
        elif _is_simple(table):
            table.replace_with(NavigableString("\n" + "\n".join(_row_lines(grid.rows)) + "\n"))
    for node in soup.find_all(_HEADINGS):
        node.insert(0, NavigableString(_HEADING))
        for br in node.find_all("br"):  # a headline broken over lines stays a heading
            br.replace_with(NavigableString("\n" + _GOES_ON))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for node in soup.find_all(_BLOCK_TAGS):
        node.insert_before(NavigableString("\n"))
        node.insert_after(NavigableString("\n"))
    lines, blocks = [], []
    for raw in soup.get_text().split("\n"):
        m = _MARK_RE.search(raw)
        if m:
            tables[int(m.group(1))].heading = lines[-3:]
            blocks.append(("table", int(m.group(1))))
            continue
        line = clean_cell(raw)
        if line:
            lines.append(line)
            if _GOES_ON in raw and blocks and blocks[-1][0] == "h":
                blocks[-1] = ("h", one_line(blocks[-1][1] + "\n" + line))
            else:
                blocks.append(("h" if _HEADING in raw else "p", line))
    return Document(lines=lines, tables=tables, text=html, format="html", title_hint=hint,
                    blocks=blocks)
