"""Text placed on a page -> lines and tables, for every format that gives positions
rather than structure: OCR'd scans and photos (ocr.py), OFD (ofd.py), unruled PDF
lists (pdf.py).

A page is a list of `Box`es (a word or a run of text with its rectangle and, from
OCR, its confidence). Lines are rebuilt by baseline (boxes that overlap vertically),
a list by its header line (序号 | 姓名 | 单位): its columns part at the gaps that run
down the whole list, left-aligned or centred (or, where OCR merged two cells into
one box, they start under their labels and the box is cut), a row whose first
column is empty and that sits close under the row above is that row going on (a
wrapped cell), the list goes on over a page break, and it ends at a large vertical
gap, a sentence or a signature date. What the header mapper (`columns.py`)
then reads is the same table model as any other format.
"""

import math
import re
import statistics
from dataclasses import dataclass

from .columns import header_fields
from .metadata import SIGNATURE_DATE_RE
from .tables import Document, Table, clean_cell, heading_above

# Marks a cell never starts or ends with: a speck on a scan read as punctuation.
_STRAY = "：:，,。.、;；'\"`‘’“”·-_~|"
# A sentence below a list (公示期间如有异议，请…) ends it: no list cell reads so.
# A page's number in its header or footer (- 2 -, 第 2 页, 2/5): no part of a list.
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d{1,4}\s*页(?:\s*[，,]?\s*共\s*\d{1,4}\s*页)?$"
                          r"|^\d{1,4}\s*/\s*\d{1,4}$")
_SENTENCE = re.compile(r"[。！？；]|^[^\s]{6,}[，,][^\s]{4,}")


@dataclass
class Box:
    """Text at a place on a page; y grows downwards. confidence: 1.0 unless OCR'd."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float = 1.0

    @property
    def height(self):
        """The box's height."""
        return self.bottom - self.top

    @property
    def middle(self):
        """The box's vertical centre."""
        return (self.top + self.bottom) / 2


def skew_angle(quads):
    """The page's skew in radians: the median slope of the text boxes' top edges
    (quads: four (x, y) corners each, clockwise from the top left). Boxes too short
    to measure are left out."""
    slopes = []
    for quad in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        if x1 - x0 > 40:
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(slopes) if slopes else 0.0


def deskew(quads, angle):
    """Axis-aligned rectangles (x0, top, x1, bottom) of the quads turned back by angle."""
    cos, sin = math.cos(-angle), math.sin(-angle)
    out = []
    for quad in quads:
        points = [(x * cos - y * sin, x * sin + y * cos) for x, y in quad]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def text_lines(boxes):
    """Boxes grouped into lines (by vertical overlap), each left to right."""
    lines = []
    for box in sorted(boxes, key=lambda b: (b.middle, b.x0)):
        if lines:
            last = lines[-1]
            top = min(b.top for b in last)
            bottom = max(b.bottom for b in last)
            overlap = min(bottom, box.bottom) - max(top, box.top)
            if overlap > 0.5 * min(bottom - top, box.height):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


def _joined(line):
    """A line's text: boxes far apart (more than a character) with a space."""
    out = ""
    for previous, box in zip([None] + line, line):
        if previous is not None and box.x0 - previous.x1 > 0.6 * max(box.height, 1):
            out += " "
        out += box.text
    return clean_cell(out)


def _columns(header):
    """Where the header line's columns start after the first: a little left of each
    label (a cell starts under its label, or overhangs it by a character)."""
    return [b.x0 - max(b.height, 1) for b in header[1:]]


def _overlap(a0, a1, b0, b1):
    return max(0.0, min(a1, b1) - max(a0, b0))


def column_edges(header, lines):
    """(edges, cut): where a list's columns part, from the gaps that run down the whole
    list (whether its cells are left-aligned or centred), each run of text between
    gaps going to the header label it overlaps most. When two columns touch somewhere
    (OCR read two cells as one box) the gaps do not give every label its column: the
    columns then start under their labels, and cut says boxes over a start are cut."""
    labels = [(b.x0, b.x1) for b in header]
    spans = [(b.x0, b.x1) for b in header]
    for line in lines:
        if len(line) == 1 and sum(1 for a0, a1 in labels
                                  if _overlap(line[0].x0, line[0].x1, a0, a1) > 0) > 1:
            continue  # a group row across the columns
        spans += [(b.x0, b.x1) for b in line]
    slack = 0.25 * statistics.median(b.height for b in header)
    runs = []
    for x0, x1 in sorted(spans):
        if runs and x0 <= runs[-1][1] + slack:
            runs[-1][1] = max(runs[-1][1], x1)
        else:
            runs.append([x0, x1])
    owners = []
    for x0, x1 in runs:
        overlaps = [_overlap(x0, x1, a0, a1) for a0, a1 in labels]
        if max(overlaps) > 0:
            owners.append(overlaps.index(max(overlaps)))
        else:
            centre = (x0 + x1) / 2
            owners.append(min(range(len(labels)),
                              key=lambda i: abs((labels[i][0] + labels[i][1]) / 2 - centre)))
    if owners != sorted(owners) or set(owners) != set(range(len(labels))):
        return _columns(header), True
    edges = []
    for i in range(1, len(labels)):
        last = max(x1 for (_, x1), owner in zip(runs, owners) if owner == i - 1)
        first = min(x0 for (x0, _), owner in zip(runs, owners) if owner == i)
        edges.append((last + first) / 2)
    return edges, False


def _cells(line, edges, cut=False):
    """A line's boxes dealt into the columns they start in, with the least confidence
    of each cell; cut: boxes running over a column's start are cut there first."""
    cells = [[] for _ in range(len(edges) + 1)]
    for box in (_split_at_edges(line, edges) if cut else line):
        cells[sum(1 for edge in edges if box.x0 >= edge)].append(box)
    texts = [clean_cell("".join(b.text for b in cell)).strip(_STRAY) for cell in cells]
    confidence = [min((b.confidence for b in cell), default=1.0) for cell in cells]
    return texts, confidence


def _split_at_edges(line, edges):
    """Boxes that run over the start of the next column by characters (OCR reads two
    cells close together as one box) cut there, in proportion to their characters.
    A line of one box is a group or title row spanning the table, never cut."""
    if len(line) < 2:
        return line
    out = []
    for box in line:
        for edge in edges:
            width = (box.x1 - box.x0) / max(len(box.text), 1)
            cut = round((edge + max(box.height, 1) - box.x0) / width) if width else 0
            if box.x0 < edge and 2 <= cut <= len(box.text) - 2 \
                    and box.x1 - edge > 2 * width:
                out.append(Box(box.text[:cut], box.x0, box.top, box.x0 + cut * width,
                               box.bottom, box.confidence))
                box = Box(box.text[cut:], box.x0 + cut * width, box.top, box.x1, box.bottom,
                          box.confidence)
        out.append(box)
    return out


def _header_line(line):
    """The line as a list's header: its labels, one box each (a label OCR'd as two
    boxes, 姓 名, is joined by the gap between them), or None."""
    if header_fields([b.text for b in line]) is not None:
        return line
    merged = []
    for box in line:
        if merged and box.x0 - merged[-1].x1 < 2.5 * max(box.height, 1) \
                and len(merged[-1].text) + len(box.text) <= 6 \
                and header_fields([merged[-1].text + box.text]) is not None:
            last = merged[-1]
            merged[-1] = Box(last.text + box.text, last.x0, min(last.top, box.top), box.x1,
                             max(last.bottom, box.bottom), min(last.confidence, box.confidence))
        else:
            merged.append(box)
    return merged if header_fields([b.text for b in merged]) is not None else None


def page_layout(lines, page_number, source, carried=None):
    """One page's lines -> (its items in reading order, the list still open at its end).

    Items are ("p", text) for a line outside lists and ("table", Table) for a list,
    cells with their confidences. carried: (table, header boxes) of a list the page
    before ended inside; it goes on at the top of this page, under its header
    repeated or not. A list's rows are dealt into columns once its lines on the page
    are known (column_edges reads the gaps down all of them)."""
    items, texts, rows = [], [], []
    table, header = carried or (None, None)
    since = 0
    pitch = statistics.median([line[0].height for line in lines]) if lines else 0
    previous_bottom = min((b.top for b in lines[0]), default=0) if lines and table else None

    def deal():
        if rows:
            edges, cut = column_edges(header, [line for line, _, _ in rows])
            for line, where, close in rows:
                _add_row(table, _cells(line, edges, cut), where, close)
            rows.clear()

    for number, line in enumerate(lines, start=1):
        top = min(b.top for b in line)
        found = _header_line(line)
        if found is not None:
            if table is not None and not texts and [b.text for b in found] == table.rows[0]:
                # The header repeated at the top of the page: the list goes on.
                header, previous_bottom = found, max(b.bottom for b in line)
                continue
            deal()
            table = Table(rows=[[b.text for b in found]], heading=heading_above(texts, since),
                          source=source, row_numbers=[f"第 {page_number} 页第 {number} 行"],
                          row_label="{}", confidence=[[b.confidence for b in found]])
            header = found
            items.append(("table", table))
            previous_bottom = max(b.bottom for b in line)
            continue
        text = _joined(line)
        if table is not None:
            gap = top - previous_bottom
            if gap > 3 * pitch or SIGNATURE_DATE_RE.match(text) or _SENTENCE.search(text):
                deal()
                table, since = None, len(texts)
            else:
                rows.append((line, f"第 {page_number} 页第 {number} 行", gap < 0.8 * pitch))
                previous_bottom = max(b.bottom for b in line)
                continue
        texts.append(text)
        items.append(("p", text))
    deal()
    return items, (table, header) if table is not None else None


def _add_row(table, read, where, close):
    """Add a line's (cells, confidences) to a positional table: a row, or the row above
    going on (a wrapped cell: no first column, close under it, no more cells than it)."""
    cells, confidence = read
    last = table.rows[-1]
    if len(table.rows) > 1 and not cells[0] and close \
            and sum(1 for c in cells if c) <= sum(1 for c in last if c):
        for i, cell in enumerate(cells):
            if cell:
                last[i] += cell
                table.confidence[-1][i] = min(table.confidence[-1][i], confidence[i])
        return
    table.rows.append(cells)
    table.confidence.append(confidence)
    table.row_numbers.append(where)


def boxes_document(pages, fmt, source, ocr=False):
    """Pages of boxes -> a Document in reading order; a list that runs over a page
    break (its header repeated or not) goes on as one table. ocr: the boxes were OCR'd,
    and the tables keep their cells' confidences (typed text has none)."""
    lines, tables, blocks = [], [], []
    carried = None
    for page_number, boxes in enumerate(pages, start=1):
        page = [line for line in text_lines(boxes)
                if not _PAGE_NUMBER.match(_joined(line))]
        items, carried = page_layout(page, page_number, source, carried)
        for kind, value in items:
            if kind == "p":
                lines.append(value)
                blocks.append(("p", value))
            else:
                tables.append(value)
                blocks.append(("table", len(tables) - 1))
    for table in tables:
        table.confidence = table.confidence if ocr else None
    text = "\n".join(value if kind == "p" else "\n".join(tables[value].as_lines())
                     for kind, value in blocks)
    return Document(lines=lines, tables=tables, text=text, format=fmt, blocks=blocks)
