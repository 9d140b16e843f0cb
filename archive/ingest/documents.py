"""A read document (text lines + tables) -> a parsed notice.

A document whose tables hold a list (a header with 姓名 or 班组名称) gives its
entries from those tables, through the header mapper; one without such a
table is a page of candidate blocks (姓名：…) for the block parser. Either
way the metadata comes from the text, completed by the admin's values.
"""

from .columns import header_fields, read_table
from .errors import ParseError
from .fields import parse_cycle
from .metadata import complete, read_metadata, stated_counts
from .notice import ParsedNotice
from .tables import Document
from .text_notice import parse_notice_text

_KIND_WORDS = {"individual": "名个人", "team": "个班组"}


def is_list(table):
    """Whether a table holds a list of entries (a header row names a name column)."""
    return any(header_fields(row) is not None for row in table.rows[:30])


def list_tables(tables):
    """The tables that hold lists; a table without a header of its own right after
    a list, and as wide, continues it (a list that runs over pages)."""
    out, previous = [], None
    for table in tables:
        if is_list(table):
            out.append(table)
            previous = table
        elif previous is not None and table.width == previous.width and table.rows:
            previous.rows += table.rows
            previous.row_numbers += [f"{table.source} {table.row_label.format(n)}"
                                     for n in table.row_numbers]
        else:
            previous = None
    return out


def combine(main, attachments):
    """A page and its attachments as one document (one notice).

    attachments: (filename, Document) pairs; the stored text keeps each file's
    text under a line that names it."""
    if not attachments:
        return main
    text = main.text
    tables = list(main.tables)
    lines = list(main.lines)
    for name, doc in attachments:
        text += f"\n\n[附件：{name}]\n" + doc.text
        tables += doc.tables
        lines += doc.lines
    return Document(lines=lines, tables=tables, text=text, format=main.format,
                    title_hint=main.title_hint, head_lines=main.lines)


def parse_document(doc, overrides=None, filename=None):
    """Parse a read document into a ParsedNotice; raise ParseError if it holds no entries."""
    lists = list_tables(doc.tables)
    if not lists and doc.format in ("csv", "json"):
        raise ParseError("the header lacks a name column (姓名, 班组名称 or name)",
                         filename=filename, field="name")
    if not lists:
        parsed = parse_notice_text("\n".join(doc.lines), title_hint=doc.title_hint,
                                   fmt=doc.format, filename=filename, overrides=overrides)
        parsed.text = doc.text
        return parsed
    head = doc.head_lines or doc.lines
    read = read_metadata(head, head, doc.title_hint, strict_title=True)
    if not read["cycle"]:
        read["cycle"] = parse_cycle(" ".join(line for t in lists for line in t.heading)
                                    + " ".join(c for t in lists for r in t.rows[:5] for c in r))
    notice = complete(read, overrides)
    reads = [read_table(t, notice) for t in lists]
    errors = [e for r in reads for e in r.errors]
    if errors:
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise ParseError(f"{len(errors)} rows cannot be read:\n" + "\n".join(errors[:20]) + more,
                         filename=filename)
    entries = [e for r in reads for e in r.entries]
    if not entries:
        raise ParseError("the list has no entry rows", filename=filename)
    warnings = [w for r in reads for w in r.warnings]
    warnings += count_warnings(stated_counts(head), entries)
    for entry in entries:
        entry.pop("_row", None)
    return ParsedNotice(notice=notice, entries=entries, text=doc.text, format=doc.format,
                        warnings=warnings, tables=reads)


def count_warnings(stated, entries):
    """Warnings where the notice states a count (等133名个人) that differs from what was read."""
    out = []
    for kind, number in stated.items():
        found = sum(1 for e in entries if e["kind"] == kind)
        if found != number:
            out.append(f"通知称共 {number} {_KIND_WORDS[kind]}，实际读到 {found} 条")
    return out
