"""archive init / import / list / show: all or nothing, stable ids, person links."""

import json
import sqlite3

from archive.db import store
from archive.archive import Archive

from conftest import DATA, SEED

EXPORT_KEYS = ["id", "notice_id", "kind", "name", "gender", "ethnicity", "birth", "education",
               "position",
               "unit", "company", "operator", "region", "team_category", "team_size", "cycle",
               "stage", "citation"]


def _state(home):
    a = Archive(home)
    try:
        return a.db["notices"].count, a.db["entries"].count, store.content_digest(a.db)
    finally:
        a.close()


def test_init_imports_bundled_notice_and_is_idempotent(runner, home):
    result = runner("init")
    assert result.exit_code == 0, result.output
    assert "已导入（5 条）" in result.output
    before = _state(home)
    assert before[:2] == (1, 5)
    again = runner("init")
    assert again.exit_code == 0 and "内容未变，未做改动（5 条）" in again.output
    assert _state(home) == before
    assert (home / "archive.db").exists() and (home / "index" / "LIVE").exists()


def test_list_and_show_json(runner):
    runner("init")
    out = runner("list", "--json")
    rows = json.loads(out.output)
    assert len(rows) == 5 and all(list(r) == EXPORT_KEYS for r in rows)
    li = next(r for r in rows if r["name"] == "李玉柱")
    assert li["birth"] == "1989-11-08" and li["team_size"] is None and li["stage"] == "candidates"
    shown = json.loads(runner("show", li["id"], "--json").output)
    assert shown == li
    assert json.loads(runner("list", "--cycle", "2019-2020", "--json").output) == []
    missing = runner("show", "nope")
    assert missing.exit_code == 1 and "no entry" in missing.output
    text = runner("show", li["id"]).output
    assert "北京市通信管理局 2018-10-24" in text and "为打造匠心网络贡献着他的力量。" in text


def test_import_reports_and_ids_are_stable(runner, home, tmp_path):
    runner("init")
    ids = {r["name"]: r["id"] for r in json.loads(runner("list", "--json").output)}
    out = runner("import", DATA / "guangdong-2019-2020-candidates.html",
                 DATA / "hubei-2019-2020-honorees.json")
    assert out.exit_code == 0, out.output
    assert "guangdong-2019-2020-candidates.html：已导入（3 条）" in out.output
    assert "hubei-2019-2020-honorees.json：已导入（2 条）" in out.output
    same = runner("import", SEED)
    assert "内容未变，未做改动（5 条）" in same.output
    # A corrected version: same publisher, title and date, different text.
    corrected = tmp_path / "seed-corrected.txt"
    corrected.write_text(SEED.read_text("utf-8").replace("职务:值班经理", "职务:厅经理")
                         .replace("姓名:张娜\n\n性别:女\n\n出生年月:1981.10.11\n\n学历:大专\n\n"
                                  "职务:北京电信大兴区分公司投诉首岗\n\n", "姓名:张娜\n\n性别:女\n\n"
                                  "出生年月:1981.10.11\n\n学历:大专\n\n职务:投诉首岗\n\n"),
                         "utf-8")
    out = runner("import", corrected)
    assert "已导入新版本（旧版本已保留）（5 条）" in out.output
    after = {r["name"]: r for r in json.loads(runner("list", "--json").output)}
    assert len(after) == 10
    for name, entry_id in ids.items():
        assert after[name]["id"] == entry_id
    assert after["刘鑫鑫"]["position"] == "厅经理" and after["张娜"]["position"] == "投诉首岗"


def test_replaced_notice_drops_removed_entries(runner, tmp_path):
    runner("init")
    text = SEED.read_text("utf-8")
    start = text.index("全国用户满意电信服务明星中国移动北京公司")
    end = text.index("主办单位")
    shorter = tmp_path / "seed.txt"
    shorter.write_text(text[:start] + text[end:], "utf-8")
    out = runner("import", shorter)
    assert out.exit_code == 1 and "这个新版本会删除 1 条记录：刘鑫鑫" in out.output
    out = runner("import", shorter, "--remove-entries")
    assert "已导入新版本（旧版本已保留）（4 条）" in out.output and "已删除：" in out.output
    names = [r["name"] for r in json.loads(runner("list", "--json").output)]
    assert sorted(names) == sorted(["李玉柱", "集中处理专席", "张娜", "客户服务部投诉处理中心"])


def test_dry_run_writes_nothing(runner, home):
    runner("init")
    before = _state(home)
    out = runner("import", "--dry-run", DATA / "sichuan-2019-2020-candidates.txt")
    assert out.exit_code == 0
    assert "将导入（3 条）" in out.output and "赵一鸣" in out.output
    assert _state(home) == before


def test_bad_files_change_nothing(runner, home, tmp_path):
    runner("init")
    before = _state(home)
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "page.html": "<html><body><h1>新闻</h1><p>无关内容</p></body></html>".encode(),
        "noname.txt": SEED.read_text("utf-8").replace("姓名:刘鑫鑫\n", "").encode(),
        "missing.csv": "# title: 表彰全国用户满意电信服务明星\n# publisher: 工业和信息化部\n"
                       "# published: 2019-01-15\n# cycle: 2017-2018\nkind,company\nteam,甲\n".encode(),
        "notes.pdf": b"%PDF-1.4",
    }
    for name, data in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        # The bad file comes last: a good file before it must not be imported either.
        out = runner("import", DATA / "sichuan-2019-2020-candidates.txt", path)
        assert out.exit_code == 1, name
        assert "未导入任何内容" in out.output and name in out.output, out.output
        assert _state(home) == before, name


def test_candidate_and_honoree_entries_share_a_person_key(runner, home):
    runner("init")
    runner("import", DATA / "beijing-2017-2018-honorees.csv")
    a = Archive(home)
    rows = list(a.db.query("select name, stage, person_key from entries where name = '李玉柱'"))
    a.close()
    assert {r["stage"] for r in rows} == {"candidates", "honorees"}
    assert len({r["person_key"] for r in rows}) == 1


def test_store_upgrades_an_older_database(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("create table keep_me (x)")
    conn.execute("insert into keep_me values (42)")
    conn.commit()
    conn.close()
    db = store.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert {"notices", "entries", "imports", "keep_me"} <= set(db.table_names())
    assert db.execute("select x from keep_me").fetchone()[0] == 42
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.conn.close()
    assert store.connect(path).execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION


def test_every_cli_command_has_help(runner):
    from archive.cli import main
    for name, command in main.commands.items():
        assert command.help, name
        out = runner(name, "--help")
        assert out.exit_code == 0 and "Usage" in out.output


def test_v1_database_is_upgraded_in_place_keeping_its_data(tmp_path, seed_path):
    from conftest import old_database
    path = tmp_path / "v1.db"
    db = old_database(path, 1)
    before = {table: (list(db[table].columns_dict),
                      list(db.query(f"select * from {table} order by id")))
              for table in ("notices", "entries")}
    db.conn.close()
    upgraded = store.connect(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION >= 4
    assert {"corrections", "notice_versions", "retired_entries"} <= set(upgraded.table_names())
    assert not {"users", "audit", "jobs", "login_failures"} & set(upgraded.table_names())
    assert upgraded["entries"].count == 5
    notice = next(upgraded.query("select * from notices"))
    assert notice["version"] == 1
    assert next(upgraded.query("select * from notice_versions"))["sha256"] == notice["sha256"]
    # Every row the v1 database held is still there, unchanged.
    for table, (columns, rows) in before.items():
        assert list(upgraded.query(f"select {', '.join(columns)} from {table} "
                                   "order by id")) == rows


# -- official formats through the CLI -------------------------------------------------

def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_list_attachment_needs_the_flags_it_lacks_then_imports(runner, home, tmp_path):
    import notice_files as nf
    runner("init")
    before = _state(home)
    sheet = _write(tmp_path, "附件.xlsx", nf.xlsx_list())
    refused = runner("import", sheet)
    assert refused.exit_code == 1
    assert "未导入任何内容" in refused.output and "--title" in refused.output \
        and "--published" in refused.output
    assert _state(home) == before
    out = runner("import", sheet, "--title", nf.TITLE, "--publisher", "工业和信息化部",
                 "--published", "2023-05-18", "--doc-number", "工信行建〔2023〕1号",
                 "--source-url", "https://www.miit.gov.cn/notice.html")
    assert out.exit_code == 0, out.output
    assert "附件.xlsx：已导入（9 条）" in out.output
    notices = json.loads(runner("notices", "--json").output)
    assert [list(n) for n in notices][0] == ["id", "title", "publisher", "published", "cycle",
                                             "stage", "region", "doc_number", "source_url",
                                             "entries"]
    honours = next(n for n in notices if n["title"] == nf.TITLE)
    assert honours == {**honours, "publisher": "工业和信息化部", "published": "2023-05-18",
                       "cycle": "2021-2022", "stage": "honorees", "doc_number": "工信行建〔2023〕1号",
                       "source_url": "https://www.miit.gov.cn/notice.html", "entries": 9}
    rows = json.loads(runner("list", "--cycle", "2021-2022", "--json").output)
    assert {r["name"] for r in rows} >= {"陈志强", "王海", "阿依古丽·吐尔逊"}
    found = json.loads(runner("search", "陈志强", "--json").output)
    assert found["results"][0]["name"] == "陈志强"
    again = runner("import", sheet, "--title", nf.TITLE, "--publisher", "工业和信息化部",
                   "--published", "2023-05-18")
    assert "内容未变，未做改动（9 条）" in again.output
    table = runner("notices").output
    assert "2023-05-18  2021-2022  honorees" in table and "9" in table


def test_page_with_attachments_imports_as_one_notice(runner, tmp_path):
    import re
    import notice_files as nf
    page = re.sub(rb"<table border=1>.*?</table>", b"", nf.commendation_html(), flags=re.S)
    page_path = _write(tmp_path, "通报.html", page)
    out = runner("import", page_path, "--attach", _write(tmp_path, "附件1.docx", nf.docx_list()))
    assert out.exit_code == 0, out.output
    assert "通报.html：已导入（9 条）" in out.output and "警告" not in out.output
    notices = json.loads(runner("notices", "--json").output)
    assert [(n["doc_number"], n["entries"]) for n in notices] == [("工信行建〔2023〕1号", 9)]
    two = runner("import", page_path, page_path, "--attach", tmp_path / "附件1.docx")
    assert two.exit_code == 1 and "请只给一个通知文件" in two.output


def test_dry_run_before_init_writes_nothing_anywhere(runner, home, tmp_path):
    import notice_files as nf
    sheet = _write(tmp_path, "附件.xls", nf.xls_list())
    out = runner("import", "--dry-run", sheet, "--title", nf.TITLE, "--publisher",
                 "工业和信息化部", "--published", "2023-05-18")
    assert out.exit_code == 0, out.output
    assert "附件.xls：将导入（9 条）" in out.output
    assert "工作表 明星：表头在第 2 行：序号→序号，姓名→姓名，所在单位→单位，出生年月→出生年月" \
        in out.output
    assert "第 3 行：分组 中国电信（推荐单位 中国电信）" in out.output
    assert "个人 陈志强 | 中国电信股份有限公司九江分公司 | 中国电信 | 中国电信 | 江西" \
        in out.output
    assert not home.exists()
    assert runner("import", "--dry-run", SEED).exit_code == 0
    assert not home.exists()


def test_count_mismatch_refuses_the_cli_import_unless_accepted(runner, home, tmp_path):
    import notice_files as nf
    page = nf.commendation_html().replace("等3个班组".encode(), "等4个班组".encode())
    path = _write(tmp_path, "通报.html", page)
    out = runner("import", path)
    assert out.exit_code == 1, out.output
    assert "通知称共 4 个班组，实际读到 3 条" in out.output and "--accept-count-mismatch" in out.output
    assert "未导入任何内容" in out.output
    assert json.loads(runner("notices", "--json").output) == []
    out = runner("import", path, "--accept-count-mismatch")
    assert out.exit_code == 0, out.output
    assert "数量不符：通知称共 4 个班组，实际读到 3 条（已确认）" in out.output
    assert len(json.loads(runner("list", "--json").output)) == 9
