"""OFD files (GB/T 33190, China's format for official electronic documents) -> a
Document.

An OFD is a zip of XML parts: OFD.xml names the document (DocBody/DocRoot), its
Document.xml lists the pages (Pages/Page BaseLoc), and each page's Content.xml
holds positioned text objects (TextObject Boundary="x y w h" with TextCode X/Y and
DeltaX). The text objects become boxes, and the lines and lists are rebuilt from
their positions by `layout.py`, as for an OCR'd scan. A page whose content is only
images (a scanned OFD) is read through OCR. The package is checked like an Office
file (unpacked size, part count, compression ratio) and parsed without entities or
network access.
"""

import io
import posixpath
import re
import zipfile

from .errors import ParseError
from .layout import Box, boxes_document

#: Limits of an OFD package (a notice is a few pages of XML and perhaps a seal image).
MAX_UNPACKED = 100 * 1024 * 1024
MAX_PARTS = 2000
MAX_RATIO = 100
MAX_PAGES = 200
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def is_ofd(data):
    """Whether the bytes are an OFD package (a zip with OFD.xml at its root)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(n.lower() == "ofd.xml" for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def _check(z):
    members = z.infolist()
    if len(members) > MAX_PARTS:
        raise ParseError(f"OFD 文件有 {len(members)} 个部件，超过 {MAX_PARTS} 个，拒绝导入")
    if sum(i.file_size for i in members) > MAX_UNPACKED:
        raise ParseError(f"OFD 文件解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，拒绝导入")
    for i in members:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ParseError(f"OFD 文件中的 {i.filename} 压缩比异常，拒绝导入")


def _xml(z, name):
    """A part parsed safely: no entities resolved, no DTD or network fetched."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(z.read(_member(z, name)), parser)
    except KeyError:
        raise ParseError(f"OFD 文件缺少部件 {name}") from None
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"OFD 文件的 {name} 不是有效的 XML：{exc}") from exc


def _member(z, name):
    """The zip member for a path as OFD writes it (leading '/', any letter case)."""
    name = name.lstrip("/")
    names = {n.lower(): n for n in z.namelist()}
    return names.get(name.lower(), name)


def _local(element):
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _children(element, name):
    return [c for c in element if _local(c) == name]


def _find(element, name):
    return next((c for c in element.iter() if _local(c) == name), None)


def _numbers(text):
    return [float(n) for n in _NUMBER.findall(text or "")]


def _deltas(text):
    """DeltaX as OFD writes it: numbers, with "g N d" meaning N times d."""
    out, tokens, i = [], (text or "").split(), 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                out += [float(tokens[i + 2])] * min(int(tokens[i + 1]), 10_000)
            except ValueError:
                pass
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    return out


def _page_boxes(root):
    """A page's text objects as boxes, in page coordinates (millimetres)."""
    boxes = []
    for obj in root.iter():
        if _local(obj) != "TextObject":
            continue
        x, y, w, h = (_numbers(obj.get("Boundary")) + [0, 0, 0, 0])[:4]
        # The object's own space -> its Boundary's: CTM a b c d e f (x' = a x + c y + e).
        a, b, c, d, e, f = (_numbers(obj.get("CTM")) + [1, 0, 0, 1, 0, 0][len(
            _numbers(obj.get("CTM"))):])[:6] if obj.get("CTM") else (1, 0, 0, 1, 0, 0)
        size = float((_numbers(obj.get("Size")) or [h or 3.5])[0])
        for code in _children(obj, "TextCode"):
            text = "".join(code.itertext())
            if not text.strip():
                continue
            tx = float((_numbers(code.get("X")) or [0])[0])
            ty = float((_numbers(code.get("Y")) or [size])[0])
            deltas = _deltas(code.get("DeltaX"))
            width = sum(deltas[:len(text) - 1]) + size if deltas else size * len(text)
            cx, cy = x + a * tx + c * ty + e, y + b * tx + d * ty + f
            scale_x, scale_y = abs(a) or 1, abs(d) or 1
            boxes.append(Box(text, cx, cy - size * scale_y, cx + width * scale_x, cy))
    return boxes


def _page_images(z, root, resources):
    """The images a page shows (a scanned OFD), as PIL images."""
    from PIL import Image

    out = []
    for obj in root.iter():
        if _local(obj) != "ImageObject":
            continue
        path = resources.get(obj.get("ResourceID"))
        if path:
            try:
                out.append(Image.open(io.BytesIO(z.read(_member(z, path)))).convert("RGB"))
            except (KeyError, OSError):
                continue
    return out


def _resources(z, doc_root, base):
    """{resource id: part path} of the document's multimedia (images)."""
    out = {}
    for tag in ("PublicRes", "DocumentRes"):
        for node in [n for n in doc_root.iter() if _local(n) == tag]:
            path = posixpath.join(base, (node.text or "").strip())
            try:
                res = _xml(z, path)
            except ParseError:
                continue
            res_base = posixpath.join(posixpath.dirname(path), res.get("BaseLoc") or "")
            for media in res.iter():
                if _local(media) == "MultiMedia":
                    loc = _find(media, "MediaFile")
                    if loc is not None and loc.text:
                        out[media.get("ID")] = posixpath.join(res_base, loc.text.strip())
    return out


def ofd_document(data):
    """Read an OFD file's text (and, for image-only pages, its scans through OCR)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ParseError("这不是 OFD 文件（已损坏，或是其他格式改了扩展名）") from exc
    with z:
        _check(z)
        root = _xml(z, "OFD.xml")
        doc_root = _find(root, "DocRoot")
        if doc_root is None or not (doc_root.text or "").strip():
            raise ParseError("OFD 文件中没有文档（OFD.xml 缺少 DocRoot）")
        doc_path = doc_root.text.strip().lstrip("/")
        base = posixpath.dirname(doc_path)
        document = _xml(z, doc_path)
        pages = [p for p in document.iter() if _local(p) == "Page"][:MAX_PAGES + 1]
        if len(pages) > MAX_PAGES:
            raise ParseError(f"OFD 文件超过 {MAX_PAGES} 页，拒绝导入")
        resources = None
        page_boxes, scans = [], []
        for page in pages:
            content = _xml(z, posixpath.join(base, page.get("BaseLoc") or ""))
            boxes = _page_boxes(content)
            if not boxes:
                if resources is None:
                    resources = _resources(z, document, base)
                scans.extend(_page_images(z, content, resources))
            page_boxes.append(boxes)
    if any(page_boxes):
        return boxes_document([b for b in page_boxes if b], "ofd", "OFD")
    if scans:
        from .ocr import ocr_pages
        return ocr_pages(scans, "OFD 扫描页")
    raise ParseError("OFD 文件中没有文字")
