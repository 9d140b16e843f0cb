"""Malformed files of every format get a clear refusal, never a crash, a hang or a
traceback: mutated copies of the format fixtures through the parsing sandbox."""

import io
import random
import zipfile

import notice_files as nf
import pytest

from archive import sandbox
from archive.ingest import ParsedNotice, ParseError

META = {"title": nf.TITLE, "publisher": "工业和信息化部", "published": "2023-05-18"}
SAMPLES = {
    "html": nf.commendation_html, "docx": nf.docx_list, "xlsx": nf.xlsx_list,
    "xls": nf.xls_list, "pdf": nf.pdf_list,
    "csv": nf.excel_csv, "txt": nf.province_blocks_page,
}
MUTANTS = 80


def _flip(data, rng):
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _inside(data, rng):
    """An Office file with one of its XML parts mutated (the zip stays valid)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = [i for i in source.infolist() if i.filename.endswith(".xml")]
    target = rng.choice(parts).filename
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == target:
                body = rng.choice([_flip(body, rng), body[:rng.randrange(len(body))],
                                   body.replace(b'"', b"'", 3), body + body[:200]])
            z.writestr(item, body)
    return out.getvalue()


def _mutants(fmt, data, rng):
    out = []
    for i in range(MUTANTS):
        kind = i % 4
        if kind == 0:
            out.append(_flip(data, rng))
        elif kind == 1:
            out.append(data[:rng.randrange(1, len(data))])
        elif kind == 2 and fmt in ("docx", "xlsx"):
            out.append(_inside(data, rng))
        else:
            cut = rng.randrange(len(data))
            out.append(data[:cut] + data[cut:cut + rng.randrange(1, 400)] * 3 + data[cut:])
    return out


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_mutated_files_are_read_or_refused_clearly(fmt):
    rng = random.Random(f"fuzz-{fmt}")
    data = SAMPLES[fmt]()
    jobs = [((f"m{i}.{fmt}", blob), [], META) for i, blob in enumerate(_mutants(fmt, data, rng))]
    results = sandbox.parse_all(jobs, {"seconds": 20})
    for (main, _, _), result in zip(jobs, results):
        assert isinstance(result, (ParsedNotice, ParseError)), (main[0], result)
        # Every mutant was parsed to the end: none overran, none was skipped after one.
        assert not isinstance(result, sandbox.LimitExceeded), str(result)
        assert "前一个文件解析失败" not in str(result)
        if isinstance(result, ParseError):
            assert str(result).startswith(main[0] + "："), str(result)
            assert "Traceback" not in str(result)
