"""A generator of notice layouts: one fictional list, rendered through every layout
family and every format the archive reads, with random choices (columns present,
their order and names, numbering styles, separators, padding, group headings and
their counts, page breaks). What was rendered is what must be read back.

Families: "table" (a header row, optional operator group rows and a counted title),
"numbered" (numbered paragraphs, fields separated by ，、 or spaces), "headed" (lines
under company sub-headings, short units completed from the heading), "blocks" (a
block per candidate: several 字段：值 pairs on a line, then the 事迹).
Formats: txt, html, a public-account (WeChat) article page, docx, pdf, ofd, xlsx and
csv (tables only), png (OCR). The metadata varies too: the issuing body, an
information-disclosure block above the text, the cycle's dash, dates in Chinese
numerals, a PDF title spaced apart at its cycle.
"""

import io
import random
import re

FAMILIES = ("table", "numbered", "headed", "blocks")
FORMATS = {"table": ("txt", "html", "wechat", "docx", "pdf", "ofd", "xlsx", "csv"),
           "numbered": ("txt", "html", "wechat", "docx", "pdf", "ofd"),
           "headed": ("txt", "html", "wechat", "docx", "pdf", "ofd"),
           "blocks": ("txt", "html", "wechat", "docx")}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂玉柱晓雯建国海燕志文斌"
MINORITY = ["阿依古丽·吐尔逊", "买买提·艾力", "努尔艾力·热合曼", "古丽娜尔·沙比提"]
COMPANIES = [("中国电信股份有限公司江西分公司", ["九江分公司", "赣州分公司", "南昌分公司"]),
             ("中国移动通信集团浙江有限公司", ["杭州分公司", "宁波分公司", "温州分公司"]),
             ("中国联合网络通信有限公司北京市分公司", ["重要通信局", "海淀分公司", "朝阳分公司"]),
             ("中国铁塔股份有限公司江苏省分公司", ["南京分公司", "苏州分公司"])]
POSITIONS = ["装维班长", "客户经理", "营业厅主任", "网格经理", "网络维护工程师", "投诉处理专员"]
TITLE = "关于2021-2022年度全国用户满意电信服务明星候选人的公示"
PUBLISHER = "江西省通信管理局"
#: Issuing bodies as signatures give them whole (a leading group is not its ministry).
PUBLISHERS = (PUBLISHER, "工业和信息化部行风建设领导小组", "广西壮族自治区通信管理局")
#: The information-disclosure block of a government page (metadata, never a list).
DISCLOSURE = [["索引号", "000014349/2022-00123", "发布机构", "{publisher}"],
              ["发文字号", "赣通管〔2022〕8号", "发布日期", "2022-03-02"],
              ["成文日期", "2022-03-01", "主题分类", "通知公告"]]


def people(rng, n):
    """n fictional honorees: (name, company, short unit, position), names unique; a
    list without positions (None) now and then."""
    out, seen = [], set()
    positions = rng.random() > 0.2
    while len(out) < n:
        if rng.random() < 0.15:
            name = rng.choice(MINORITY)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                                  for _ in range(rng.choice((1, 2, 2))))
        if name in seen:
            continue
        seen.add(name)
        company, units = rng.choice(COMPANIES)
        out.append((name, company, rng.choice(units),
                    rng.choice(POSITIONS) if positions else None))
    return sorted(out, key=lambda p: [c for c, _ in COMPANIES].index(p[1]))


TEAM_KINDS = ["装维班", "客服班组", "网络维护班", "营业厅"]


def teams(rng, n):
    """n fictional teams: (team name, its unit), the name starting with its unit."""
    out = []
    while len(out) < n:
        company, units = rng.choice(COMPANIES)
        unit = company + rng.choice(units)
        name = unit + rng.choice(TEAM_KINDS)
        if name not in [t for t, _ in out]:
            out.append((name, unit))
    return out


def expected(listed):
    """What the reader must give for each honoree: (name, unit, position)."""
    return [(name, company + unit, position) for name, company, unit, position in listed]


def _padded(rng, name):
    """A two-character name as notices pad it (王　海), now and then."""
    return name[0] + "\u3000" + name[1] if len(name) == 2 and rng.random() < 0.4 else name


def _groups(listed):
    groups = []
    for person in listed:
        if not groups or groups[-1][0] != person[1]:
            groups.append((person[1], []))
        groups[-1][1].append(person)
    return groups


def paragraphs(rng, family, listed, publisher=PUBLISHER, disclosure=False, team_list=(),
               headerless=True):
    """The notice as paragraphs and tables: [("p", text) | ("table", rows)]; the title
    first. disclosure: an information-disclosure block (索引号 | 发布机构 …) above it;
    team_list: (name, unit) of teams, listed after the people under a counted heading;
    headerless: a table family's list may come without its header row."""
    title = TITLE.replace("-", rng.choice(["-", "—", "～", "至"]))
    date = rng.choice(["2022年3月1日", "二〇二二年三月一日", "二○二二年三月一日"])
    head = [("p", title), ("p", f"根据评选工作安排，现将我省候选人名单公示如下，共{len(listed)}名。")]
    tail = [("p", "公示期间如有异议，请与我局联系。"), ("p", publisher), ("p", date)]
    if disclosure:
        head.insert(0, ("table", [[c.format(publisher=publisher) for c in row]
                                  for row in DISCLOSURE]))
    body = []
    numerals = "一二三四五六七八九十"
    if family == "table":
        columns = [("序号", None), (rng.choice(["姓名", "姓  名", "候选人姓名"]), 0),
                   (rng.choice(["工作单位", "单位", "所在单位"]), 1)]
        if listed[0][3] is not None:
            columns.append((rng.choice(["职务", "岗位", "职务/岗位"]), 2))
            if rng.random() < 0.5:
                columns[2:] = [columns[3], columns[2]]
        rows = [[label for label, _ in columns]]
        grouped = rng.random() < 0.5
        serial = 0
        for company, members in _groups(listed):
            if grouped:
                rows.append([f"{company}（{len(members)}名）"] * len(columns))
            for name, company_, unit, position in members:
                serial += 1
                values = (_padded(rng, name), (unit if grouped else company_ + unit), position)
                rows.append([str(serial) if i is None else values[i] for _, i in columns])
        if headerless and not team_list and rng.random() < 0.2:
            rows = rows[1:]  # a list printed without its header row
        body = [("p", f"全国用户满意电信服务明星候选人名单（共{len(listed)}名）"), ("table", rows)]
        if team_list:
            body += [("p", f"全国用户满意电信服务明星班组候选人名单（共{len(team_list)}个）"),
                     ("table", [["序号", rng.choice(["班组名称", "班组全称", "候选班组"])]]
                      + [[str(i), name] for i, (name, _) in enumerate(team_list, start=1)])]
    elif family == "numbered":
        style = rng.choice(["{}．", "{}、", "（{}）", "{}. "])
        sep = rng.choice(["，", "、", "  ", "\u3000"])
        bracketed = rng.random() < 0.3  # 李红梅（女，中国电信…分公司客户经理）
        for i, (name, company, unit, position) in enumerate(listed, start=1):
            if bracketed:
                details = rng.choice("男女") + "，" + company + unit + (position or "")
                body.append(("p", style.format(i) + f"{name}（{details}）"))
                continue
            fields = (_padded(rng, name), company + unit, position)
            body.append(("p", style.format(i) + sep.join(f for f in fields if f)))
    elif family == "headed":
        sep = rng.choice(["，", "  ", "、"])
        for g, (company, members) in enumerate(_groups(listed)):
            count = f"（{len(members)}名）" if rng.random() < 0.6 else ""
            body.append(("p", f"{numerals[g]}、{company}{count}"))
            for i, (name, _, unit, position) in enumerate(members, start=1):
                fields = (_padded(rng, name), unit, position)
                body.append(("p", f"{i}．" + sep.join(f for f in fields if f)))
        if team_list:  # the teams' names alone on their lines, under their own heading
            body.append(("p", f"{numerals[len(_groups(listed))]}、全国用户满意电信服务明星班组"
                              f"候选人（{len(team_list)}个）"))
            body += [("p", name) for name, _ in team_list]
    else:  # blocks
        for name, company, unit, position in listed:
            gender = rng.choice("男女")
            body.append(("p", f"全国用户满意电信服务明星（{company}）"))
            job = f"\u3000职务：{position}" if position else ""
            if rng.random() < 0.5:
                body.append(("p", f"姓名：{name}\u3000性别：{gender}{job}"))
            else:
                body += [("p", f"姓名：{name}"), ("p", f"性别：{gender}")] \
                    + ([("p", f"职务：{position}")] if position else [])
            body.append(("p", f"工作单位：{company}{unit}"))
            body.append(("p", "申报说明材料："))
            body.append(("p", f"{name}同志扎根一线，服务用户热情周到，客户满意度连续三年名列前茅。"))
    return head + body + tail


def _spans(row):
    """A group or title row: one text over the whole row (a merged cell)."""
    return len(row) > 1 and len(set(row)) == 1


def _paged(items, rng):
    """The notice laid out on pages of a few lines each: [[(kind, cells, its table)]].
    A list running over a page break has its header repeated on the next page (most
    often), and now and then a row broken by the break: the first part of its unit on
    one page, the rest at the top of the next under the repeated header."""
    per_page = rng.randint(7, 16)
    repeat, split = rng.random() < 0.7, rng.random() < 0.5
    pages = [[]]
    for kind, value in items:
        rows = value if kind == "table" else [[value]]
        for i, row in enumerate(rows):
            row = row[:1] if _spans(row) else row
            if len(pages[-1]) < per_page:
                pages[-1].append((kind, row, value))
                continue
            carry = None
            unit = next((c for c, label in enumerate(rows[0]) if "单位" in label), None) \
                if kind == "table" else None
            if split and unit is not None and i > 0 and not _spans(rows[i]) \
                    and len(row[unit]) >= 6:
                cut = len(row[unit]) // 2
                pages[-1].append((kind, row[:unit] + [row[unit][:cut]] + row[unit + 1:], value))
                carry = [""] * len(row)
                carry[unit] = row[unit][cut:]
            pages.append([])
            if kind == "table" and i > 0 and repeat and rows[0][0] == "序号":  # a header
                pages[-1].append((kind, rows[0], value))
            pages[-1].append((kind, carry or row, value))
    return pages


def _widths(rows):
    return [max(len(r[c]) for r in rows if not _spans(r)) for c in range(len(rows[0]))]


def _xs(rows, left, size):
    """Where each column starts: after the widest cell of the column before it."""
    xs = [left]
    for width in _widths(rows)[:-1]:
        xs.append(xs[-1] + (width + 2) * size)
    return xs


def _placed(row, rows, left, size, centred):
    """(x, text) of a table row's cells: left-aligned in their columns, or centred in
    them as Word's tables often are; a group row at the left."""
    xs = _xs(rows, left, size)
    if len(row) == 1 or not centred:
        return list(zip(xs, row))
    widths = _widths(rows)
    return [(x + (w - len(cell)) * size / 2, cell) for x, w, cell in zip(xs, widths, row)]


def _row_text(row, sep):
    return row[0] if _spans(row) else sep.join(row)


def render(items, fmt, rng):
    """The paragraphs and tables in one format: (filename, bytes)."""
    if fmt == "txt":
        lines = []
        for kind, value in items:
            lines += [_row_text(r, "\t") for r in value] if kind == "table" else [value]
        return "公示.txt", "\n".join(lines).encode(rng.choice(["utf-8", "gb18030", "utf-16", "utf-16-le"]))
    if fmt == "wechat":
        return "文章.html", _wechat(items, rng)
    if fmt == "html":
        from html import escape
        parts = []
        for kind, value in items:
            if kind == "table":
                parts.append("<table border=1>" + "".join(
                    f"<tr><td colspan={len(row)}>{escape(row[0])}</td></tr>" if _spans(row)
                    else "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                    for row in value) + "</table>")
            else:
                parts.append(f"<p>{escape(value)}</p>")
        charset = rng.choice(["utf-8", "gbk"])  # provincial sites still serve GBK
        html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; '
                f'charset={charset}"><title>公示</title></head><body>'
                '<div class="nav">首页 &gt; 通知公告</div>' + "".join(parts) + "</body></html>")
        return "公示.html", html.encode("gb18030" if charset == "gbk" else "utf-8")
    if fmt == "docx":
        import docx
        document = docx.Document()
        for kind, value in items:
            if kind == "table":
                table = document.add_table(rows=len(value), cols=len(value[0]))
                for r, row in enumerate(value):
                    if _spans(row):
                        table.cell(r, 0).merge(table.cell(r, len(row) - 1)).text = row[0]
                        continue
                    for c, cell in enumerate(row):
                        table.cell(r, c).text = cell
            elif numbered := re.match(r"^(?:\d+[．、.]\s*|（\d+）)(?=\S)", value):
                # Word's automatic numbering half the time: the number is no text at all.
                if rng.random() < 0.5:
                    document.add_paragraph(value[numbered.end():], style="List Number")
                else:
                    document.add_paragraph(value)
            else:
                document.add_paragraph(value)
        document.add_paragraph("")
        buf = io.BytesIO()
        document.save(buf)
        return "公示.docx", buf.getvalue()
    if fmt in ("xlsx", "csv"):
        rows = [row for kind, value in items if kind == "table" for row in value]
        if fmt == "csv":
            import csv
            buf = io.StringIO()
            csv.writer(buf).writerows(rows)
            return "名单.csv", buf.getvalue().encode("utf-8-sig")
        import openpyxl
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        buf = io.BytesIO()
        book.save(buf)
        return "名单.xlsx", buf.getvalue()
    if fmt == "pdf":
        return "公示.pdf", _pdf(items, rng)
    if fmt == "ofd":
        import rendered
        centred = rng.random() < 0.5
        pages = [[(x, 20 + 8 * n, cell) for n, (kind, row, table) in enumerate(lines)
                  for x, cell in (_placed(row, table, 20, 4.2, centred) if kind == "table"
                                  else [(20, row[0])])
                  if cell] for lines in _paged(items, rng)]
        return "公示.ofd", rendered.ofd(pages, ctm=rng.random() < 0.5)
    raise ValueError(fmt)


def _in_spans(text, rng):
    """Text cut into spans as a public-account editor writes it (a name split too)."""
    from html import escape
    out, i = [], 0
    while i < len(text):
        step = rng.randint(1, 4)
        style = rng.choice(["", ' style="color:#333"', ' style="font-size:15px"'])
        out.append(f"<span{style}>{escape(text[i:i + step])}</span>")
        i += step
    return "".join(out)


#: When the public-account page says it was published (2022-03-02 10:00 in Beijing).
WECHAT_TIME = 1646186400


def _wechat(items, rng):
    """A public-account article page: nested sections and spans, the publish time in
    its script, the account's boilerplate (editor lines, QR code, 往期推荐) around it."""
    parts = []
    for kind, value in items:
        if kind == "table":
            rows = "".join("<tr>" + "".join(f"<td><section><span>{_in_spans(c, rng)}</span></section></td>"
                                            for c in row) + "</tr>" for row in value)
            parts.append(f"<section><table><tbody>{rows}</tbody></table></section>")
        else:
            if value.startswith("全国用户满意电信服务明星（"):  # a candidate's photo above
                parts.append(f"<section><img data-src='https://example.org/{len(parts)}.jpg'>"
                             "</section>")
            parts.append(f"<section><section><p>{_in_spans(value, rng)}</p></section></section>")
    boiler = ["<p><span>编辑：小赣</span></p>", "<p><span>审核：老周</span></p>",
              "<section><img src='qr.png'><p>长按识别二维码，关注我们</p></section>",
              "<h3>往期推荐</h3><p><a href='#'>我局召开2022年行风建设工作会议</a></p>"
              "<p><a href='#'>关于开展电信服务质量检查的通知</a></p>"]
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>重要公示</title>'
            '<meta property="og:title" content="重要公示"></head><body>'
            '<div id="js_article"><h1 class="rich_media_title">重要公示</h1>'
            '<em id="publish_time"></em><a id="js_name">江西通信</a>'
            '<div class="rich_media_content" id="js_content">' + "".join(parts)
            + "".join(boiler) + '</div></div>'
            f'<script>var nickname = "江西通信"; var ct = "{WECHAT_TIME}";'
            ' var msg_title = "重要公示";</script></body></html>').encode()


def _pdf(items, rng):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    import rendered
    pdfmetrics.registerFont(TTFont("WQY", rendered.FONT, subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    _, height = A4
    size = 9
    ruled = rng.random() < 0.5  # a grid drawn round the list's cells, or none
    centred = rng.random() < 0.5
    for number, lines in enumerate(_paged(items, rng)):
        if number:
            page.showPage()
        page.setFont("WQY", size)
        for n, (kind, row, table) in enumerate(lines):
            if kind == "p" and row[0].startswith("关于"):
                # Text extraction (and some writers) space the cycle apart from its words.
                row = [re.sub(r"(\d{4}\D\d{4})", r" \1 ", row[0])]
            xs = _xs(table, 50, size) if kind == "table" else (50,)
            y = height - 60 - n * size * 2
            for x, cell in (_placed(row, table, 50, size, centred) if kind == "table"
                            else [(50, row[0])]):
                page.drawString(x, y, cell)
            if ruled and kind == "table":
                right = xs[-1] + (max(len(r[-1]) for r in table) + 2) * size
                edges = [x - size / 2 for x in xs] + [right]
                top, bottom = y + size * 1.4, y - size * 0.6
                page.line(edges[0], top, edges[-1], top)
                page.line(edges[0], bottom, edges[-1], bottom)
                for i, x in enumerate(edges):
                    if len(row) > 1 or i in (0, len(edges) - 1):
                        page.line(x, top, x, bottom)
    page.save()
    return buf.getvalue()
