"""Admin area: login, CSRF, throttling, upload -> preview -> import, corrections, re-index."""

import io
import re
import time
from pathlib import Path

import pytest

from archive import auth
from archive.db import store
from archive.archive import Archive

from conftest import DATA, PASSWORD, SEED, login, upload, make_app
from conftest import csrf as _csrf
from conftest import csrf_token as _token

def test_unauthenticated_pages_redirect_and_api_is_401(client):
    for path in ("/admin/", "/admin/entries", "/admin/entries/x"):
        r = client.get(path)
        assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = client.get("/admin/api/status")
    assert r.status_code == 401 and r.get_json()["status"] == 401
    assert client.post("/admin/reindex").status_code == 400  # no CSRF token: refused first


def test_login_logout_and_session_cookie(client, admin_user):
    r = login(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/admin/").status_code == 200
    r = client.post("/admin/logout", data={"csrf_token": _csrf(client)})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_secure_over_https(client, admin_user):
    page = client.get("/admin/login", base_url="https://localhost").get_data(as_text=True)
    r = client.post("/admin/login", base_url="https://localhost",
                    headers={"Referer": "https://localhost/admin/login"},
                    data={"csrf_token": _token(page), "username": "editor", "password": PASSWORD})
    assert r.status_code == 302
    assert "Secure" in r.headers["Set-Cookie"]


def test_wrong_password_and_throttling(client, admin_user, app):
    r = login(client, password="wrong password!")
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    for _ in range(4):
        login(client, password="wrong password!")
    r = login(client)  # right password, but this user from this address is throttled now
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)
    # Throttling is per (user, address): the same user from another address gets in,
    # and so does another user from the same address.
    a = Archive(app.config["ARCHIVE_HOME"])
    auth.create_user(a.private, "second", PASSWORD)
    a.close()
    assert login(client, user="second").status_code == 302
    assert login(client, address="10.0.0.9").status_code == 302


def test_unknown_user_is_a_failed_login(client, admin_user):
    assert login(client, user="nobody").status_code == 401


def test_post_without_or_with_wrong_csrf_is_400(logged_in):
    assert logged_in.post("/admin/reindex").status_code == 400
    r = logged_in.post("/admin/reindex", data={"csrf_token": "forged"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    page = logged_in.get("/admin/login").get_data(as_text=True)
    assert logged_in.post("/admin/login", data={"username": "editor", "password": PASSWORD}
                          ).status_code == 400
    assert "csrf_token" in page


def test_forged_session_cookie_is_rejected(client, admin_user, app):
    from flask.sessions import SecureCookieSessionInterface
    forger = SecureCookieSessionInterface().get_signing_serializer(
        type("A", (), {"secret_key": "not-the-key", "config": app.config})())
    client.set_cookie("session", forger.dumps({"user": "editor"}), domain="localhost")
    assert client.get("/admin/").status_code == 302


def test_csrf_token_of_another_session_is_rejected(app, admin_user):
    one, two = app.test_client(), app.test_client()
    login(one)
    login(two)
    token_of_one = _csrf(one)
    assert two.post("/admin/reindex", data={"csrf_token": token_of_one}).status_code == 400


def _upload(client, path, name=None):
    with open(path, "rb") as f:
        return client.post("/admin/upload", data={"csrf_token": _csrf(client),
                                                  "notice": (f, name or path.name)},
                           content_type="multipart/form-data", follow_redirects=True)


def test_upload_preview_confirm_makes_entries_searchable(logged_in, app):
    r = _upload(logged_in, DATA / "sichuan-2019-2020-candidates.txt")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "这是一份新通知，将导入 3 条记录" in body and "赵一鸣" in body
    assert "四川省通信管理局" in body and "2019-2020年度" in body
    assert logged_in.get("/api/search?q=赵一鸣").get_json()["total"] == 0  # not yet
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert r.status_code == 302
    hits = logged_in.get("/api/search?q=赵一鸣").get_json()["results"]
    assert [h["name"] for h in hits] == ["赵一鸣"]
    # The upload is gone: confirming twice is a 404.
    assert logged_in.post(f"/admin/upload/{token}/confirm",
                          data={"csrf_token": _token(body)}).status_code == 404
    status = logged_in.get("/admin/api/status").get_json()
    assert status["store_entries"] == status["index_entries"] == 8 and status["drift"]["ok"]
    assert "editor" in logged_in.get("/admin/").get_data(as_text=True)


def test_upload_cancel_writes_nothing(logged_in, app):
    before = _digest(app)
    body = _upload(logged_in, DATA / "hubei-2019-2020-honorees.json").get_data(as_text=True)
    token = re.search(r'/admin/upload/([0-9a-f]+)/cancel', body).group(1)
    assert logged_in.post(f"/admin/upload/{token}/cancel",
                          data={"csrf_token": _token(body)}).status_code == 302
    assert _digest(app) == before


def _digest(app):
    a = Archive(app.config["ARCHIVE_HOME"])
    try:
        return store.content_digest(a.db)
    finally:
        a.close()


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "文件是空的"),
    ("x.exe", b"MZ", "不支持的文件类型"),
    ("x.pdf", b"%PDF-1.4", "无法读取 PDF 文件"),
    ("x.docx", b"PK not a zip", "这不是 Word .docx 文件"),
    ("page.html", "<html><body><p>新闻</p></body></html>".encode(), "这不是电信服务评比表彰的通知"),
    ("bin.txt", bytes(range(256)) * 4, "二进制文件"),
])
def test_bad_upload_shows_the_parser_message_and_writes_nothing(logged_in, app, tmp_path, name,
                                                                data, message):
    before = _digest(app)
    path = tmp_path / name
    path.write_bytes(data)
    r = _upload(logged_in, path)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert _digest(app) == before


def test_upload_size_limit_is_413(logged_in, app, tmp_path):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    path = tmp_path / "big.txt"
    path.write_bytes(SEED.read_bytes())
    assert _upload(logged_in, path).status_code == 413


def test_edit_records_audit_and_updates_search(logged_in, app):
    hit = logged_in.get("/api/search?q=刘鑫鑫").get_json()["results"][0]
    url = f"/admin/entries/{hit['id']}"
    page = logged_in.get(url).get_data(as_text=True)
    assert "尚无更正" in page
    form = {k: v for k, v in re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page)}
    form.update(csrf_token=_token(page), unit="中国移动通信集团北京有限公司怀柔分公司",
                citation="刘鑫鑫同志长期在怀柔鼓楼厅服务。")
    r = logged_in.post(url, data=form)
    assert r.status_code == 302
    page = logged_in.get(url).get_data(as_text=True)
    assert "editor" in page and "中国移动通信集团北京有限公司密云分公司" in page  # before value
    assert logged_in.get("/api/search?q=怀柔").get_json()["results"][0]["name"] == "刘鑫鑫"
    assert logged_in.get("/api/search?q=密云").get_json()["total"] == 0
    a = Archive(app.config["ARCHIVE_HOME"])
    audit = a.corrections.trail(hit["id"])
    assert {row["field"] for row in audit} == {"unit", "citation"}
    assert all(row["user"] == "editor" for row in audit)
    assert a.indexing.check()["ok"]
    # A re-import of the same notice text is "unchanged"; a changed version
    # shows the conflict and keeps the correction.
    text = SEED.read_text("utf-8").replace("阿尔及利亚", "某国")
    r = upload(logged_in, "seed.txt", text.encode())
    body = r.get_data(as_text=True)
    assert "与人工更正冲突" in body and "怀柔分公司" in body
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert store.get_entry(a.db, hit["id"])["unit"] == "中国移动通信集团北京有限公司怀柔分公司"
    assert a.indexing.check()["ok"]
    a.close()


def test_edit_rejects_bad_values(logged_in):
    hit = logged_in.get("/api/search?q=李玉柱").get_json()["results"][0]
    url = f"/admin/entries/{hit['id']}"
    page = logged_in.get(url).get_data(as_text=True)
    form = {k: v for k, v in re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page)}
    form.update(csrf_token=_token(page), birth="1989.13.40")
    r = logged_in.post(url, data=form)
    assert r.status_code == 400 and "无法保存" in r.get_data(as_text=True)


def test_reindex_from_the_web_while_searching(logged_in, monkeypatch):
    import threading
    from archive import jobs
    release, started = threading.Event(), threading.Event()
    real = jobs._reindex

    def held(archive, progress):  # the rebuild waits until the test has searched
        started.set()
        assert release.wait(30)
        return real(archive, progress)

    monkeypatch.setattr(jobs, "_reindex", held)
    r = logged_in.post("/admin/reindex", data={"csrf_token": _csrf(logged_in)})
    assert r.status_code == 302 and started.wait(30)
    for _ in range(5):  # searches answer while the job runs
        assert logged_in.get("/admin/api/status").get_json()["reindex"]["status"] == "running"
        assert logged_in.get("/api/search?q=李玉柱").get_json()["total"] == 1
    release.set()
    deadline = time.monotonic() + 60
    while True:
        job = logged_in.get("/admin/api/status").get_json()["reindex"]
        if job["status"] != "running":
            break
        assert time.monotonic() < deadline
        assert logged_in.get("/api/search?q=李玉柱").get_json()["total"] == 1
        time.sleep(0.05)
    assert job["status"] == "done" and job["done"] == 5
    assert logged_in.get("/healthz").get_json()["snapshot"] == job["snapshot"]


def test_only_one_reindex_at_a_time(app):
    from archive import jobs
    a = Archive(app.config["ARCHIVE_HOME"])
    first = jobs.begin(a.private, "x")
    with pytest.raises(jobs.Busy):
        jobs.begin(a.private, "y")
    a.private["jobs"].update(first, {"pid": 999999999})  # its process died
    jobs.begin(a.private, "y")
    assert store.get_job(a.private, first)["status"] == "failed"
    a.close()


def test_create_user_cli(runner, home):
    out = runner("admin", "create-user", "chief", input="a strong passphrase\n")
    assert out.exit_code == 0 and "created" in out.output
    again = runner("admin", "create-user", "chief", input="a strong passphrase\n")
    assert again.exit_code == 1 and "已存在" in again.output
    weak = runner("admin", "create-user", "other", input="short\n")
    assert weak.exit_code == 1 and "至少" in weak.output
    a = Archive(home)
    row = next(a.private.query("select password_hash from users where name = 'chief'"))
    a.close()
    assert row["password_hash"].startswith("$argon2id$")


# -- official formats in the admin upload ---------------------------------------------

def test_list_attachment_asks_for_metadata_then_previews_the_table_as_read(logged_in, app):
    import notice_files as nf
    before = _digest(app)
    r = upload(logged_in, "附件.xlsx", nf.xlsx_list())
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "文件中没有以下通知信息，请在下方补充：通知标题、发文机关（落款单位，不是网页的“来源”部门）、发布日期（YYYY-MM-DD）、阶段" in body
    assert 'name="title"' in body and 'name="published"' in body
    token = re.search(r'/admin/upload/([0-9a-f]+)/metadata', body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/metadata", data={
        "csrf_token": _token(body), "title": nf.TITLE, "publisher": "工业和信息化部",
        "published": "2023-05-18", "stage": "", "doc_number": "工信行建〔2023〕1号"},
        follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert "这是一份新通知，将导入 9 条记录" in body
    assert "读取的表格：工作表 明星" in body and "表头在第 2 行" in body
    assert "<td>单位</td><td>单位</td>" in body and "<td>出生年月</td><td>出生年月</td>" in body
    assert "第 3 行“中国电信”：推荐单位 中国电信" in body
    assert "第 11 行“增值电信企业”：运营商 其他" in body
    assert "工信行建〔2023〕1号" in body and "表彰获奖" in body
    assert _digest(app) == before  # nothing written before the confirm
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert r.status_code == 302
    hits = logged_in.get("/api/search?q=阿依古丽").get_json()["results"]
    assert [(h["name"], h["region"]) for h in hits] == [("阿依古丽·吐尔逊", "新疆")]


def test_page_and_attachments_in_one_upload_are_one_notice(logged_in, app):
    import notice_files as nf
    page = re.sub(rb"<table border=1>.*?</table>", b"", nf.commendation_html(), flags=re.S)
    r = upload(logged_in, "通报.html", page, [("附件1.docx", nf.docx_list())])
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert "附件：附件1.docx" in body and "将导入 9 条记录" in body
    assert "工信行建〔2023〕1号" in body
    # A skipped row is shown with its reason: the sheet's note row.
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert r.status_code == 302
    assert logged_in.get("/api/search?q=向东班").get_json()["total"] == 1


def test_preview_lists_skipped_rows_and_why(logged_in):
    text = ("序号,姓名,单位\n1,赵晓光,中国电信股份有限公司赣州分公司\n合计,1人,\n").encode("utf-8")
    r = upload(logged_in, "名单.csv", text, title="关于2021-2022年度全国用户满意电信服务明星的表彰通报",
               publisher="工业和信息化部", published="2023-05-18")
    body = r.get_data(as_text=True)
    assert r.status_code == 200, body
    assert "第 3 行：注释或合计行" in body
    assert "赵晓光" in body and "江西" in body


def test_a_reindex_whose_process_died_shows_as_failed(logged_in, app):
    from archive import jobs
    a = Archive(app.config["ARCHIVE_HOME"])
    job = jobs.begin(a.private, "editor")
    a.private["jobs"].update(job, {"pid": 999999999})  # the worker was killed (kill -9)
    a.close()
    status = logged_in.get("/admin/api/status").get_json()["reindex"]
    assert status["id"] == job and status["status"] == "failed"
    assert "运行任务的进程已退出" in status["error"]
    assert "失败" in logged_in.get("/admin/").get_data(as_text=True)


# -- login throttling that cannot be turned against the admin --------------------------

def test_an_attacker_cannot_lock_the_admin_out(app, admin_user):
    a = Archive(app.config["ARCHIVE_HOME"])
    for _ in range(20):  # an attacker keeps failing from their address
        try:
            auth.login(a.private, "editor", "guess guess guess", "203.0.113.7", a.settings)
        except auth.AuthError:
            pass
    assert auth.login(a.private, "editor", PASSWORD, "198.51.100.1", a.settings) == "editor"
    a.close()


def test_backoff_doubles_with_each_failure_past_the_limit(app, admin_user):
    a = Archive(app.config["ARCHIVE_HOME"])
    t = 1_000_000.0

    def attempt(at, password="wrong password!"):
        try:
            return auth.login(a.private, "editor", password, "203.0.113.7", a.settings, limit=3,
                              window=3600, base_delay=30, now=at)
        except auth.Throttled as exc:
            return ("throttled", exc.retry_after)
        except auth.AuthError:
            return "wrong"

    assert [attempt(t + i) for i in range(3)] == ["wrong"] * 3
    assert attempt(t + 3) == ("throttled", 29)  # 30 s after the third failure
    assert attempt(t + 33) == "wrong"           # the lock expired: one more try…
    assert attempt(t + 60) == ("throttled", 33)  # …then 60 s from that failure
    assert attempt(t + 94, PASSWORD) == "editor"
    a.close()


def test_past_the_limits_logins_are_refused_before_any_password_is_hashed(app, admin_user,
                                                                         monkeypatch):
    hashed = []
    real = auth._hasher

    class Counting:
        def verify(self, digest, password):
            hashed.append(1)
            return real.verify(digest, password)
    monkeypatch.setattr(auth, "_hasher", Counting())
    a = Archive(app.config["ARCHIVE_HOME"])
    t = 1_000_000.0

    def attempt(name, address, when, password="wrong password!", **limits):
        try:
            return auth.login(a.private, name, password, address, a.settings, now=when, **limits)
        except auth.Throttled as exc:
            return ("refused", exc.retry_after)
        except auth.AuthError:
            return "wrong"

    # One address trying random user names: refused past the per-address limit.
    assert [attempt(f"user{i}", "203.0.113.9", t + i, address_limit=5) for i in range(5)] \
        == ["wrong"] * 5
    hashed.clear()
    assert attempt("another", "203.0.113.9", t + 6, address_limit=5)[0] == "refused"
    assert hashed == []
    # The admin, from elsewhere, still gets in.
    assert attempt("editor", "198.51.100.1", t + 7, PASSWORD, address_limit=5) == "editor"
    # A flood from many addresses: past the global ceiling every attempt is refused
    # (the right password too) until the minute has passed, and nothing is hashed.
    for i in range(8):
        attempt(f"bot{i}", f"192.0.2.{i}", t + 100 + i, global_limit=8)
    hashed.clear()
    assert attempt("editor", "198.51.100.2", t + 110, PASSWORD, global_limit=8) == \
        ("refused", 50)
    assert hashed == []
    assert attempt("editor", "198.51.100.2", t + 170, PASSWORD, global_limit=8) == "editor"
    # An unknown name is checked against a hash too: it costs what a known one does.
    hashed.clear()
    assert attempt("nobody-here", "198.51.100.3", t + 200) == "wrong" and hashed == [1]
    a.close()


def test_failed_logins_are_counted_atomically_across_connections(app, admin_user, monkeypatch):
    import threading
    checks = []
    real = auth._hasher

    class CountingHasher:
        def verify(self, hash_, password):
            checks.append(1)
            time.sleep(0.05)  # a slow hash widens any race
            return real.verify(hash_, password)

    monkeypatch.setattr(auth, "_hasher", CountingHasher())
    home = app.config["ARCHIVE_HOME"]
    start = threading.Barrier(40)

    def attacker():
        archive = Archive(home)  # its own connection, like another worker
        start.wait()
        try:
            auth.login(archive.private, "editor", "wrong password!", "203.0.113.9", archive.settings)
        except auth.AuthError:
            pass
        finally:
            archive.close()

    threads = [threading.Thread(target=attacker) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == 5  # the limit, never more, however many came at once


def test_logout_and_password_change_end_old_sessions(client, admin_user, app, runner):
    assert login(client).status_code == 302
    cookie = client.get_cookie("session").value
    assert client.post("/admin/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    client.set_cookie("session", cookie)  # the old cookie, replayed
    assert client.get("/admin/").status_code == 302
    assert login(client).status_code == 302
    assert client.get("/admin/").status_code == 200
    out = runner("admin", "set-password", "editor", input="another strong one\n")
    assert out.exit_code == 0, out.output
    assert client.get("/admin/").status_code == 302  # the session ended with the old password
    assert login(client, password="another strong one").status_code == 302


def test_behind_a_trusted_proxy_the_client_address_and_scheme_count(app, admin_user):
    proxied = make_app(app.config["ARCHIVE_HOME"], TRUSTED_PROXIES=1,
                       BASE_URL="https://honors.example.org")
    client = proxied.test_client()
    for _ in range(5):
        r = login(client, password="wrong password!", address="127.0.0.1")
    # Every failure came through the proxy from one client: only that client is throttled.
    page = client.get("/admin/login").get_data(as_text=True)
    r = client.post("/admin/login", data={"csrf_token": _token(page), "username": "editor",
                                          "password": PASSWORD},
                    headers={"X-Forwarded-For": "198.51.100.20"})
    assert r.status_code == 302
    assert "Secure" in r.headers["Set-Cookie"]  # the public address is https
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")
    a = Archive(app.config["ARCHIVE_HOME"])
    addresses = {r["address"] for r in a.private.query("select address from login_failures")}
    a.close()
    assert addresses == {"127.0.0.1"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(client, admin_user, app):
    page = client.get("/admin/login").get_data(as_text=True)
    r = client.post("/admin/login", data={"csrf_token": _token(page), "username": "editor",
                                          "password": "wrong password!"},
                    headers={"X-Forwarded-For": "198.51.100.20", "X-Forwarded-Proto": "https"})
    assert r.status_code == 401
    assert "Strict-Transport-Security" not in client.get("/").headers
    a = Archive(app.config["ARCHIVE_HOME"])
    addresses = {r["address"] for r in a.private.query("select address from login_failures")}
    a.close()
    assert addresses == {"127.0.0.1"}


def test_a_long_preview_is_paginated_and_sets_make_it_linear(logged_in):
    rows = "\n".join(f"{i},预览{i:04d},中国电信股份有限公司北京分公司" for i in range(1, 1201))
    text = f"序号,姓名,单位\n{rows}\n".encode()
    r = upload(logged_in, "名单.csv", text, title="关于2021-2022年度全国用户满意电信服务明星的表彰通报",
               publisher="工业和信息化部", published="2023-05-18")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "将导入 1200 条记录" in body
    assert "预览0200" in body and "预览0201" not in body
    assert "第 1/6 页" in body
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    page = logged_in.get(f"/admin/upload/{token}?page=6").get_data(as_text=True)
    assert "预览1001" in page and "预览1200" in page and "预览1000" not in page
    assert logged_in.get(f"/admin/upload/{token}?page=99").status_code == 404


def test_previews_expire_after_a_day(logged_in, app, runner, monkeypatch):
    import os
    body = _upload(logged_in, DATA / "sichuan-2019-2020-candidates.txt").get_data(as_text=True)
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    folder = Path(app.config["ARCHIVE_HOME"]) / "uploads" / token
    assert folder.is_dir()
    day_ago = time.time() - 86400 - 60
    os.utime(folder / "meta.json", (day_ago, day_ago))
    # Stale: gone for the confirm, and removed by the next upload.
    assert logged_in.post(f"/admin/upload/{token}/confirm",
                          data={"csrf_token": _token(body)}).status_code == 404
    _upload(logged_in, DATA / "sichuan-2019-2020-candidates.txt")
    assert not folder.exists()
    # archive check clears them too.
    body = _upload(logged_in, DATA / "hubei-2019-2020-honorees.json").get_data(as_text=True)
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    folder = Path(app.config["ARCHIVE_HOME"]) / "uploads" / token
    os.utime(folder / "meta.json", (day_ago, day_ago))
    monkeypatch.setenv("ARCHIVE_HOME", app.config["ARCHIVE_HOME"])
    out = runner("check")
    assert "removed 1 expired upload preview" in out.output and not folder.exists()


def test_a_large_web_import_runs_as_a_background_job(logged_in, app):
    app.config["IMPORT_JOB_ROWS"] = 2  # the Sichuan notice's 3 entries count as large
    body = _upload(logged_in, DATA / "sichuan-2019-2020-candidates.txt").get_data(as_text=True)
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    r = logged_in.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")
    assert "后台导入" in logged_in.get("/admin/").get_data(as_text=True)
    deadline = time.monotonic() + 60
    while True:
        job = logged_in.get("/admin/api/status").get_json()["import"]
        if job["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["status"] == "done" and job["done"] == job["total"] == 3
    assert [h["name"] for h in logged_in.get("/api/search?q=赵一鸣").get_json()["results"]] == \
        ["赵一鸣"]
    status = logged_in.get("/admin/api/status").get_json()
    assert status["drift"]["ok"]


def test_a_failing_job_is_recorded_as_failed_with_its_error(app):
    from archive import jobs
    a = Archive(app.config["ARCHIVE_HOME"])
    job = jobs.begin(a.private, "editor", "import")

    def broken(archive, progress):
        progress(1, 10)
        raise RuntimeError("disk full")

    jobs.run(lambda: Archive(app.config["ARCHIVE_HOME"]), job, broken)
    row = store.get_job(a.private, job)
    a.close()
    assert row["status"] == "failed" and row["error"] == "disk full"
    assert row["done"] == 1 and row["total"] == 10 and row["finished_at"]


def test_settings_come_from_archive_environment_variables(monkeypatch, seeded_copy):
    from archive import config
    from archive.web import create_app
    environ = {"ARCHIVE_PER_PAGE": "50", "ARCHIVE_BASE_URL": "https://honors.example.org",
               "ARCHIVE_LOGIN_ATTEMPTS": "3", "ARCHIVE_UNKNOWN": "ignored"}
    assert config.from_environment(environ) == {
        "PER_PAGE": 50, "BASE_URL": "https://honors.example.org", "LOGIN_ATTEMPTS": 3}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    app = create_app({"ARCHIVE_HOME": str(seeded_copy.home), "SECRET_KEY": "k"})
    assert app.config["PER_PAGE"] == 50 and app.config["LOGIN_ATTEMPTS"] == 3
    assert "Strict-Transport-Security" in app.test_client().get("/").headers


def _stale_form(client):
    """李玉柱's correction form opened, then a new version of the notice imported that
    changes his citation: (entry id, its url, the form as opened, its page)."""
    hit = client.get("/api/search?q=李玉柱").get_json()["results"][0]
    url = f"/admin/entries/{hit['id']}"
    page = client.get(url).get_data(as_text=True)
    form = {k: v for k, v in re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', page)}
    form["citation"] = re.search(r'<textarea[^>]*>\n?([^<]*)</textarea>', page).group(1)
    text = SEED.read_text("utf-8").replace("在使馆区装维", "在使馆区负责装维")
    body = upload(client, "seed.txt", text.encode()).get_data(as_text=True)
    token = re.search(r'/admin/upload/([0-9a-f]+)/confirm', body).group(1)
    client.post(f"/admin/upload/{token}/confirm", data={"csrf_token": _token(body)})
    form["csrf_token"] = _token(page)
    return hit["id"], url, form


def test_a_stale_correction_form_is_refused_and_writes_nothing(logged_in, app):
    entry_id, url, form = _stale_form(logged_in)
    hit = {"id": entry_id}
    # The form opened before is sent with only 性别 changed, the old citation in it.
    form.update(gender="女")
    r = logged_in.post(url, data=form)
    answer = r.get_data(as_text=True)
    assert r.status_code == 409 and "已被更改" in answer and "在使馆区负责装维" in answer
    a = Archive(app.config["ARCHIVE_HOME"])
    entry = store.get_entry(a.db, hit["id"])
    assert entry["gender"] == "男" and "在使馆区负责装维" in entry["citation"]
    assert a.corrections.trail(hit["id"]) == []
    a.close()


def test_a_running_job_shows_its_pace_and_the_time_left(logged_in, app):
    """The status page (and its JSON) tell a long re-index's entries a second and the
    time it has left, as the CLI's progress bar does."""
    from datetime import datetime, timedelta, timezone
    from archive import jobs
    a = Archive(app.config["ARCHIVE_HOME"])
    job = jobs.begin(a.private, "editor")
    started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=40)
    a.private["jobs"].update(job, {"started_at": started.isoformat(), "done": 8000,
                                   "total": 20000, "heartbeat": started.timestamp() + 40})
    a.close()
    status = logged_in.get("/admin/api/status").get_json()["reindex"]
    assert status["rate"] == pytest.approx(200, rel=0.05)
    assert status["eta_seconds"] == pytest.approx(60, rel=0.05)
    page = logged_in.get("/admin/").get_data(as_text=True)
    detail = re.search(r'id="reindex-pace"[^>]*>([^<]*)<', page).group(1)
    assert "8000 / 20000 条" in detail and "每秒 200 条" in detail and "约剩 1 分钟" in detail


@pytest.mark.parametrize("seconds, said", [(0, "即将完成"), (42, "约剩 42 秒"), (61, "约剩 1 分钟"),
                                           (3725, "约剩 1 小时 2 分钟")])
def test_time_left_reads_as_people_say_it(seconds, said):
    from archive.jobs import time_left
    assert time_left(seconds) == said


def test_a_stale_correction_keeps_what_the_admin_typed_beside_the_current_values(
        logged_in, app):
    entry_id, url, form = _stale_form(logged_in)
    hit = {"id": entry_id}
    form.update(gender="女", education="博士研究生")
    answer = logged_in.post(url, data=form).get_data(as_text=True)
    again = {k: v for k, v in re.findall(r'<input[^>]* id="(\w+)"[^>]* value="([^"]*)"', answer)}
    assert again["gender"] == "女" and again["education"] == "博士研究生"  # what was typed
    table = answer.split('admin-table conflict"')[1].split("</table>")[0]
    assert re.search(r"性别</th><td[^>]*>女</td><td[^>]*>男</td>", table)
    assert "申报说明材料" in table and "在使馆区负责装维" in table
    a = Archive(app.config["ARCHIVE_HOME"])
    assert again["version"] == a.corrections.editable(hit["id"])["version"]  # resubmit works
    a.close()


def test_the_preview_has_its_own_address_so_a_reload_never_uploads_again(logged_in, app):
    """POST the files -> 303 to /admin/upload/<token> -> GET the preview; reloading it
    (GET again) reads the kept files, never a second upload; so do the metadata form
    and the reading guide."""
    r = logged_in.post("/admin/upload", data={
        "csrf_token": _csrf(logged_in), "notice": (io.BytesIO(SEED.read_bytes()), "seed.txt")},
        content_type="multipart/form-data")
    assert r.status_code == 303
    token = re.fullmatch(r"/admin/upload/([0-9a-f]+)", r.headers["Location"]).group(1)
    folder = Archive(app.config["ARCHIVE_HOME"]).instance.uploads_path
    first = logged_in.get(r.headers["Location"])
    again = logged_in.get(r.headers["Location"])
    assert first.status_code == again.status_code == 200
    assert first.get_data(as_text=True).count("内容未变") == 1
    assert [p.name for p in folder.iterdir() if p.is_dir()] == [token]
    changed = logged_in.post(f"/admin/upload/{token}/metadata", data={
        "csrf_token": _csrf(logged_in), "doc_number": "京通信〔2018〕99号"})
    assert changed.status_code == 303 and changed.headers["Location"].endswith(token)
    assert "京通信〔2018〕99号" in logged_in.get(changed.headers["Location"]).get_data(as_text=True)


def test_admin_times_are_beijing_time_and_say_how_long_ago(logged_in, app):
    """Times on the admin pages are Beijing time (UTC+8), each in a <time> element that
    carries the instant for the script that keeps its "N 分钟前" up to date."""
    from datetime import datetime, timedelta
    a = Archive(app.config["ARCHIVE_HOME"])
    at = next(a.db.query("select at from imports order by at desc limit 1"))["at"]
    a.close()
    beijing = (datetime.fromisoformat(at) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    page = logged_in.get("/admin/").get_data(as_text=True)
    assert f'<time datetime="{at}" data-relative>{beijing}</time>' in page
    assert "时间（北京时间）" in page
    script = (Path(app.root_path) / "static" / "app.js").read_text("utf-8")
    assert "data-relative" in script and "分钟前" in script


def test_the_upload_form_offers_every_format_the_readers_take(logged_in):
    from archive.ingest import FORMATS
    page = logged_in.get("/admin/").get_data(as_text=True)
    accept = re.search(r'<input[^>]*id="notice"[^>]*accept="([^"]*)"', page) \
        or re.search(r'<input[^>]*accept="([^"]*)"[^>]*id="notice"', page)
    assert set(accept.group(1).split(",")) == {"." + f for f in FORMATS}
    assert {".ofd", ".png", ".jpg", ".tif"} <= set(accept.group(1).split(","))
