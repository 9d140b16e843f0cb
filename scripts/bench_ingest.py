"""How long reading a list takes, per format, at a given number of rows.

    python scripts/bench_ingest.py --rows 5000
    python scripts/bench_ingest.py --shapes

Builds one synthetic honoree list (合成数据) per format in memory — HTML
table, .docx, .xlsx, .xls, ruled PDF, CSV — parses each through the same
entry point as `archive import`, and prints a table of seconds and entries.
--shapes times the shapes that were once super-linear (20,000 sibling
paragraphs, a page of 800 candidate blocks, a 1,000-row Word table whose
推荐单位 column is one merged cell) at 1× and 4× their size, with the growth.
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.ingest import parse_bytes  # noqa: E402

META = {"title": "关于表彰2021-2022年度全国用户满意电信服务明星的通报（合成数据）",
        "publisher": "工业和信息化部", "published": "2023-05-18"}
UNITS = ["中国电信股份有限公司九江分公司", "中国移动通信集团浙江有限公司杭州分公司",
         "中国联合网络通信有限公司北京市分公司", "北京三快在线科技有限公司"]


def rows(n):
    """Header, a group row, then n numbered people."""
    out = [["序号", "姓名", "单位", "出生年月"], ["中国电信（%d名）" % n, "", "", ""]]
    out += [[str(i), f"合成{i:05d}", UNITS[i % 4], f"19{70 + i % 30}.{1 + i % 12:02d}"]
            for i in range(1, n + 1)]
    return out


def html(n):
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows(n))
    return f"<html><body><h1>{META['title']}</h1><p>发布日期：2023-05-18</p><p>来源：工业和信息化部</p>" \
           f"<table>{body}</table></body></html>".encode()


def docx(n):
    import docx as python_docx
    document = python_docx.Document()
    grid = rows(n)
    table = document.add_table(rows=len(grid), cols=4)
    for r, row in enumerate(grid):
        cells = table.rows[r].cells
        for c, text in enumerate(row):
            cells[c].text = text
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx(n):
    import openpyxl
    book = openpyxl.Workbook()
    for row in rows(n):
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xls(n):
    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for r, row in enumerate(rows(n)):
        for c, text in enumerate(row):
            sheet.write(r, c, text)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def pdf(n):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    look = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                       ("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 1), (-1, 1))])
    SimpleDocTemplate(buf, pagesize=A4).build([Table(rows(n), style=look, repeatRows=1)])
    return buf.getvalue()


def csv(n):
    return ("\n".join(",".join(r) for r in rows(n)) + "\n").encode("gbk")


def siblings(n):
    """A page of n sibling paragraphs above a small list."""
    paragraphs = "".join(f"<p>第{i}段：合成数据，用于测量读取网页的时间。</p>" for i in range(n))
    return f"<html><body><h1>{META['title']}</h1><p>发布日期：2023-05-18</p>{paragraphs}" \
           f"<table><tr><td>序号</td><td>姓名</td><td>单位</td></tr>" \
           f"<tr><td>1</td><td>合成00001</td><td>{UNITS[0]}</td></tr></table></body></html>".encode()


def blocks(n):
    """A provincial candidate page of n blocks (姓名：…, 申报说明材料：…)."""
    body = "".join(
        f"<p>全国用户满意电信服务明星中国电信湖南公司</p><p>姓名：合成{i:05d}</p><p>性别：女</p>"
        f"<p>出生年月：1990.0{1 + i % 9}</p><p>单位：{UNITS[i % 4]}</p><p>申报说明材料：</p>"
        f"<p>合成{i:05d}同志扎根一线，服务客户，事迹为合成数据。</p>" for i in range(n))
    title = "关于2021-2022年度全国用户满意电信服务明星候选人的公示（合成数据）"
    return f"<html><body><h1>{title}</h1><p>来源：湖南省通信管理局 发布时间：2022-09-01</p>" \
           f"{body}</body></html>".encode()


def merged_docx(n):
    """A Word list of n rows whose 推荐单位 column is one cell merged down (vMerge)."""
    import docx as python_docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    document = python_docx.Document()
    table = document.add_table(rows=n + 1, cols=3)
    for c, head in enumerate(("序号", "姓名", "推荐单位")):
        table.cell(0, c).text = head
    for r, row in enumerate(table.rows[1:], start=1):
        first, second, third = row.cells
        first.text, second.text = str(r), f"合成{r:05d}"
        merge = OxmlElement("w:vMerge")  # as Word writes it (python-docx's merge recurses)
        if r == 1:
            merge.set(qn("w:val"), "restart")
            third.text = "中国电信湖南分公司"
        third._tc.get_or_add_tcPr().append(merge)
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


SHAPES = {"sibling paragraphs (html)": (siblings, 20000, "html"),
          "candidate blocks (html)": (blocks, 800, "html"),
          "vMerge Word rows (docx)": (merged_docx, 1000, "docx")}


def shapes():
    """Time each once super-linear shape at 1× and 4× its size; print the growth."""
    print("| shape | size | parse seconds | size × 4 | parse seconds | growth |")
    print("|---|---|---|---|---|---|")
    for name, (build, size, fmt) in SHAPES.items():
        timings = []
        for n in (size, size * 4):
            data = build(n)
            runs = []
            for _ in range(2):  # the best of two: a collection or a cold cache is noise
                start = time.perf_counter()
                parse_bytes(data, f"page.{fmt}",
                            META if fmt != "html" or build is siblings else None)
                runs.append(time.perf_counter() - start)
            timings.append(min(runs))
        print(f"| {name} | {size:,} | {timings[0]:.2f} | {size * 4:,} | {timings[1]:.2f} | "
              f"×{timings[1] / timings[0]:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--formats", default="html,docx,xlsx,xls,pdf,csv")
    parser.add_argument("--shapes", action="store_true",
                        help="time the once super-linear shapes at 1× and 4× instead")
    args = parser.parse_args()
    if args.shapes:
        return shapes()
    builders = {"html": html, "docx": docx, "xlsx": xlsx, "xls": xls, "pdf": pdf, "csv": csv}
    print("| format | rows | file size | parse seconds | entries |")
    print("|---|---|---|---|---|")
    for name in args.formats.split(","):
        data = builders[name](args.rows)
        start = time.perf_counter()
        parsed = parse_bytes(data, f"list.{name}", META)
        seconds = time.perf_counter() - start
        print(f"| {name} | {args.rows} | {len(data) / 1e6:.2f} MB | {seconds:.2f} | "
              f"{len(parsed.entries)} |")


if __name__ == "__main__":
    main()
