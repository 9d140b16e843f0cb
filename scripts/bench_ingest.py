"""How long reading a list takes, per format, at a given number of rows.

    python scripts/bench_ingest.py --rows 5000

Builds one synthetic honoree list (合成数据) per format in memory — HTML
table, .docx, .xlsx, .xls, ruled PDF, CSV — parses each through the same
entry point as `archive import`, and prints a table of seconds and entries.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--formats", default="html,docx,xlsx,xls,pdf,csv")
    args = parser.parse_args()
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
