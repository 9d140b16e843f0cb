"""Notice pages as HTML -> a Document: the page's text lines and its data tables.

Parsed by lxml (through BeautifulSoup), which is linear in the page's size.
A table is data when it holds no other table and its cells hold no blocks:
its rows become a grid (rowspan/colspan resolved) and, when a header names
a name column, a list for the header mapper; a two-cell "key | value" row
reads as the line "key：value" for the block parser. Layout tables (those
that wrap the page, or hold paragraphs) are read as blocks, never flattened
into one line.
"""

import datetime as _dt
import re

from bs4 import BeautifulSoup, NavigableString
from bs4.element import PreformattedString

from .documents import is_list
from .errors import ParseError
from .fields import parse_date
from .tables import CellBudget, Document, Table, check_rows, clean_cell, heading_above, one_line, \
    row_text
from .text_notice import IMAGE_LINE, label_lines

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


def _check_depth(soup):
    """Refuse pages nested deeper than any real notice (a sign of a hostile file)."""
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"HTML 嵌套超过 {MAX_DEPTH} 层，"
                             "不是通知网页")
        stack.extend((child, depth + 1) for child in node.find_all(True, recursive=False))


def _grid(table, budget=None):
    """A data table's rows as a grid, with rowspan and colspan resolved; a span reaches no
    further than the table's real rows and widest row (rowspan=1000 colspan=1000 in a
    small table is that table)."""
    budget = budget or CellBudget()
    rows = [tr.find_all(["td", "th"], recursive=False) for tr in table.find_all("tr")]
    check_rows(len(rows), "表格")
    widest = max((len(cells) for cells in rows), default=1) or 1
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

    for index, cells in enumerate(rows):
        row = []
        for cell in cells:
            fill_pending(row)
            text = _cell_text(cell)
            down = min(_span(cell.get("rowspan")), len(rows) - index)
            for _ in range(min(_span(cell.get("colspan")), widest)):
                if down > 1:
                    pending[len(row)] = (down - 1, text)
                row.append(text)
        fill_pending(row)
        budget.spend(len(row), "网页中的表格")
        grid.append(row)
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
        labelled = label_lines(row)
        if labelled:
            lines += labelled
        elif any(row):
            lines.append(row_text(row))
    return lines


# Where an article page's own text ends: the account's or site's links to others.
_MORE_RE = re.compile(r"^(?:往期推荐|往期回顾|推荐阅读|相关阅读|延伸阅读|热门推荐|相关文章|"
                      r"猜你喜欢|更多阅读)\s*[:：]?$")
# An article's credits and QR-code captions: never a list's or a citation's words.
_BOILERPLATE_RE = re.compile(r"^(?:责任编辑|编辑|审核|校对|初审|复审|终审|排版|美编|监制)\s*[:：|丨]"
                             r"|二维码|扫码关注|点击上方.{0,6}关注|长按.{0,4}识别")
# When a page says it was published: meta tags of government sites and article platforms.
_DATE_METAS = ("pubdate", "publishdate", "publish_date", "article:published_time",
               "og:release_date", "og:article:published_time", "weibo:article:create_at",
               "datepublished")
# A public-account page keeps its publish time in its script, in Unix seconds.
_UNIX_TIME_RE = re.compile(r"""\b(?:ct|create_time|publish_time)\s*[:=]\s*["']?(\d{10})\b""")


def _published(soup):
    """The date a page says it was published (ISO), from its meta tags, its publish-time
    element or its script's timestamp (in Beijing time), or None."""
    for meta in soup.find_all("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in _DATE_METAS:
            date = parse_date(meta.get("content") or "")
            if date:
                return date
    node = soup.find(id="publish_time")
    if node is not None and parse_date(node.get_text()):
        return parse_date(node.get_text())
    for script in soup.find_all("script"):
        m = _UNIX_TIME_RE.search(script.string or "")
        if m:
            beijing = _dt.timezone(_dt.timedelta(hours=8))
            return _dt.datetime.fromtimestamp(int(m.group(1)), beijing).date().isoformat()
    return None


def _picture(img):
    """The file name of a picture that may hold text (not an icon), or None."""
    src = (img.get("data-src") or img.get("src") or "").strip()
    if not src or src.startswith("data:"):
        return None
    for size in (img.get("width"), img.get("height")):
        if size and str(size).rstrip("px").isdigit() and int(str(size).rstrip("px")) < 100:
            return None
    name = src.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    return clean_cell(img.get("alt") or "") or name or None


# Where the notice itself (main_content) begins and ends among the page's lines.
_MAIN_START, _MAIN_END = "\x03", "\x04"


def _weights(root, skip=()):
    """{id(element): length of its text outside links and outside the elements skip
    names (ids)}, in one pass from the leaves up."""
    weights, stack = {}, [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((child, False) for child in node.contents if child.name)
            continue
        weight = 0
        # A link's text is the site's way around; a data table is weighed apart.
        if node.name != "a" and id(node) not in skip:
            for child in node.contents:
                if child.name:
                    weight += weights[id(child)]
                elif not isinstance(child, PreformattedString):
                    weight += len(child.strip())
        weights[id(node)] = weight
    return weights


def main_content(root, data_tables=()):
    """The element that holds the notice, not the site around it: from the page down,
    into the child that holds more than half of its parent's text outside links, as
    long as there is one (menus, breadcrumbs, share boxes and footers are links or
    little text beside the notice). A data table (data_tables: their ids) weighs
    nothing here: a list is part of the notice, and the notice is the text around it.
    Structure, not a list of words."""
    weights = _weights(root, data_tables)
    node = root
    while True:
        children = [c for c in node.contents if c.name]
        best = max(children, key=lambda c: weights[id(c)], default=None)
        if best is None or not weights[id(node)] or weights[id(best)] <= 0.5 * weights[id(node)]:
            return node
        node = best


def _pieces(root, found, main=None):
    """The page's text in one pass over the tree (changing the tree is quadratic in
    BeautifulSoup): blocks on lines of their own, <br> as a line break, headings marked,
    each table read before (found: its text) in its place, the main content (main)
    between its markers."""
    stack = [(root, False, False)]  # (node, inside a heading, closing: True or a marker)
    while stack:
        node, heading, closing = stack.pop()
        if closing:
            yield "\n" if closing is True else f"\n{closing}\n"
            continue
        if node is main:
            yield f"\n{_MAIN_START}\n"
            stack.append((node, heading, _MAIN_END))
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctypes
                yield str(node)
            continue
        if node.name == "br":
            yield "\n" + _GOES_ON if heading else "\n"
            continue
        if node.name == "img":
            name = _picture(node)
            if name:
                yield f"\n{IMAGE_LINE}{name}]\n"
            continue
        if id(node) in found:
            yield found[id(node)]
            continue
        block = node.name in _BLOCK_TAGS
        if block:
            yield "\n"
            stack.append((node, heading, True))
        if node.name in _HEADINGS:
            heading = True
            yield _HEADING
        stack.extend((child, heading, False) for child in reversed(node.contents))


def html_document(html):
    """Read a notice page: its text lines (blocks kept apart) and its list tables."""
    # Counted before parsing: building the tree of a huge page is the slow part.
    check_rows(len(_ROW_RE.findall(html)) - 1000, "网页")
    soup = BeautifulSoup(html, "lxml")
    if soup.find(True) is None or soup.find("body") is None and soup.find("html") is None:
        raise ParseError("这不是 HTML 文档（没有任何标签）")
    _check_depth(soup)
    hint = headline = None
    for tag in ("h1", "h2", "title"):
        node = soup.find(tag)
        if node and node.get_text(strip=True):
            hint = clean_cell(node.get_text(" ")).replace("\n", " ")
            headline = hint if tag != "title" else None
            break
    published = _published(soup)
    for node in soup.find_all(_DROP_TAGS):
        node.decompose()
    if soup.head:
        soup.head.decompose()
    tables, found, budget = [], {}, CellBudget()
    for table in soup.find_all("table"):
        if table.find("table") is not None:
            continue  # a layout table: its inner tables are read on their own
        grid = Table(rows=_grid(table, budget), source=f"表格 {len(tables) + 1}")
        if is_list(grid):
            tables.append(grid)
            found[id(table)] = "\n" + _MARK.format(len(tables) - 1) + "\n"
        elif _is_simple(table):
            found[id(table)] = "\n" + "\n".join(_row_lines(grid.rows)) + "\n"
    root = soup.body or soup
    main = main_content(root, found)
    text = "".join(_pieces(root, found, main))
    lines, blocks, since, inside = [], [], 0, main is root
    page_blocks = []  # all of them, for a page whose notice was not told apart
    for raw in text.split("\n"):
        if raw in (_MAIN_START, _MAIN_END):
            inside = raw == _MAIN_START
            continue
        m = _MARK_RE.search(raw)
        if m:
            tables[int(m.group(1))].heading = heading_above(lines, since)
            since = len(lines)
            page_blocks.append(("table", int(m.group(1))))
            if inside:
                blocks.append(page_blocks[-1])
            continue
        line = clean_cell(raw)
        if line and _MORE_RE.match(line):
            break  # other articles of the account or site follow
        if line and not _BOILERPLATE_RE.search(line):
            lines.append(line)
            if _GOES_ON in raw and page_blocks and page_blocks[-1][0] == "h":
                page_blocks[-1] = ("h", one_line(page_blocks[-1][1] + "\n" + line))
                if inside and blocks:
                    blocks[-1] = page_blocks[-1]
            else:
                page_blocks.append(("h" if _HEADING in raw else "p", line))
                if inside:
                    blocks.append(page_blocks[-1])
    if not any(kind == "table" for kind, _ in blocks) \
            and any(kind == "table" for kind, _ in page_blocks):
        blocks = page_blocks  # a list outside the part told apart: the whole page
    if headline and not any(v == headline for _, v in blocks):
        blocks.insert(0, ("h", headline))  # the headline above the notice's own element
    if published:
        lines.insert(0, f"发布时间：{published}")  # read as metadata; not shown as text
    return Document(lines=lines, tables=tables, text=html, format="html", title_hint=hint,
                    blocks=blocks)
