"""The notice as published (web/public.py notice pages, Archive.notice_record): its text as
read, never raw markup; the original files; every version with what it changed."""

import re

import notice_files as nf
import pytest


@pytest.fixture
def commendation(seeded_copy, tmp_path):
    """The seed archive plus the commendation page, imported, then corrected once."""
    first = tmp_path / "通报.html"
    first.write_bytes(nf.commendation_html(word_cells=False))
    seeded_copy.imports.import_paths([first])
    fixed = tmp_path / "通报（更正）.html"
    fixed.write_bytes(nf.commendation_html(word_cells=False).replace(
        "1990.11".encode(), "1990.12".encode()))
    seeded_copy.imports.import_paths([fixed])
    [notice] = [n for n in seeded_copy.db.query("select id from notices where doc_number = ?",
                                                ["工信行建〔2023〕1号"])]
    return notice["id"]


def _text(html):
    return re.sub(r"<[^>]+>", " ", html)


def test_an_html_notice_shows_its_text_and_tables_never_its_markup(client, commendation):
    body = client.get(f"/notices/{commendation}").get_data(as_text=True)
    reading = body[body.index('<div class="reading">'):]
    assert "DOCTYPE" not in reading and "&lt;" not in reading and "<script" not in reading
    assert "首页 &gt; 政务公开" in reading  # the page's own words, escaped
    assert "<h3>" + nf.TITLE + "</h3>" in reading.replace("\n", "")
    assert "<td>周建国</td>" in reading and "<td>中国联合网络通信有限公司北京市分公司</td>" in reading
    assert "决定授予陈志强、王海等6名个人" in _text(reading)


def test_entries_are_listed_in_the_notices_order(client, commendation):
    body = client.get(f"/notices/{commendation}").get_data(as_text=True)
    names = re.findall(r'<a href="/honorees/\w+">([^<]+)</a>', body)
    assert names == ["陈志强", "王海", "阿依古丽·吐尔逊", "林晓雯", "周建国", "马晓丽"] + nf.TEAMS


def test_the_original_file_is_a_download_beside_the_text(client, commendation):
    body = client.get(f"/notices/{commendation}").get_data(as_text=True)
    link = re.search(rf'href="(/notices/{commendation}/files/2/1)"[^>]*>通报（更正）.html', body)
    assert link, body
    r = client.get(link.group(1))
    assert r.status_code == 200
    assert r.data == nf.commendation_html(word_cells=False).replace("1990.11".encode(),
                                                                    "1990.12".encode())
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["Content-Security-Policy"] == "sandbox"
    assert client.get(f"/notices/{commendation}/files/2/9").status_code == 404


def test_every_earlier_version_can_be_opened_with_what_changed(client, commendation):
    body = client.get(f"/notices/{commendation}").get_data(as_text=True)
    assert "历次版本" in body and "修改：王海（出生年月）" in body
    assert "首次导入，9 条记录" in body
    old = client.get(f"/notices/{commendation}/versions/1")
    old_body = old.get_data(as_text=True)
    assert old.status_code == 200 and "这是本通知的第 1 版" in old_body
    assert "<td>1990.11</td>" in old_body and "<td>1990.12</td>" not in old_body
    assert re.search(rf"/notices/{commendation}/files/1/1", old_body)
    current = client.get(f"/notices/{commendation}/versions/2")
    assert current.status_code == 301 and current.headers["Location"].endswith(commendation)
    assert client.get(f"/notices/{commendation}/versions/3").status_code == 404


def test_a_version_from_before_files_were_kept_offers_its_stored_text(client, seeded_copy):
    notice = next(seeded_copy.db.query("select id, text from notices"))
    seeded_copy.db.execute("delete from notice_files")
    seeded_copy.db.execute("update notice_versions set reading = null")
    body = client.get(f"/notices/{notice['id']}").get_data(as_text=True)
    assert "李玉柱" in body and "存档的原文文本" in body
    r = client.get(f"/notices/{notice['id']}/files/1/0")
    assert r.status_code == 200 and r.data.decode() == notice["text"]
