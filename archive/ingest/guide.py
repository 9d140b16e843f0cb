"""The admin's reading guide: where the list is, when the reader finds none or reads
it wrong. An admin is never left without a way in.

A guide is a small mapping, the same from the preview's form, the CLI's flags and a
JSON file (`archive import --guide FILE`):

    {"table": 2, "header_row": 3, "columns": {"2": "name", "3": "unit"}}
    {"lines": [12, 40], "columns": {"1": "name", "2": "unit", "3": "position"}}

"table" (1-based, in the order of `layout_of`) and "header_row" pick a table and the
row its header stands in; "columns" names what each column (1-based) holds, by field
key or by its label (姓名, 单位…), and overrides the header's own labels; "lines"
(first and last, 1-based) marks the text lines that form the list, each split at
its separators (，、 spaces) into columns, a leading item number (1．) not counted
as one; without "columns" the lines are read by
their look (line_lists.py). The guided table is read by the header mapper like any
other list, and the guide is stored with the version it produced.
"""

from .columns import COLUMN_LABELS, HEADERS
from .errors import ParseError
from .tables import Table

#: The most table rows and text lines `layout_of` gives the preview and the CLI.
LAYOUT_ROWS = 40
LAYOUT_LINES = 600
#: Fields a column can be mapped to, by key, and the label the header mapper reads.
FIELDS = {f: label for f, label in COLUMN_LABELS.items() if f and f != "unit_position"}
_BY_LABEL = {label: f for f, label in FIELDS.items()}
# The header label that maps to each field (姓名 -> name), to build a guided header.
_HEADER_LABEL = {}
for _label, _field in HEADERS.items():
    _HEADER_LABEL.setdefault(_field, _label)


def field_of(value):
    """A column's field as the admin names it (name, 姓名, 单位…), or ParseError."""
    text = str(value or "").strip()
    if text in FIELDS:
        return text
    if text in _BY_LABEL:
        return _BY_LABEL[text]
    raise ParseError(f"列映射中的“{text}”不是可导入的字段；可用："
                     + "、".join(f"{label}（{f}）" for f, label in FIELDS.items()))


def _number(value, what):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ParseError(f"{what}应为正整数，而不是“{value}”") from None
    if not 1 <= number <= 1_000_000:
        raise ParseError(f"{what}应为 1 到 1000000 之间的整数，而不是“{value}”")
    return number


def check_guide(guide):
    """A guide as given (form, flags, JSON) in its stored form, or ParseError naming
    what is wrong. An empty guide is None."""
    if not guide:
        return None
    if not isinstance(guide, dict):
        raise ParseError("名单位置应为 JSON 对象，如 {\"table\": 1, \"header_row\": 2}")
    unknown = set(guide) - {"table", "header_row", "columns", "lines"}
    if unknown:
        raise ParseError("名单位置中有未知的键：" + "、".join(sorted(map(str, unknown))))
    out = {}
    if guide.get("lines") not in (None, "", []):
        lines = guide["lines"]
        if not isinstance(lines, (list, tuple)) or len(lines) != 2:
            raise ParseError("lines 应为 [首行, 末行]，如 [12, 40]")
        first, last = (_number(n, "名单的行号") for n in lines)
        if last < first:
            raise ParseError(f"名单的末行（{last}）在首行（{first}）之前")
        out["lines"] = [first, last]
    if guide.get("table") not in (None, ""):
        if "lines" in out:
            raise ParseError("请只指定表格（table）或文字行（lines）之一")
        out["table"] = _number(guide["table"], "表格序号")
        out["header_row"] = _number(guide.get("header_row") or 1, "表头行号")
    if not out:
        raise ParseError("请指定名单所在的表格（table）或文字行（lines）")
    columns = guide.get("columns") or {}
    if not isinstance(columns, dict):
        raise ParseError("columns 应为 {列号: 字段}，如 {\"2\": \"姓名\"}")
    mapped = {}
    for column, value in columns.items():
        if str(value or "").strip() in ("", "-"):
            continue
        mapped[str(_number(column, "列号"))] = field_of(value)
    if mapped and not {"name", "team", "name_any"} & set(mapped.values()):
        raise ParseError("列映射中没有姓名或班组名称列")
    if mapped:
        out["columns"] = dict(sorted(mapped.items(), key=lambda kv: int(kv[0])))
    return out


def layout_of(doc):
    """What a document holds, for the admin to point at: its tables (each with its
    first LAYOUT_ROWS rows) and its text lines, numbered as a guide counts them."""
    return {"tables": [{"source": t.source, "rows": t.rows[:LAYOUT_ROWS],
                        "more": max(0, len(t.rows) - LAYOUT_ROWS)} for t in doc.tables],
            "lines": doc.lines[:LAYOUT_LINES],
            "more_lines": max(0, len(doc.lines) - LAYOUT_LINES)}


def _header(columns, width):
    return [_HEADER_LABEL[columns[str(c)]] if str(c) in columns else ""
            for c in range(1, width + 1)]


def guided_tables(doc, guide):
    """The list the guide points at, as tables for the header mapper; ParseError when
    it points at nothing there."""
    from .line_lists import line_tables, split_fields
    columns = guide.get("columns") or {}
    if "table" in guide:
        if guide["table"] > len(doc.tables):
            raise ParseError(f"文件中只有 {len(doc.tables)} 个表格，没有第 {guide['table']} 个")
        table = doc.tables[guide["table"] - 1]
        start = guide["header_row"] - 1
        if start >= len(table.rows):
            raise ParseError(f"{table.source}只有 {len(table.rows)} 行，没有第 {start + 1} 行")
        rows = [list(r) for r in table.rows[start:]]
        if columns:
            rows[0] = _header(columns, table.width)
        return [Table(rows=rows, heading=table.heading, source=table.source,
                      row_numbers=table.row_numbers[start:], row_label=table.row_label,
                      file=table.file, confidence=table.confidence[start:]
                      if table.confidence is not None else None)]
    first, last = guide["lines"]
    if first > len(doc.lines):
        raise ParseError(f"文件中只有 {len(doc.lines)} 行文字，没有第 {first} 行")
    lines = doc.lines[first - 1:last]
    if not columns:
        tables = line_tables(lines)
        if not tables:
            raise ParseError(f"第 {first}–{last} 行读不出名单；请指定每一列是什么（列映射）")
        return tables
    split = [split_fields(line) for line in lines]
    width = max(max(len(cells) for cells in split), max(int(c) for c in columns))
    return [Table(rows=[_header(columns, width)] + split, source="指定的文字行",
                  row_numbers=["（指定的列）"] + list(range(first, first + len(lines))),
                  row_label="第 {} 行")]


def from_flags(table=None, header_row=None, columns=(), lines=None, text=None):
    """A guide from the CLI: --table N --header-row N --column N=字段 (repeated),
    --lines A-B, or a JSON file's text (--guide FILE) under them; checked."""
    import json
    guide = {}
    if text:
        try:
            guide = json.loads(text)
        except ValueError as exc:
            raise ParseError(f"名单位置文件不是有效的 JSON：{exc}") from exc
        if not isinstance(guide, dict):
            raise ParseError("名单位置文件应为 JSON 对象")
    if table is not None:
        guide.update(table=table, header_row=header_row or guide.get("header_row"))
    if lines:
        first, sep, last = str(lines).partition("-")
        if not sep:
            raise ParseError(f"--lines 应为 首行-末行，如 12-40，而不是“{lines}”")
        guide["lines"] = [first, last]
    for item in columns:
        number, sep, value = str(item).partition("=")
        if not sep:
            raise ParseError(f"--column 应为 列号=字段，如 2=姓名，而不是“{item}”")
        guide.setdefault("columns", {})[number.strip()] = value.strip()
    return check_guide(guide)


def layout_text(layout, rows=12, lines=80):
    """A file's layout as the CLI prints it: each table's first rows with numbered
    columns, then the numbered text lines."""
    out = []
    for index, table in enumerate(layout.get("tables") or [], start=1):
        out.append(f"表格 {index}（{table['source']}）：")
        width = max((len(r) for r in table["rows"]), default=0)
        out.append("  行 | " + " | ".join(f"第{c}列" for c in range(1, width + 1)))
        for number, row in enumerate(table["rows"][:rows], start=1):
            out.append(f"  {number:>2} | " + " | ".join(cell.replace("\n", " ")[:20]
                                                       for cell in row))
    text_lines = layout.get("lines") or []
    if text_lines:
        out.append("文字行：")
        out += [f"  {n:>3}  {line[:60]}" for n, line in enumerate(text_lines[:lines], start=1)]
        if len(text_lines) > lines:
            out.append(f"  ……另有 {len(text_lines) - lines} 行")
    return "\n".join(out)
