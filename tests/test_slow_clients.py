"""No stalled client holds the site: clients that stop reading large downloads hold at
most a few download slots per worker (web/downloads.py); pages and search answer."""

import json
import socket
import time
import urllib.parse
import urllib.request

import pytest

from archive.archive import Archive

from conftest import gunicorn


pytestmark = pytest.mark.slow


def _stall(url, path, count):
    """count clients that request path, read 1 KB of the answer, then stop reading."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    clients = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        clients.append(sock)
    heads = []
    for sock in clients:
        sock.settimeout(10)
        heads.append(sock.recv(1024).decode("latin-1"))
    return clients, heads


def _timed(url):
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as r:
        r.read()
        status = r.status
    return status, time.monotonic() - start


@pytest.mark.parametrize("stalled", [24, 200])
def test_stalled_downloads_leave_pages_and_search_answering(seeded_copy, stalled):
    public = seeded_copy.public_path
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_bytes(b"\0" * (64 * 1024 * 1024))  # far more than any socket buffer
    with gunicorn(seeded_copy.home) as url:
        clients, heads = _stall(url, "/data/archive-public.db", stalled)
        try:
            time.sleep(1)
            for path in ("/", "/api/search?q=" + urllib.parse.quote("李玉柱"), "/healthz"):
                status, seconds = _timed(url + path)
                assert status == 200 and seconds < 2, (path, seconds)
            # At most DOWNLOAD_SLOTS (2) per worker (2) are served; every other download
            # was refused at once, with a time to come back.
            served = [h for h in heads if h.startswith("HTTP/1.1 200")]
            refused = [h for h in heads if h.startswith("HTTP/1.1 503")]
            assert 1 <= len(served) <= 4 and len(served) + len(refused) == stalled
            assert all("Retry-After: 30" in h for h in refused)
        finally:
            for sock in clients:
                sock.close()


@pytest.mark.slow  # a fault test: seconds to minutes
def test_clients_that_stop_reading_the_biggest_export_do_not_take_the_site_down(tmp_path):
    """Two connections ask for the biggest export and never read it; the site answers."""
    import socket
    home = tmp_path / "instance"
    archive = Archive(home)
    archive.imports.init()
    citation = "该同志扎根一线，耐心解答用户咨询，妥善处理用户投诉。" * 120  # ~3,000 characters
    doc = {"notice": {"title": "关于表彰2019-2020年度全国用户满意电信服务明星的通报（虚构测试数据）",
                      "publisher": "工业和信息化部", "published": "2021-01-15",
                      "stage": "honorees"},
           "entries": [{"kind": "individual", "name": f"慢读者{i:04d}",
                        "company": "中国电信股份有限公司北京分公司", "citation": citation}
                       for i in range(2500)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    archive.imports.import_paths([path])
    archive.close()
    with gunicorn(home) as url:
        port = int(url.rsplit(":", 1)[1])
        stalled = []
        for _ in range(2):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET /export/search.csv?q= HTTP/1.1\r\nHost: localhost\r\n\r\n")
            stalled.append(sock)
        time.sleep(3)  # the server has filled what the kernel buffers, and waits
        start = time.monotonic()
        with urllib.request.urlopen(url + "/", timeout=30) as r:
            assert r.status == 200
        assert time.monotonic() - start < 1.0
        for sock in stalled:
            sock.close()
