"""Scans and photos read through OCR (ingest/ocr.py, ingest/layout.py): pages rendered
here, read by RapidOCR's packaged models, every cell with its confidence; an OCR'd list
is imported only after the admin's review (--accept-ocr, the preview's tick)."""

import io
import re

import pytest

import rendered as r
from archive.ingest import ParseError, parse_bytes
from archive.ingest.layout import Box, deskew, skew_angle, text_lines
from conftest import csrf

ROWS = [r.HEADER] + r.PEOPLE


def _names(parsed):
    return [(e["name"], e["unit"], e["position"]) for e in parsed.entries]


EXPECTED = [(name, unit, position) for _, name, unit, position in r.PEOPLE]


@pytest.mark.parametrize("fmt,angle", [("PNG", 0), ("JPEG", 1.5), ("TIFF", -2.0)])
def test_a_scanned_list_reads_right_in_every_image_format(fmt, angle):
    data = r.image_bytes(r.page_image(ROWS, angle=angle, noise=300), fmt)
    parsed = parse_bytes(data, f"名单.{fmt.lower()}")
    assert _names(parsed) == EXPECTED
    assert parsed.ocr and parsed.notice["publisher"] == "北京市通信管理局"
    assert parsed.notice["cycle"] == "2021-2022" and parsed.notice["stage"] == "candidates"
    assert parsed.notice["signed"] == "2022-03-01"


def test_an_image_only_pdf_is_read_through_ocr_over_its_pages():
    first = r.page_image(ROWS[:3])
    second = r.page_image([r.HEADER] + r.PEOPLE[2:], title=None)
    parsed = parse_bytes(r.scanned_pdf([first, second]), "扫描件.pdf")
    assert _names(parsed) == EXPECTED
    assert parsed.ocr and parsed.format == "pdf"


def test_names_with_rare_characters_are_marked_for_the_admin():
    people = [("1", "王喆", "中国电信股份有限公司江西分公司", "班长")] + r.PEOPLE[1:2]
    parsed = parse_bytes(r.image_bytes(r.page_image([r.HEADER] + people)), "名单.png")
    marked = [d for d in parsed.doubts if d["field"] == "name"]
    assert [d["entry"] for d in marked] == [0] and "喆" in marked[0]["reason"]
    assert all(0 < d["confidence"] <= 1 for d in parsed.doubts)


def test_the_page_skew_is_measured_from_the_boxes_and_taken_out():
    import math
    angle = math.radians(2)
    quads = [[(x, 100 + i * 50 + x * math.tan(angle)) for x in (0, 400)] for i in range(5)]
    quads = [[q[0], q[1], (q[1][0], q[1][1] + 30), (q[0][0], q[0][1] + 30)] for q in quads]
    assert abs(skew_angle(quads) - angle) < 1e-6
    rects = deskew(quads, skew_angle(quads))
    boxes = [Box(str(i), *rect) for i, rect in enumerate(rects)]
    assert [len(line) for line in text_lines(boxes)] == [1] * 5
    assert all(abs((b.bottom - b.top) - rects[0][3] + rects[0][1]) < 1 for b in boxes)


def test_a_picture_with_no_text_is_refused_clearly():
    from PIL import Image
    blank = r.image_bytes(Image.new("RGB", (800, 600), "white"))
    with pytest.raises(ParseError, match="没有在图片中读到文字"):
        parse_bytes(blank, "空白.png")
    with pytest.raises(ParseError, match="无法读取图片"):
        parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "坏.png")


def test_the_engine_missing_is_a_clear_refusal(monkeypatch):
    import builtins

    from archive.ingest import ocr
    real = builtins.__import__

    def no_ocr(name, *args, **kwargs):
        if name.startswith("rapidocr_onnxruntime"):
            raise ImportError("libGL.so.1: cannot open shared object file")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(ocr, "_ENGINE", [])
    monkeypatch.setattr(builtins, "__import__", no_ocr)
    with pytest.raises(ParseError, match="OCR）组件不可用"):
        ocr.engine()


def test_the_cli_imports_an_ocr_list_only_with_accept_ocr(runner, home, tmp_path):
    path = tmp_path / "名单.png"
    people = [("1", "王喆", "中国电信股份有限公司江西分公司", "班长")] + r.PEOPLE[1:3]
    path.write_bytes(r.image_bytes(r.page_image([r.HEADER] + people)))
    refused = runner("import", path, "--published", "2022-03-02")
    assert refused.exit_code == 1
    assert "名单由文字识别（OCR）读出，1 处需要核对" in refused.output
    assert "图片 第 1 页第 3 行 王喆：姓名/班组名称“王喆”（含生僻字 喆）" in refused.output and "--accept-ocr" in refused.output
    done = runner("import", path, "--published", "2022-03-02", "--accept-ocr")
    assert done.exit_code == 0, done.output
    assert "已导入（3 条）" in done.output


def test_the_preview_marks_the_cells_and_confirm_needs_the_tick(logged_in):
    people = [("1", "王喆", "中国电信股份有限公司江西分公司", "班长")] + r.PEOPLE[1:3]
    data = r.image_bytes(r.page_image([r.HEADER] + people))
    body = logged_in.post("/admin/upload", data={
        "csrf_token": csrf(logged_in), "notice": (io.BytesIO(data), "名单.png"),
        "published": "2022-03-02"}, content_type="multipart/form-data",
        follow_redirects=True).get_data(as_text=True)
    assert "文字识别（OCR）核对" in body and "<mark>王喆</mark>" in body
    assert 'name="accept_ocr" value="y" required' in body
    token = re.search(r"/admin/upload/(\w+)/confirm", body).group(1)
    refused = logged_in.post(f"/admin/upload/{token}/confirm",
                             data={"csrf_token": csrf(logged_in)})
    assert refused.status_code == 400 and "已核对识别结果" in refused.get_data(as_text=True)
    done = logged_in.post(f"/admin/upload/{token}/confirm", data={
        "csrf_token": csrf(logged_in), "accept_ocr": "y", "ocr:0": "王哲"})
    assert done.status_code == 302
    names = {e["name"] for e in logged_in.get("/api/search?q=王哲").get_json()["results"]}
    assert "王哲" in names


def test_a_page_whose_list_is_a_picture_names_it_and_reads_it_attached():
    page = ("<html><head><meta charset='utf-8'></head><body>"
            f"<h1>{r.TITLE}</h1><p>现将候选人名单公示如下：</p>"
            "<p><img src='/upload/2022/03/mingdan.png' alt='候选人名单'></p>"
            "<p><img src='/icons/print.gif' width='16' height='16'></p>"
            "<p>北京市通信管理局</p><p>2022年3月1日</p></body></html>").encode()
    with pytest.raises(ParseError, match="名单可能是图片（候选人名单）：请把图片作为附件一并上传"):
        parse_bytes(page, "公示.html", {"published": "2022-03-02"})
    scan = r.image_bytes(r.page_image(ROWS, title=None, signature=None))
    from archive.ingest import parse_files
    parsed = parse_files(("公示.html", page), [("mingdan.png", scan)], {"published": "2022-03-02"})
    assert _names(parsed) == EXPECTED and parsed.ocr
    assert parsed.notice["publisher"] == "北京市通信管理局" and parsed.notice["title"] == r.TITLE
