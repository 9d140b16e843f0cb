"""Scans and photos of a notice -> a Document, through OCR.

RapidOCR's ONNX build (rapidocr-onnxruntime) reads the text boxes: its wheel ships
the PP-OCRv4 Chinese detection and recognition models, so nothing is fetched at run
time. Each box keeps its confidence; the page's skew is measured from the boxes'
top edges and taken out of their positions, and the lines and lists are rebuilt by
`layout.py` as for any positioned text. Runs inside the parsing sandbox like every
reader (the engine is loaded there, once per sandbox process).
"""

import io

from .errors import ParseError
from .layout import Box, boxes_document, deskew, skew_angle

#: Images accepted as notices or attachments (by their bytes, whatever the ending).
IMAGE_FORMATS = ("jpg", "jpeg", "png", "tif", "tiff")
#: Pages of a scan read at most (a list runs over a few pages; each takes seconds).
MAX_PAGES = 20
#: The most pixels of one page fed to OCR: an A4 page at 200 dpi is about 3.7 million.
MAX_PIXELS = 12_000_000
_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"II*\x00": "tiff",
          b"MM\x00*": "tiff"}
_ENGINE = []


def image_kind(data):
    """jpeg | png | tiff for the bytes of an image this reader takes, else None."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def engine():
    """The OCR engine, loaded once per process from the models in its package."""
    if not _ENGINE:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # the wheel, or a system library it needs, is missing
            raise ParseError(f"文字识别（OCR）组件不可用（{exc}）；请安装 rapidocr-onnxruntime") \
                from exc
        _ENGINE.append(RapidOCR())
    return _ENGINE[0]


def read_boxes(image):
    """OCR one page (a PIL image): its text boxes, deskewed, with confidences."""
    import numpy

    rgb = numpy.asarray(image.convert("RGB"))[:, :, ::-1]  # OpenCV's BGR
    found, _ = engine()(rgb)
    if not found:
        return []
    quads = [quad for quad, _, _ in found]
    rects = deskew(quads, skew_angle(quads))
    return [Box(text, x0, top, x1, bottom, float(score))
            for (text, score), (x0, top, x1, bottom)
            in zip(((t, s) for _, t, s in found), rects) if text.strip()]


def _pages(data):
    """The pages of an image file, as PIL images (a TIFF may hold several)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS * 4  # refuse a decompression bomb outright
    try:
        image = Image.open(io.BytesIO(data))
        pages = []
        for index in range(min(getattr(image, "n_frames", 1), MAX_PAGES)):
            image.seek(index)
            page = ImageOps.exif_transpose(image)  # a phone's photo, turned upright
            pages.append(_bounded(page))
        return pages
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ParseError(f"无法读取图片：{exc}") from exc


def _bounded(page):
    """A page scaled down to MAX_PIXELS (a 600 dpi scan reads as well at 200)."""
    pixels = page.width * page.height
    if pixels > MAX_PIXELS:
        scale = (MAX_PIXELS / pixels) ** 0.5
        page = page.resize((max(1, int(page.width * scale)), max(1, int(page.height * scale))))
    return page.convert("RGB")


def image_document(data):
    """Read a scan or photo (JPEG, PNG, TIFF) through OCR."""
    if image_kind(data) is None:
        raise ParseError("这不是可识别的图片文件（支持 JPEG、PNG、TIFF）")
    return ocr_pages(_pages(data), "图片")


def ocr_pages(images, source):
    """OCR page images into one Document; refuses pages where nothing was read."""
    pages = [read_boxes(image) for image in images[:MAX_PAGES]]
    if not any(pages):
        raise ParseError("文字识别（OCR）没有在图片中读到文字；请换一张更清晰的扫描件")
    return boxes_document(pages, "ocr", source, ocr=True)


def pdf_page_images(data, pages=None, dpi=200):
    """An image-only PDF's pages rendered at dpi (pypdfium2, pdfplumber's renderer)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        count = min(len(pdf), MAX_PAGES)
        out = []
        for index in (pages if pages is not None else range(count)):
            page = pdf[index]
            width, height = page.get_size()
            scale = min(dpi / 72, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
            out.append(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
        return out
    finally:
        pdf.close()
