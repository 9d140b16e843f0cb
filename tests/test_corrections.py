"""Corrections (archive/services/corrections.py): one field at a time, audited, shown."""

import re

from archive.archive import Archive


def _form(client, entry_id):
    from conftest import csrf_token
    page = client.get(f"/admin/entries/{entry_id}").get_data(as_text=True)
    form = dict(re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page))
    textarea = re.search(r'<textarea[^>]*id="citation"[^>]*>\n?(.*?)</textarea>', page, re.S)
    import html
    form["citation"] = html.unescape(textarea.group(1))
    form["csrf_token"] = csrf_token(page)
    return form


def test_saving_one_field_changes_only_that_field(logged_in, app):
    hit = logged_in.get("/api/search?q=刘鑫鑫").get_json()["results"][0]
    a = Archive(app.config["ARCHIVE_HOME"])
    before = a.db["entries"].get(hit["id"])
    form = _form(logged_in, hit["id"])
    form["citation"] = form["citation"].replace("\n", "\r\n") + "  \r\n"  # as a browser sends it
    r = logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    assert r.status_code == 302
    assert a.db["corrections"].count == 0  # nothing changed, nothing recorded
    form["education"] = "硕士研究生"
    logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    after = a.db["entries"].get(hit["id"])
    assert after["education"] == "硕士研究生" and after["citation"] == before["citation"]
    assert [c["field"] for c in a.corrections.trail(hit["id"])] == ["education"]
    # Re-importing the notice reports no false conflict for the citation.
    from conftest import SEED
    text = SEED.read_text("utf-8").replace("阿尔及利亚", "某国")
    plan = a.imports.plan_files([("seed.txt", text.encode())])[0]
    assert [(c["name"], c["field"]) for c in plan.conflicts] == [("刘鑫鑫", "education")]
    a.close()


def test_corrected_fields_are_marked_publicly_with_the_notices_value(logged_in, app):
    hit = logged_in.get("/api/search?q=刘鑫鑫").get_json()["results"][0]
    form = _form(logged_in, hit["id"])
    form["education"] = "硕士研究生"
    logged_in.post(f"/admin/entries/{hit['id']}", data=form)
    logged_in.post("/admin/logout", data={"csrf_token": form["csrf_token"]})
    page = logged_in.get(f"/honorees/{hit['id']}").get_data(as_text=True)
    assert re.search(r"硕士研究生\s*<span class=\"tag corrected\"[^>]*>已更正</span>", page)
    assert re.search(r"通知原文：大学本科[^<]*更正于 \d{4}-\d{2}-\d{2}", page)
    log = logged_in.get("/corrections").get_data(as_text=True)
    assert "刘鑫鑫" in log and "学历" in log and "大学本科" in log and "硕士研究生" in log
    assert "editor" not in log  # who corrected is the admins' business
    api = logged_in.get(f"/api/honorees/{hit['id']}").get_json()
    assert api["corrections"][0]["field"] == "education"
    assert api["corrections"][0]["before"] == "大学本科"
