"""Small files built to hang or exhaust a parser (issue: hostile files)."""

import io
import zipfile


def looping_pdf():
    """A 400-byte PDF whose page tree points at an object that points back (5 0 R →
    6 0 R → 5 0 R): pdfminer follows it for ever."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
                 b"<< >>", b"<< >>", b"6 0 R", b"5 0 R"])


def _pdf(objects):
    """A PDF of these objects (numbered from 1; the first is the catalog), with its
    cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _patched_xlsx(patch):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "单位"])
    sheet.append(["1", "张三", "中国电信股份有限公司九江分公司"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = patch(data)
            z.writestr(item, data)
    return out.getvalue()


def merge_bomb_xlsx():
    """A 5 KB workbook whose one merged range covers the whole sheet (A1:XFD1048576)."""
    return _patched_xlsx(lambda xml: xml.replace(
        b"</sheetData>",
        b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'))


def merged_docx(rows=3, grid_span=None, first_row_merged=False):
    """A Word list whose 推荐单位 column is one cell merged down every row (vMerge);
    grid_span: a cell claiming that many columns; first_row_merged: a vMerge
    continuation in the header row."""
    import docx
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement
    document = docx.Document()
    table = document.add_table(rows=rows + 1, cols=3)
    for c, head in enumerate(("序号", "姓名", "推荐单位")):
        table.cell(0, c).text = head
    for r in range(1, rows + 1):
        table.cell(r, 0).text, table.cell(r, 1).text = str(r), f"测试{r:04d}"
    table.cell(1, 2).merge(table.cell(rows, 2)).text = "中国电信湖南分公司"
    if grid_span:
        props = table.cell(1, 0)._tc.get_or_add_tcPr()
        span = OxmlElement("w:gridSpan")
        span.set(qn("w:val"), str(grid_span))
        props.append(span)
    if first_row_merged:
        props = table.cell(0, 0)._tc.get_or_add_tcPr()
        props.append(OxmlElement("w:vMerge"))
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def ruled_grid_pdf(pages=20, lines=150):
    """A few kilobytes of PDF: every page ruled lines × lines (pdfplumber's table
    finder takes minutes over it)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    for _ in range(pages):
        for i in range(lines + 1):
            x = 20 + i * (width - 40) / lines
            y = 20 + i * (height - 40) / lines
            page.line(x, 20, x, height - 20)
            page.line(20, y, width - 20, y)
        page.drawString(30, height - 15, "xuhao xingming")
        page.showPage()
    page.save()
    return buf.getvalue()


def stream_bomb_pdf(megabytes=200):
    """A small PDF with one compressed stream that unpacks to `megabytes` of zeros."""
    import zlib
    packed = zlib.compress(b"\0" * (megabytes * 1024 * 1024), 9)
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
                 + b"\nendstream"])
