"""Replacing a notice never loses data silently: versions kept, removals confirmed."""

import re

from archive.db import store
from archive.archive import Archive

from conftest import SEED
from conftest import csrf_token as _token
from conftest import upload

# The seed's identity (title, publisher, date) with one row: a "new version" of it.
ONE_ROW = ("# title: “全国用户满意电信服务明星”“全国用户满意电信服务明星班组”候选人名单公示\n"
           "# publisher: 北京市通信管理局\n# published: 2018-10-24\n# cycle: 2017-2018\n"
           "# stage: candidates\nkind,name,company\nindividual,李玉柱,中国联通北京分公司\n")


def _correct_one(archive, name="刘鑫鑫"):
    entry = archive.db.execute("select id from entries where name = ?", [name]).fetchone()[0]
    archive.corrections.correct(entry, {"education": "硕士研究生"}, "editor")
    return entry


def test_preview_lists_every_removal_and_needs_a_tick(logged_in, app):
    a = Archive(app.config["ARCHIVE_HOME"])
    corrected = _correct_one(a)
    before = store.content_digest(a.db)
    r = upload(logged_in, "one.csv", ONE_ROW.encode())
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "将删除的记录（4）" in body
    for name in ("刘鑫鑫", "张娜", "集中处理专席", "客户服务部投诉处理中心"):
        assert name in body.split("将删除的记录")[1]
    assert re.search(r"刘鑫鑫[^<]*</td><td>[^<]*</td><td><span class=\"tag\">已人工更正", body)
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert r.status_code == 400 and "请勾选" in r.get_data(as_text=True)
    assert store.content_digest(a.db) == before  # nothing happened without the tick
    r = logged_in.post(f"/admin/upload/{token}/confirm",
                       data={"csrf_token": _token(body), "confirm_removal": "y"})
    assert r.status_code == 302
    assert a.db["entries"].count == 1
    # The earlier text is kept, and the corrected entry's record still resolves.
    versions = list(a.db.query("select version, format, sha256 from notice_versions "
                               "order by version"))
    assert [(v["version"], v["format"]) for v in versions] == [(1, "txt"), (2, "csv")]
    assert a.db["notice_versions"].get((store.get_notice(a.db, a.db.execute(
        "select id from notices").fetchone()[0])["id"], 1))["text"] == SEED.read_text("utf-8")
    retired = a.db["retired_entries"].get(corrected)
    assert retired["name"] == "刘鑫鑫" and retired["notice_version"] == 1
    assert [c["entry_id"] for c in a.corrections.trail(corrected)] == [corrected]
    a.close()


def test_cli_refuses_a_replacement_that_removes_entries_without_the_flag(runner, home, tmp_path):
    runner("init")
    path = tmp_path / "one.csv"
    path.write_text(ONE_ROW, "utf-8")
    out = runner("import", path)
    assert out.exit_code == 1
    assert "这个新版本会删除 4 条记录" in out.output and "--remove-entries" in out.output
    assert "刘鑫鑫" in out.output
    out = runner("import", path, "--remove-entries")
    assert out.exit_code == 0 and "已导入新版本（旧版本已保留）（1 条）" in out.output


def test_init_never_reimports_a_bundled_notice_present_in_any_version(runner, home, tmp_path):
    runner("init")
    path = tmp_path / "one.csv"
    path.write_text(ONE_ROW, "utf-8")
    assert runner("import", path, "--remove-entries").exit_code == 0
    a = Archive(home)
    digest = store.content_digest(a.db)
    a.close()
    out = runner("init")
    assert out.exit_code == 0, out.output
    assert "新版本" not in out.output and "库中已有更新的版本，未做改动" in out.output
    a = Archive(home)
    assert store.content_digest(a.db) == digest and a.db["entries"].count == 1
    a.close()


def test_a_version_that_changes_only_metadata_says_what_it_changed(logged_in, app):
    """A new version whose only change is its 发布日期 and 文号 names them (field, old ->
    new) in the preview, the CLI's warnings and the notice's version list."""
    changed = SEED.read_text("utf-8").replace("日期:2018-10-24", "日期:2018-10-25")
    assert changed != SEED.read_text("utf-8")
    body = upload(logged_in, "seed.txt", changed.encode(), doc_number="京通信〔2018〕99号") \
        .get_data(as_text=True)
    assert "通知信息改动" in body
    assert "发布日期：2018-10-24 → 2018-10-25" in body and "文号：— → 京通信〔2018〕99号" in body
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    done = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert done.status_code == 302
    page = logged_in.get(done.headers["Location"]).get_data(as_text=True)
    history = page.split("历次版本")[1]
    assert "改动通知信息 2 项" in history and "发布日期：2018-10-24 → 2018-10-25" in history
