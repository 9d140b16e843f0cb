"""Search latency while failed logins flood the admin login form.

    python scripts/bench_login_flood.py [--seconds 20] [--rates 3,20]

Builds the seed archive in a temporary folder, serves it under gunicorn (as
`make run` does) on a loopback port, and measures /api/search p50 and p95:
quiet, then while failed logins arrive at each rate (attempts a second; a fresh
CSRF token and a random user name each time) from one address, then from a new
address every attempt (X-Forwarded-For, with ARCHIVE_TRUSTED_PROXIES=1). The
flooding clients run on the same machine and share its cores. Prints one
table; the target is a flood p50 within 2x of the quiet p50.
"""

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["李玉柱", "玉柱", "liyuzhu", "联通", "投诉处理", "张娜", "集中处理专席"]


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(home, port):
    env = dict(os.environ, ARCHIVE_HOME=str(home), ARCHIVE_TRUSTED_PROXIES="1")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             "--workers", "2", "--bind", f"127.0.0.1:{port}", "--chdir",
                             str(ROOT), "wsgi:app"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _latencies(base, seconds):
    """Search times (ms) for `seconds`, one request after another."""
    out, end, i = [], time.monotonic() + seconds, 0
    while time.monotonic() < end:
        q = urllib.parse.quote(QUERIES[i % len(QUERIES)])
        start = time.perf_counter()
        urllib.request.urlopen(f"{base}/api/search?q={q}", timeout=30).read()
        out.append((time.perf_counter() - start) * 1000)
        i += 1
    return out


def _flood(base, stop, counts, many_addresses, interval):
    """Failed logins until stop is set, one every `interval` seconds: a fresh session
    and CSRF token each time."""
    rng = random.Random()
    due = time.monotonic()
    while not stop.is_set():
        due += interval
        time.sleep(max(0.0, due - time.monotonic()))
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" \
            if many_addresses else "10.0.0.1"
        headers = {"X-Forwarded-For": address}
        try:
            page = opener.open(urllib.request.Request(f"{base}/admin/login", headers=headers),
                               timeout=30).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            data = urllib.parse.urlencode({
                "csrf_token": token.group(1) if token else "",
                "username": f"user{rng.randrange(10 ** 9)}",
                "password": "wrong password!"}).encode()
            opener.open(urllib.request.Request(f"{base}/admin/login", data=data,
                                               headers=headers), timeout=30).read()
            counts["other"] = counts.get("other", 0) + 1
        except urllib.error.HTTPError as exc:
            counts[exc.code] = counts.get(exc.code, 0) + 1
        except OSError:
            counts["error"] = counts.get("error", 0) + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rates", default="3,20",
                        help="failed logins a second, comma-separated")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-login-")) / "instance"
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    subprocess.run([sys.executable, "-m", "archive.cli", "init"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "archive.cli", "admin", "create-user", "editor"],
                   env=env, check=True, input=b"correct horse battery\n", cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    port = _free_port()
    proc = _serve(home, port)
    base = f"http://127.0.0.1:{port}"
    try:
        _latencies(base, 2)  # warm up
        rows = [("quiet", _latencies(base, args.seconds), {})]
        phases = [(f"{rate} failed logins/s, {where}", many, float(rate))
                  for rate in args.rates.split(",")
                  for where, many in (("one address", False), ("many addresses", True))]
        for label, many, rate in phases:
            stop, counts = threading.Event(), {}
            threads = [threading.Thread(target=_flood,
                                        args=(base, stop, counts, many, args.threads / rate))
                       for _ in range(args.threads)]
            for t in threads:
                t.start()
            time.sleep(1)
            rows.append((label, _latencies(base, args.seconds), counts))
            stop.set()
            for t in threads:
                t.join()
    finally:
        proc.terminate()
        proc.wait(10)
    quiet = statistics.median(rows[0][1])
    print("| /api/search during | requests | p50 ms | p95 ms | p50 / quiet | login answers |")
    print("|---|---|---|---|---|---|")
    for label, times, counts in rows:
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)) or "—"
        print(f"| {label} | {len(times)} | {p50:.1f} | {p95:.1f} | ×{p50 / quiet:.2f} | "
              f"{answers} |")


if __name__ == "__main__":
    main()
