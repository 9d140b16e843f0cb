"""Builders for the official notice formats, with fictional names.

One commendation (表彰通报) of 2021-2022: a page that states its counts and
links two lists, individuals grouped by operator and teams whose names
start with their company, written out as an HTML page, a .docx, an .xlsx,
an .xls, a ruled PDF, an unruled PDF and an Excel-saved CSV; plus a scanned
PDF and provincial candidate pages in GBK inside old layout tables.
"""

import datetime
import io
import subprocess
from pathlib import Path

TITLE = "关于表彰2021-2022年度“全国用户满意电信服务明星”“全国用户满意电信服务明星班组”的通报（虚构测试数据）"
LIST1 = "2021-2022年度全国用户满意电信服务明星名单"
LIST2 = "2021-2022年度全国用户满意电信服务明星班组名单"
# (group row, [(name as printed, unit, birth as printed)])
INDIVIDUALS = [
    ("中国电信（2名）", [("陈 志强", "中国电信股份有限公司九江分公司", "1985年3月"),
                       ("王\u3000海", "中国电信股份有限公司广东分公司", "1990.11")]),
    ("中国移动（2名）", [("阿依古丽·吐尔逊", "中国移动通信集团新疆有限公司", "1988/7"),
                       ("林晓雯", "中国移动通信集团浙江有限公司杭州分公司", "199201")]),
    ("中国联通（1名）", [("周建国", "中国联合网络通信有限公司北京市分公司", "1979-5")]),
    ("增值电信企业（1名）", [("马晓丽", "北京三快在线科技有限公司", "1993.04")]),
]
TEAMS = ["中国电信股份有限公司九江分公司装维支撑向东班",
         "北京粉笔蓝天科技有限公司粉笔售后客服部",
         "江苏省广电网络有限公司南京分公司客服热线班"]
#: What every format must give: (kind, name, unit, company, operator, region, birth).
EXPECTED = [
    ("individual", "陈志强", "中国电信股份有限公司九江分公司", "中国电信", "中国电信", "江西", "1985-03"),
    ("individual", "王海", "中国电信股份有限公司广东分公司", "中国电信", "中国电信", "广东", "1990-11"),
    ("individual", "阿依古丽·吐尔逊", "中国移动通信集团新疆有限公司", "中国移动", "中国移动", "新疆", "1988-07"),
    ("individual", "林晓雯", "中国移动通信集团浙江有限公司杭州分公司", "中国移动", "中国移动", "浙江", "1992-01"),
    ("individual", "周建国", "中国联合网络通信有限公司北京市分公司", "中国联通", "中国联通", "北京", "1979-05"),
    # 推荐单位 (company) comes only from a 推荐单位 column or a group row that names one:
    # 增值电信企业 names none, and the team list has no group rows.
    ("individual", "马晓丽", "北京三快在线科技有限公司", None, "其他", "北京", "1993-04"),
    ("team", TEAMS[0], "中国电信股份有限公司九江分公司", None, "中国电信", "江西", None),
    ("team", TEAMS[1], "北京粉笔蓝天科技有限公司", None, "其他", "北京", None),
    ("team", TEAMS[2], "江苏省广电网络有限公司南京分公司", None, "中国广电", "江苏", None),
]
PREAMBLE = ("为表彰先进，工业和信息化部根据《关于开展2021-2022年度电信服务评比表彰活动的通知》"
            "（工信厅行建〔2022〕7号），决定授予陈志强、王海等6名个人“全国用户满意电信服务明星”称号，"
            "授予中国电信股份有限公司九江分公司装维支撑向东班等3个班组“全国用户满意电信服务明星班组”称号"
            "（名单详见附件）。")


def individual_rows(serial=str):
    """[("group", label)] and [("row", serial, name, unit, birth)] in list order."""
    rows, n = [], 0
    for group, people in INDIVIDUALS:
        rows.append(("group", group))
        for name, unit, birth in people:
            n += 1
            rows.append(("row", serial(n), name, unit, birth))
    return rows


def commendation_html(word_cells=True):
    """The Ministry's page: a metadata table, the text, both lists as HTML tables."""
    def cell(text, span=1):
        inner = f"<p class=MsoNormal><span lang=EN-US>{text[:1]}</span><span>{text[1:]}</span></p>" \
            if word_cells and text else text
        return f"<td colspan={span}>{inner}</td>" if span > 1 else f"<td>{inner}</td>"
    one = [f"<tr>{cell(LIST1, 4)}</tr>",
           "<tr>" + "".join(cell(h) for h in ("序号", "姓&nbsp;&nbsp;名", "单位", "出生年月")) + "</tr>"]
    for row in individual_rows():
        if row[0] == "group":
            one.append(f"<tr>{cell(row[1], 4)}</tr>")
        else:
            one.append("<tr>" + "".join(cell(c) for c in row[1:]) + "</tr>")
    two = ["<tr>" + cell("序号") + cell("班组名称") + "</tr>"]
    two += ["<tr>" + cell(str(i)) + cell(t) + "</tr>" for i, t in enumerate(TEAMS, start=1)]
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body><div class="crumb">首页 &gt; 政务公开</div>
<table class="meta"><tr><td>索引号：</td><td>000014349/2023-00123</td><td>发文机关：</td><td>工业和信息化部</td></tr>
<tr><td>成文日期：</td><td>2023-05-15</td><td>发布日期：</td><td>2023-05-18</td></tr>
<tr><td>文号：</td><td>工信行建〔2023〕1号</td><td>主题分类：</td><td>表彰</td></tr></table>
<h1>{TITLE}</h1>
<p>各省、自治区、直辖市通信管理局，各有关单位：</p><p>{PREAMBLE}</p>
<p>工业和信息化部</p><p>2023年5月15日</p>
<p>附件1</p><table border=1>{''.join(one)}</table>
<p>附件2</p><p>{LIST2}</p><table border=1>{''.join(two)}</table>
<div class="footer">主办单位：工业和信息化部 版权所有 京ICP备04000001号</div></body></html>""".encode()


def docx_list():
    """The two lists as a Word attachment: a merged title row above the header,
    merged group rows, the team list under its own heading."""
    import docx
    document = docx.Document()
    document.add_paragraph("附件1")
    rows = individual_rows()
    table = document.add_table(rows=len(rows) + 2, cols=4)
    title = table.cell(0, 0).merge(table.cell(0, 3))
    title.text = LIST1
    for c, text in enumerate(("序号", "姓  名", "工作单位", "出生年月")):
        table.cell(1, c).text = text
    for r, row in enumerate(rows, start=2):
        if row[0] == "group":
            table.cell(r, 0).merge(table.cell(r, 3)).text = row[1]
        else:
            for c, text in enumerate(row[1:]):
                table.cell(r, c).text = text
    document.add_paragraph("附件2")
    document.add_paragraph(LIST2)
    teams = document.add_table(rows=len(TEAMS) + 1, cols=2)
    teams.cell(0, 0).text, teams.cell(0, 1).text = "序号", "班组名称"
    for r, team in enumerate(TEAMS, start=1):
        teams.cell(r, 0).text, teams.cell(r, 1).text = str(r), team
    document.add_paragraph("")  # Word ends a body with a paragraph, never a table
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_list():
    """The lists as an Excel workbook: a sheet each, merged title rows, float serial
    numbers, births as dates shown as year and month, merged group rows."""
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "明星"
    sheet.append([LIST1])
    sheet.merge_cells("A1:D1")
    sheet.append(["序号", "姓名", "单位", "出生年月"])
    for row in individual_rows(serial=float):
        if row[0] == "group":
            sheet.append([row[1]])
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                              end_column=4)
        else:
            serial, name, unit, birth = row[1:]
            if name == "林晓雯":  # a real date cell, formatted as year and month
                birth = datetime.datetime(1992, 1, 1)
            sheet.append([serial, name, unit, birth])
            if isinstance(birth, datetime.datetime):
                sheet.cell(sheet.max_row, 4).number_format = "yyyy年m月"
    teams = book.create_sheet("明星班组")
    teams.append([LIST2])
    teams.merge_cells("A1:B1")
    teams.append(["序号", "班组名称"])
    for i, team in enumerate(TEAMS, start=1):
        teams.append([float(i), team])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xls_list():
    """The lists as an Excel 97 workbook (xlwt): merged title and group rows."""
    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明星")
    sheet.write_merge(0, 0, 0, 3, LIST1)
    for c, text in enumerate(("序号", "姓名", "所在单位", "出生年月")):
        sheet.write(1, c, text)
    for r, row in enumerate(individual_rows(serial=float), start=2):
        if row[0] == "group":
            sheet.write_merge(r, r, 0, 3, row[1])
        else:
            for c, value in enumerate(row[1:]):
                sheet.write(r, c, value)
    teams = book.add_sheet("明星班组")
    teams.write_merge(0, 0, 0, 1, LIST2)
    teams.write(1, 0, "序号")
    teams.write(1, 1, "班组名称")
    for i, team in enumerate(TEAMS, start=1):
        teams.write(i + 1, 0, float(i))
        teams.write(i + 1, 1, team)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _pdf(story_builder):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    story_builder(buf, A4)
    return buf.getvalue()


# The CID font has no middle dot; the PDFs print the minority name without it.
PDF_NAMES = {"阿依古丽·吐尔逊": "阿依古丽吐尔逊"}


def _pdf_grid(printed):
    """The individuals' list as a PDF table grid, and the rows of its group rows;
    printed(name): the name as the PDF's font prints it."""
    grid, spans = [["序号", "姓名", "单位", "出生年月"]], []
    for row in individual_rows():
        if row[0] == "group":
            spans.append(len(grid))
            grid.append([row[1], "", "", ""])
        else:
            grid.append([row[1], printed(row[2]), row[3], row[4]])
    return grid, spans


def pdf_list(ruled=True):
    """The lists as a PDF: ruled tables (pdfplumber finds them), or plain text lines
    in columns (read by word positions)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    def build(buf, size):
        style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
        grid, spans = _pdf_grid(lambda name: PDF_NAMES.get(name, name))
        look = [("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 9)]
        if ruled:
            look.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
        merged = look + [("SPAN", (0, r), (-1, r)) for r in spans] if ruled else look
        teams = [["序号", "班组名称"]] + [[str(i), t] for i, t in enumerate(TEAMS, start=1)]
        story = [Paragraph("附件1", style), Paragraph(LIST1, style), Table(grid, style=TableStyle(merged)),
                 Spacer(1, 20), Paragraph("附件2", style), Paragraph(LIST2, style),
                 Table(teams, style=TableStyle(look))]
        SimpleDocTemplate(buf, pagesize=size).build(story)
    return _pdf(build)


def scanned_pdf():
    """A PDF whose page is only an image (a scan): no text layer."""
    from reportlab.pdfgen import canvas
    from reportlab.lib.utils import ImageReader
    from PIL import Image
    image = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        image.putpixel((x, 50), (0, 0, 0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawImage(ImageReader(image), 50, 500, width=400, height=200)
    page.save()
    return buf.getvalue()


def excel_csv(encoding="gbk"):
    """A list sheet saved as CSV by a Chinese Excel: GBK, a title row, no metadata."""
    lines = [LIST1 + ",,,", "序号,姓名,单位,出生年月"]
    for row in individual_rows():
        lines.append(row[1] + ",,," if row[0] == "group" else ",".join(row[1:]))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def doc_from_docx(data, tmp_path):
    """A Word 97 .doc made from a .docx by LibreOffice (installed by `make test`)."""
    source = Path(tmp_path) / "list.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "doc", "--outdir",
                    str(tmp_path), f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    str(source)], check=True, capture_output=True, timeout=180)
    return (Path(tmp_path) / "list.doc").read_bytes()


PROVINCE_TITLE = "关于2021-2022年度全国用户满意电信服务明星候选人的公示（虚构测试数据）"


def _layout_page(content):
    """An old provincial site: the whole page sits in nested layout tables."""
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{PROVINCE_TITLE}</title></head><body>
<table width="100%"><tr><td><img src="logo.gif"></td><td>湖南省通信管理局</td></tr></table>
<table width="980" align="center"><tr><td width="200"><a href="/">首页</a><br><a href="/gk">公示公告</a></td>
<td width="780">
<p align="center"><b>{PROVINCE_TITLE}</b></p>
<p>来源：湖南省通信管理局&nbsp;&nbsp;发布时间：2022-09-20</p>
{content}
<p align="right">湖南省通信管理局</p><p align="right">2022年9月20日</p>
</td></tr></table>
<table><tr><td>版权所有：湖南省通信管理局 湘ICP备05000001号</td></tr></table></body></html>"""


def province_blocks_page():
    """Candidates as blocks of 姓名：… paragraphs, in GBK, inside a layout table."""
    content = """<p>根据工作安排，现将我省推荐的候选人予以公示，共2名。</p>
<p>一、中国移动湖南公司推荐情况如下：</p>
<p>全国用户满意电信服务明星中国移动湖南公司</p>
<p>姓　　名：刘 思远</p><p>性　　别：男</p><p>出生年月：1987年6月</p><p>学　　历：大学本科</p>
<p>职　　务：装维班长</p><p>单　　位：中国移动通信集团湖南有限公司长沙分公司</p>
<p>申报说明材料：</p><p>　　刘思远同志扎根装维一线十年，客户满意率连续三年排名全省第一。</p>
<p>二、中国电信湖南公司推荐情况如下：</p>
<p>全国用户满意电信服务明星中国电信湖南公司</p>
<p>姓　　名：谭丽华</p><p>性　　别：女</p><p>出生年月：1991.02</p><p>学　　历：大专</p>
<p>职　　务：营业员</p><p>单　　位：中国电信股份有限公司岳阳分公司</p>
<p>申报说明材料：</p><p>　　谭丽华同志为老年用户开设绿色通道，累计服务三千余人次。</p>"""
    return _layout_page(content).encode("gbk")


def province_table_page():
    """Candidates as a data table without citations, in GBK, inside a layout table."""
    rows = [("1", "刘 思远", "男", "1987.06", "大学本科", "装维班长", "中国移动通信集团湖南有限公司长沙分公司"),
            ("2", "谭丽华", "女", "1991年2月", "大专", "营业员", "中国电信股份有限公司岳阳分公司"),
            ("3", "欧阳 春", "男", "198312", "硕士研究生", "客服经理", "中国联合网络通信有限公司湖南省分公司")]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    content = f"""<p>经各企业推荐，现将我省候选人名单公示如下，共3名。</p>
<table border="1"><tr><td>序号</td><td>姓名</td><td>性别</td><td>出生年月</td><td>学历</td>
<td>职务/岗位</td><td>工作单位</td></tr>{body}</table>"""
    return _layout_page(content).encode("gbk")


def long_pdf_list(people=60):
    """A ruled PDF list that runs over pages, its header repeated on each, one group
    row (中国移动（N名）) covering people on both pages."""
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    def build(buf, size):
        grid = [["序号", "姓名", "单位"], [f"中国移动（{people}名）", "", ""]]
        grid += [[str(i), f"测试{i:03d}号", "中国移动通信集团河南有限公司郑州分公司"]
                 for i in range(1, people + 1)]
        look = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                           ("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 1), (-1, 1))])
        SimpleDocTemplate(buf, pagesize=size).build([Table(grid, style=look, repeatRows=1)])
    return _pdf(build)


def two_block_docx():
    """A Word list printed in two column blocks, inside a one-cell layout table."""
    import docx
    document = docx.Document()
    document.add_paragraph(LIST1)
    outer = document.add_table(rows=1, cols=1)
    inner = outer.cell(0, 0).add_table(rows=4, cols=6)
    rows = [["序号", "姓名", "单位", "序号", "姓名", "单位"],
            ["中国联通（3名）"] * 6,
            ["1", "赵 一", "中国联合网络通信有限公司沈阳市分公司", "2", "钱二", "中国联合网络通信有限公司大连市分公司"],
            ["3", "孙三", "中国联合网络通信有限公司合肥市分公司", "", "", ""]]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            inner.cell(r, c).text = text
    document.add_paragraph("")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def commendation_pdf(title_lines=(TITLE[:33], TITLE[33:])):
    """The same commendation as the Ministry's PDF: its 文号 on a line of its own, the
    title wrapped over two lines, the preamble, the signature with only the signing
    date (no 发布日期), then both lists as ruled tables."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    def build(buf, size):
        style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
        # The CID font prints the middle dot as U+30FB, read back as ·.
        grid, spans = _pdf_grid(lambda name: name.replace("·", "・"))
        look = [("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, "black")]
        teams = [["序号", "班组名称"]] + [[str(i), t] for i, t in enumerate(TEAMS, start=1)]
        story = [Paragraph("工信行建〔2023〕1号", style)]
        story += [Paragraph(line, style) for line in title_lines]
        story += [Paragraph("各省、自治区、直辖市通信管理局，各有关单位：", style),
                  Paragraph(PREAMBLE, style), Paragraph("工业和信息化部", style),
                  Paragraph("2023年5月15日", style), Spacer(1, 20),
                  Paragraph("附件1", style), Paragraph(LIST1, style),
                  Table(grid, style=TableStyle(look + [("SPAN", (0, r), (-1, r)) for r in spans])),
                  Spacer(1, 20), Paragraph("附件2", style), Paragraph(LIST2, style),
                  Table(teams, style=TableStyle(look))]
        SimpleDocTemplate(buf, pagesize=size).build(story)
    return _pdf(build)


def sheet(rows, merged_title=None):
    """An .xlsx of one sheet: an optional merged title row, then the rows given."""
    import openpyxl
    book = openpyxl.Workbook()
    ws = book.active
    if merged_title:
        ws.append([merged_title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
