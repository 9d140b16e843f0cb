"""No stalled client holds the site: clients that stop reading large downloads hold at
most a few download slots per worker (web/downloads.py); pages and search answer."""

import socket
import time
import urllib.parse
import urllib.request

import pytest

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
