"""A read document (text lines + tables) -> a parsed notice.

A document whose tables hold a list (a header with 姓名 or 班组名称) gives its
entries from those tables, through the header mapper; one without such a
table is a page of candidate blocks (姓名：…) for the block parser. Either
way the metadata comes from the text, completed by the admin's values.
"""

from .columns import TableRead, header_fields, read_table
from .errors import ParseError
from .guide import guided_tables, layout_of
from .line_lists import line_tables
from .fields import parse_cycle
from .metadata import check_counts, complete, read_metadata, stated_counts
from .merge import merge_lists
from .notice import ParsedNotice
from .tables import Document, Table, reading_of, row_text
from .text_notice import has_blocks, parse_notice_text



def is_list(table):
    """Whether a table holds a list of entries (a header row names a name column)."""
    return any(header_fields(row) is not None for row in table.rows[:30])


def side_by_side(table):
    """A list printed in column blocks (序号 姓名 单位 | 序号 姓名 单位) as one list,
    read row by row, left block first; any other table as itself."""
    for row in table.rows[:30]:
        fields = header_fields(row)
        if fields is None:
            continue
        names = [i for i, f in enumerate(fields) if f in ("name", "team", "name_any")]
        if len(names) < 2:
            return table
        starts = []
        for i in names:
            while i > 0 and fields[i - 1] == "serial":
                i -= 1
            starts.append(i)
        starts[0] = 0
        width = max(b - a for a, b in zip(starts, starts[1:] + [table.width]))
        rows, numbers = [], []
        for number, original in zip(table.row_numbers, table.rows):
            blocks = [original[a:b] + [""] * (width - (b - a))
                      for a, b in zip(starts, starts[1:] + [table.width])]
            if len({tuple(b) for b in blocks}) == 1 or header_fields(original) is not None:
                blocks = blocks[:1]  # a row across the blocks (title, group) or the header
            for block in blocks:
                if any(block):
                    rows.append(block)
                    numbers.append(number)
        return Table(rows=rows, heading=table.heading, source=table.source, row_numbers=numbers,
                     row_label=table.row_label, file=table.file)
    return table


def list_tables(tables):
    """The tables that hold lists; a table without a header of its own right after
    a list, and as wide, continues it (a list that runs over pages)."""
    out, previous = [], None
    for table in tables:
        if is_list(table):
            out.append(table)
            previous = table
        elif previous is not None and _continues(previous, table):
            previous.rows += table.rows
            previous.row_numbers += [f"{table.source} {table.row_label.format(n)}"
                                     for n in table.row_numbers]
        else:
            previous = None
    return [side_by_side(table) for table in out]


def _continues(previous, table):
    """Whether a headerless table goes on with the list before it: as wide, and
    numbered in the list's 序号 column (a table that merely follows is not)."""
    if table.width != previous.width or not table.rows:
        return False
    fields = next(f for f in map(header_fields, previous.rows) if f is not None)
    if "serial" not in fields:
        return False
    column = fields.index("serial")
    numbered = sum(1 for row in table.rows if row[column].strip().rstrip(".").isdigit())
    return numbered * 2 >= len(table.rows)


def combine(main, attachments, main_name="网页"):
    """A page and its attachments as one document (one notice).

    attachments: (filename, Document) pairs; the stored text keeps each file's
    text under a line that names it. Each table names the file it came from."""
    if not attachments:
        return main
    text = main.text
    tables = list(main.tables)
    lines = list(main.lines)
    for table in tables:
        table.file, table.source = main_name, f"{main_name}：{table.source}"
    reading = reading_of(main)
    for name, doc in attachments:
        reading = reading + [{"type": "h", "text": f"附件：{name}"}] + reading_of(doc)
        text += f"\n\n[附件：{name}]\n" + doc.text
        for table in doc.tables:
            table.file, table.source = name, f"{name}：{table.source}"
        tables += doc.tables
        lines += doc.lines
    return Document(lines=lines, tables=tables, text=text, format=main.format,
                    title_hint=main.title_hint, head_lines=main.lines, head_file=main_name,
                    reading=reading)


def parse_document(doc, overrides=None, filename=None, guide=None):
    """Parse a read document into a ParsedNotice; raise ParseError if it holds no entries
    (carrying the document's layout, for the admin to point at the list).

    guide: the admin's reading guide (guide.py): where the list is and what its
    columns hold, over what the reader finds itself."""
    try:
        parsed = _parse_document(doc, overrides, filename, guide)
    except ParseError as exc:
        if exc.layout is None and not exc.missing:
            exc.layout = layout_of(doc)
        raise
    parsed.guide = guide
    parsed.layout = layout_of(doc)
    return parsed


def _parse_document(doc, overrides, filename, guide):
    if guide:
        lists = guided_tables(doc, guide)
    else:
        lists = list_tables(doc.tables)
        if not lists and not has_blocks(doc.lines):
            # Lists as lines, or tables without a header whose rows read as list items.
            # The tables' rows in document order, so that a list over several pages
            # (a table a page) reads as one.
            lists = line_tables(doc.lines) or line_tables(
                [line for table in doc.tables
                 for line in table.heading + [row_text(r) for r in table.rows]])
    if not lists and doc.format in ("csv", "json"):
        raise ParseError("表头中没有姓名列（姓名、班组名称或 name）",
                         filename=filename, field="name")
    if not lists and doc.format in ("xlsx", "xls"):
        raise ParseError("工作表中没有名单：没有找到含“姓名”或“班组名称”的表头",
                         filename=filename, field="name")
    blocks = _page_blocks(doc, lists, overrides, filename)
    if not lists:
        parsed = parse_notice_text("\n".join(doc.lines), title_hint=doc.title_hint,
                                   fmt=doc.format, filename=filename, overrides=overrides)
        parsed.text = doc.text
        parsed.reading = reading_of(doc)
        return parsed
    head = doc.head_lines or doc.lines
    read = read_metadata(head, head, doc.title_hint, strict_title=True)
    if not read["cycle"]:
        read["cycle"] = parse_cycle(" ".join(line for t in lists for line in t.heading)
                                    + " ".join(c for t in lists for r in t.rows[:5] for c in r))
    notice, warnings = complete(read, overrides)
    reads = [read_table(t, notice) for t in lists]
    errors = [e for r in reads for e in r.errors]
    if errors:
        more = f"\n……另有 {len(errors) - 20} 行" if len(errors) > 20 else ""
        raise ParseError(f"{len(errors)} 行无法读取：\n" + "\n".join(errors[:20]) + more,
                         filename=filename)
    sources = ([(blocks.source, blocks.entries)] if blocks else []) \
        + [(r.source, r.entries) for r in reads]
    entries, merges = merge_lists(sources)
    if not entries:
        raise ParseError("名单中没有任何条目", filename=filename)
    warnings += [w for r in reads for w in r.warnings]
    mismatches = [m for r in reads for m in r.mismatches]
    stated, uncertain = check_counts(stated_counts(head), entries)
    mismatches += stated
    warnings += uncertain
    doubts = _doubts(entries)
    ocr = any(t.confidence is not None for t in lists)
    if ocr:
        warnings.insert(0, f"名单由文字识别（OCR）读出，其中 {len(doubts)} 处需要核对；"
                           "请逐项核对后再确认导入")
    return ParsedNotice(notice=notice, entries=entries, text=doc.text, format=doc.format,
                        warnings=warnings, tables=([blocks] if blocks else []) + reads,
                        merges=merges, mismatches=mismatches, reading=reading_of(doc),
                        ocr=ocr, doubts=doubts)


#: A header field as the entry field it fills (a team's name is its name).
_ENTRY_FIELD = {"team": "name", "name_any": "name", "unit_position": "unit"}


def _doubts(entries):
    """Take the parser's marks off the entries: the OCR'd cells to check, as the
    preview and the CLI list them."""
    out = []
    for index, entry in enumerate(entries):
        row = entry.pop("_row", None)
        for field, text, score, reason in entry.pop("_doubts", ()):
            out.append({"entry": index, "name": entry["name"],
                        "field": _ENTRY_FIELD.get(field, field), "text": text,
                        "confidence": score, "reason": reason,
                        "where": f"{row[0]} {row[1]}" if row else ""})
    return out


def _page_blocks(doc, lists, overrides, filename):
    """A page's own candidate blocks (姓名：…), when it comes with list attachments:
    a TableRead of its entries, or None. The page's citations then join the lists."""
    if not doc.head_lines or not lists or any(t.file == doc.head_file for t in lists):
        return None
    try:
        parsed = parse_notice_text("\n".join(doc.head_lines), title_hint=doc.title_hint,
                                   fmt=doc.format, filename=filename, overrides=overrides)
    except ParseError:
        return None
    return TableRead(source=f"{doc.head_file}：正文", entries=parsed.entries)
