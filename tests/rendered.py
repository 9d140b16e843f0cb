"""Notices rendered as pictures and placed text, for the readers that get no structure:
scans and photos (OCR) and OFD. Fictional names; the font is Debian's WenQuanYi Micro
Hei, which the test command installs (fonts-wqy-microhei)."""

import io
import zipfile

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TITLE = "关于2021-2022年度全国用户满意电信服务明星候选人的公示"
HEADER = ("序号", "姓名", "工作单位", "职务")
PEOPLE = [("1", "张玉柱", "中国联合网络通信有限公司北京市分公司", "客户经理"),
          ("2", "欧阳娜", "中国移动通信集团广东有限公司深圳分公司", "班长"),
          ("3", "买买提·吐尔逊", "中国电信股份有限公司新疆分公司", "装维工程师"),
          ("4", "李晓雯", "中国铁塔股份有限公司浙江省分公司", "代维主管")]
SIGNATURE = ("北京市通信管理局", "2022年3月1日")


def page_image(rows, title=TITLE, signature=SIGNATURE, angle=0.0, size=34, noise=0,
               centred=False, ruled=False):
    """An A4 page at 200 dpi: a title, a list (header and rows; its cells left-aligned
    or centred in their columns), a signature; turned by angle degrees as a scanner
    feeds it, with noise specks when asked; ruled: the list's grid drawn."""
    import random

    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.truetype(FONT, size)
    image = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((150, 150), title, font=font, fill="black")
    y = 300
    widths = [max((len(r[c]) for r in rows if c < len(r) and any(r[1:])), default=0)
              for c in range(max(len(r) for r in rows))]
    columns = [110]
    for width in widths[:-1]:
        columns.append(columns[-1] + int((width + 2.5) * size))
    pitch = int(size * 2.3)
    if ruled and rows:
        right = columns[-1] + int((widths[-1] + 1.2) * size)
        for i in range(len(rows) + 1):
            line_y = y - size // 2 + i * pitch
            draw.line((columns[0] - size // 2, line_y, right, line_y), fill="black", width=2)
        for x in [c - size // 2 for c in columns] + [right]:
            draw.line((x, y - size // 2, x, y - size // 2 + len(rows) * pitch), fill="black",
                      width=2)
    for row in rows:
        for x, width, cell in zip(columns, widths, row):
            if centred and any(row[1:]):
                x += int((width - len(cell)) * size / 2)
            draw.text((x, y), cell, font=font, fill="black")
        y += pitch
    if signature:
        draw.text((1100, y + 120), signature[0], font=font, fill="black")
        draw.text((1100, y + 175), signature[1], font=font, fill="black")
    rng = random.Random(7)
    for _ in range(noise):
        x, y0 = rng.randrange(image.width), rng.randrange(image.height)
        draw.point((x, y0), fill="black")
    if angle:
        image = image.rotate(angle, expand=True, fillcolor="white")
    return image


def image_bytes(image, fmt="PNG", **options):
    """An image saved in a format (PNG, JPEG, TIFF …)."""
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def scanned_pdf(images):
    """An image-only PDF: each page a picture, no text layer (as a scanner makes)."""
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return buf.getvalue()


def _text_object(id_, x, y, text, size=4.2, ctm=False):
    """A TextObject at (x, y) mm; ctm: written in points inside it, scaled to millimetres
    by its CTM, as some OFD writers do."""
    unit = 72 / 25.4 if ctm else 1
    width = size * len(text) + 2
    deltas = " ".join([f"{size * unit:.3f}"] * (len(text) - 1))
    transform = f' CTM="{1 / unit:.6f} 0 0 {1 / unit:.6f} 0 0"' if ctm else ""
    return (f'<ofd:TextObject ID="{id_}" Boundary="{x} {y} {width} {size * 1.4}" Font="1" '
            f'Size="{size * unit:.3f}"{transform}><ofd:TextCode X="0" Y="{size * unit:.3f}" '
            f'DeltaX="{deltas}">{text}</ofd:TextCode></ofd:TextObject>')


def ofd(pages, images=None, ctm=False):
    """An OFD package (GB/T 33190): pages of (x, y, text) in millimetres, each a
    TextObject (ctm: in points, scaled by its CTM); images: {page index: PNG bytes}
    for pages that are scans."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    files = {"OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0">'
             '<ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID></ofd:DocInfo>'
             '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'}
    refs = "".join(f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
                   for i in range(len(pages)))
    res = '<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>' if images else ""
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
        '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
        f'{res}</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>')
    media = ""
    for i, (index, png) in enumerate(sorted((images or {}).items())):
        files[f"Doc_0/Res/image_{i}.png"] = png
        media += (f'<ofd:MultiMedia ID="{100 + i}" Type="Image"><ofd:MediaFile>image_{i}.png'
                  '</ofd:MediaFile></ofd:MultiMedia>')
    if images:
        files["Doc_0/DocumentRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?>'
                                          f'<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias>{media}'
                                          '</ofd:MultiMedias></ofd:Res>')
    image_ids = {index: 100 + i for i, index in enumerate(sorted(images or {}))}
    for i, texts in enumerate(pages):
        objects = "".join(_text_object(1000 + n, x, y, t, ctm=ctm)
                          for n, (x, y, t) in enumerate(texts))
        if i in image_ids:
            objects += (f'<ofd:ImageObject ID="{2000 + i}" ResourceID="{image_ids[i]}" '
                        'Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>')
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="1">'
            f'{objects}</ofd:Layer></ofd:Content></ofd:Page>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


def ofd_page(rows, title=TITLE, signature=SIGNATURE, columns=(20, 38, 75, 170)):
    """One OFD page's text objects: the title, the list, the signature."""
    texts = [(20, 20, title)] if title else []
    y = 40
    for row in rows:
        texts += [(x, y, cell) for x, cell in zip(columns, row) if cell]
        y += 8
    if signature:
        texts += [(140, y + 20, signature[0]), (140, y + 28, signature[1])]
    return texts
