"""Property tests over generated layouts (tests/layouts.py): the same kind of fictional
list rendered through every layout family and format, with random choices; what was
rendered is what is read, and no correct rendering is refused by a stated count."""

import random

import pytest

import layouts
from archive.ingest import parse_bytes

META = {"published": "2022-03-02", "publisher": layouts.PUBLISHER, "title": layouts.TITLE}
CASES = [(family, fmt) for family in layouts.FAMILIES for fmt in layouts.FORMATS[family]]


def _read(family, fmt, seed):
    rng = random.Random(f"{family}-{fmt}-{seed}")
    listed = layouts.people(rng, rng.randint(3, 9))
    team_list = layouts.teams(rng, rng.randint(2, 4)) \
        if family in ("table", "headed") and fmt != "csv" and rng.random() < 0.5 else []
    # A CSV is a table with its header: without one it is the admin's to map.
    items = layouts.paragraphs(rng, family, listed, team_list=team_list,
                               headerless=fmt != "csv")
    filename, data = layouts.render(items, fmt, rng)
    return listed, team_list, parse_bytes(data, filename, META)


@pytest.mark.parametrize("family,fmt", CASES)
@pytest.mark.parametrize("seed", range(20))
def test_what_is_rendered_is_what_is_read(family, fmt, seed):
    listed, team_list, parsed = _read(family, fmt, seed)
    read = [(e["kind"], e["name"], e["unit"], e["position"]) for e in parsed.entries]
    assert read == [("individual", *person) for person in layouts.expected(listed)] \
        + [("team", name, unit, None) for name, unit in team_list]
    assert parsed.mismatches == []
    if family == "blocks":  # the citation, and nothing of the closing lines after it
        assert [e["citation"] for e in parsed.entries] == [
            f"{name}同志扎根一线，服务用户热情周到，客户满意度连续三年名列前茅。"
            for name, *_ in listed]


@pytest.mark.parametrize("family,fmt", [(f, fmt) for f, fmt in CASES if fmt not in ("xlsx", "csv")])
@pytest.mark.parametrize("seed", range(4))
def test_the_notices_metadata_is_read_from_every_rendering(family, fmt, seed):
    """The title whole (its cycle written 2021—2022, 2021～2022, 2021至2022, a PDF's
    spaced apart), the issuing body whole from the signature, the signing date (in
    Chinese numerals too); a page's disclosure block read as metadata, never a list;
    a public-account page's publish time from its script."""
    rng = random.Random(f"meta-{family}-{fmt}-{seed}")
    listed = layouts.people(rng, 4)
    publisher = layouts.PUBLISHERS[seed % len(layouts.PUBLISHERS)]
    disclosure = fmt in ("txt", "html", "docx") and seed % 2 == 1
    items = layouts.paragraphs(rng, family, listed, publisher, disclosure)
    filename, data = layouts.render(items, fmt, rng)
    parsed = parse_bytes(data, filename, {} if disclosure or fmt == "wechat"
                         else {"published": "2022-03-02"})
    notice = parsed.notice
    title = next(value for kind, value in items if kind == "p")
    assert (notice["title"], notice["cycle"], notice["stage"], notice["publisher"],
            notice["signed"], notice["published"]) == \
        (title, "2021-2022", "candidates", publisher, "2022-03-01", "2022-03-02")
    if disclosure:
        assert notice["doc_number"] == "赣通管〔2022〕8号"
    assert [(e["name"], e["unit"], e["position"]) for e in parsed.entries] == \
        layouts.expected(listed)


@pytest.mark.parametrize("seed", range(3))
def test_a_photographed_table_reads_through_ocr_like_the_typed_one(seed):
    """The table family as a picture: the same list, read through OCR."""
    import rendered
    rng = random.Random(f"ocr-{seed}")
    listed = layouts.people(rng, 5)
    rows = [item for kind, value in layouts.paragraphs(rng, "table", listed)
            if kind == "table" for item in value]
    flat = [row[:1] + [""] * (len(row) - 1) if len(set(row)) == 1 else row for row in rows]
    image = rendered.page_image(flat, title=layouts.TITLE, angle=rng.uniform(-1.5, 1.5),
                                centred=seed % 2 == 1, ruled=seed >= 1)
    parsed = parse_bytes(rendered.image_bytes(image, "JPEG"), "名单.jpg", META)
    assert [(e["name"], e["unit"], e["position"]) for e in parsed.entries] == \
        layouts.expected(listed)


@pytest.mark.parametrize("fmt", ["txt", "html", "wechat", "docx", "pdf", "ofd"])
@pytest.mark.parametrize("seed", range(3))
def test_a_notice_without_its_list_gives_no_entries(fmt, seed):
    """The same notices with their lists left out (a page whose list is elsewhere): the
    reader says so, and never makes entries of the preamble, signature or footer."""
    from archive.ingest import ParseError
    rng = random.Random(f"nolist-{fmt}-{seed}")
    items = layouts.paragraphs(rng, "table", layouts.people(rng, 3),
                               disclosure=fmt in ("txt", "html", "docx"))
    items = [(kind, value) for kind, value in items if kind == "p" or value[0][0] == "索引号"]
    items.insert(2, ("p", "各省、自治区、直辖市通信管理局，各有关单位："))
    filename, data = layouts.render(items, fmt, rng)
    with pytest.raises(ParseError) as info:
        parse_bytes(data, filename, META)
    assert info.value.layout is not None  # the admin can still point at the list
