"""OFD (GB/T 33190) notices: packages written here, text objects placed by position,
read into lines and a list like a text PDF; scanned pages through OCR; hostile
packages refused within the sandbox's limits (ingest/ofd.py)."""

import io
import zipfile

import pytest

import rendered as r
from archive.ingest import ParseError, parse_bytes

EXPECTED = [(name, unit, position) for _, name, unit, position in r.PEOPLE]


def _names(parsed):
    return [(e["name"], e["unit"], e["position"]) for e in parsed.entries]


def test_an_ofd_notice_is_read_from_the_positions_of_its_text():
    data = r.ofd([r.ofd_page([r.HEADER] + r.PEOPLE)])
    parsed = parse_bytes(data, "公示.ofd")
    assert _names(parsed) == EXPECTED
    assert not parsed.ocr and parsed.format == "ofd"
    assert parsed.notice["title"] == r.TITLE and parsed.notice["publisher"] == "北京市通信管理局"


def test_a_list_over_two_ofd_pages_with_its_header_repeated_is_one_list():
    first = r.ofd_page([r.HEADER] + r.PEOPLE[:2], signature=None)
    second = r.ofd_page([r.HEADER] + r.PEOPLE[2:], title=None)
    assert _names(parse_bytes(r.ofd([first, second]), "公示.ofd")) == EXPECTED


def test_a_wrapped_unit_in_an_ofd_row_joins_its_row():
    rows = [r.HEADER, ("1", "张玉柱", "中国联合网络通信有限公司", "客户经理"),
            ("", "", "北京市分公司", ""), ("2", "欧阳娜", "中国移动通信集团广东有限公司深圳分公司", "班长")]
    page = r.ofd_page(rows)
    # The wrapped line sits closer under its row than rows sit under each other.
    page = [(x, y - 3 if text == "北京市分公司" else y, text) for x, y, text in page]
    parsed = parse_bytes(r.ofd([page]), "公示.ofd")
    assert _names(parsed)[:2] == [EXPECTED[0], EXPECTED[1]]


def test_a_scanned_ofd_page_is_read_through_ocr():
    scan = r.image_bytes(r.page_image([r.HEADER] + r.PEOPLE))
    parsed = parse_bytes(r.ofd([[]], images={0: scan}), "扫描.ofd")
    assert _names(parsed) == EXPECTED and parsed.ocr


def test_hostile_ofd_packages_are_refused_clearly():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<OFD/>")
        for i in range(2001):
            z.writestr(f"p{i}.xml", "")
    with pytest.raises(ParseError, match="部件"):
        parse_bytes(buf.getvalue(), "多.ofd")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", "<OFD/>")
        z.writestr("bomb.xml", "\0" * (101 * 1024 * 1024))
    with pytest.raises(ParseError, match="解压后超过|压缩比"):
        parse_bytes(buf.getvalue(), "炸弹.ofd")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'><ofd:DocBody/>"
                   "</ofd:OFD>")
    with pytest.raises(ParseError, match="DocRoot"):
        parse_bytes(buf.getvalue(), "坏.ofd")


def test_an_ofd_entity_is_never_expanded_nor_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("张秘密")
    data = r.ofd([r.ofd_page([r.HEADER] + r.PEOPLE)])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name.endswith("Page_0/Content.xml"):
                content = content.replace(
                    b"<ofd:Page ", f'<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
                    '<ofd:Page '.encode(), 1).replace("欧阳娜".encode(), b"&x;")
            dst.writestr(name, content)
    try:
        parsed = parse_bytes(buf.getvalue(), "实体.ofd")
    except ParseError:
        return  # refused: nothing read, nothing leaked
    assert "张秘密" not in parsed.text and all("张秘密" != e["name"] for e in parsed.entries)
