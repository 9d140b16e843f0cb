"""Benchmark the archive against SQLite FTS5, Datasette and Tantivy on one synthetic corpus.

    python scripts/bench.py --entries 5000 [--seed 1] [--seconds 10] [--out docs/benchmarks.md]
    python scripts/bench.py --entries 20000 --indexing    # the indexing figures alone

--indexing: the corpus imported into a new instance in one `archive import` (index
included: the bulk path), `archive check`, a full `archive reindex`, the sizes of
the index and the public file per MB of the text they hold, and the peer: Tantivy
(the `tantivy` package, `pip install -e '.[bench]'`) building an index of the same
jieba-segmented text (index/fts.py, as the FTS5 peer), segmenting included, with
one process and one writer thread per core.

Builds the corpus (scripts/make_corpus.py), an archive from it, and the
baselines (the strong peer: FTS5 over the same jieba-segmented text,
index/fts.py, the query segmented the same way; FTS5 with unicode61 and with
trigram over the raw text; Datasette over the unicode61 table), then prints a markdown table: re-index time and size,
peak memory, one 10-entry import, cold start, search latency p50/p95/p99
over a fixed query mix (through the function the web uses) and its ratio
to the peer's, search-as-you-type latency, HTTP
throughput of /search under gunicorn (2 workers) and of Datasette's search
page under the same load generator, and recall of the mix for each.
Everything runs on loopback, bounded in time.
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_corpus  # noqa: E402
from pypinyin import lazy_pinyin  # noqa: E402


def run(cmd, home, **kw):
    """Run a command with ARCHIVE_HOME set; returns (seconds, its peak RSS in MB: the
    largest of the process and the children it waited for)."""
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return seconds, usage.ru_maxrss / 1024


def text_mb(public):
    """MB of text the public file holds: every notice, entry and correction value (what a
    journalist downloads it for), as UTF-8."""
    from archive.db import public_file
    conn = sqlite3.connect(public)
    total = 0
    try:
        for table, columns in (("notices", public_file.NOTICE_COLUMNS),
                               ("entries", public_file.ENTRY_COLUMNS),
                               ("corrections", public_file.CORRECTION_COLUMNS)):
            for column in columns:
                total += conn.execute(f"select coalesce(sum(length(cast([{column}] as blob))), 0) "
                                      f"from [{table}]").fetchone()[0]
    finally:
        conn.close()
    return total / 1e6


def folder_mb(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


#: The entry columns whose text the index holds (index.build.document).
INDEXED_TEXT = ("name", "company", "unit", "operator", "region", "position", "team_category",
                "education", "citation")


def indexed_text(store_path):
    """(MB as UTF-8, millions of characters) of the text the index holds: the entries'
    names, companies, units, operators, regions, roles and citations."""
    conn = sqlite3.connect(store_path)
    try:
        size = " + ".join(f"coalesce(length(cast([{c}] as blob)), 0)" for c in INDEXED_TEXT)
        chars = " + ".join(f"coalesce(length([{c}]), 0)" for c in INDEXED_TEXT)
        total, count = conn.execute(f"select sum({size}), sum({chars}) from entries").fetchone()
    finally:
        conn.close()
    return total / 2**20, count / 1e6


def _segmented_row(row):
    from index.fts import segmented
    entry_id, name, company, unit, citation = row
    return entry_id, segmented(name, name=True), segmented(company), segmented(unit), \
        segmented(citation)


def tantivy_build(store_path, out, procs):
    """The peer: Tantivy indexing the entries' jieba-segmented text (the FTS5 peer's,
    index/fts.py), positions kept, the id stored; segmenting in `procs` processes and
    Tantivy writing with `procs` threads. Returns (seconds, MB) or None without
    tantivy."""
    try:
        import tantivy
    except ImportError:
        return None
    import multiprocessing
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    conn = sqlite3.connect(store_path)
    rows = conn.execute("select id, name, company, unit, citation from entries").fetchall()
    conn.close()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for field in ("name", "company", "unit", "citation"):
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
    index = tantivy.Index(builder.build(), path=str(out))
    writer = index.writer(heap_size=512 * 2**20, num_threads=procs)
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        for entry_id, name, company, unit, citation in pool.imap(_segmented_row, rows,
                                                                 chunksize=200):
            writer.add_document(tantivy.Document(id=entry_id, name=name, company=company,
                                                 unit=unit, citation=citation))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started, folder_mb(out)


def index_rows(args, home, work, index_seconds):
    """The index's size per MB of the text it holds, and Tantivy's build beside ours."""
    snapshot = sorted((home / "index" / "snapshots").iterdir())[-1]
    text, chars = indexed_text(home / "archive.db")
    size = folder_mb(snapshot)
    rows = [("index size per MB of the text it holds",
             f"{size:.0f} MB: {size / text:.2f}× the {text:.0f} MB of text (UTF-8; "
             f"{chars:.1f} million characters)", "", "")]
    peer = tantivy_build(home / "archive.db", work / "tantivy", os.cpu_count() or 1)
    if peer is None:
        rows.append(("index build vs Tantivy", "tantivy not installed "
                     "(pip install -e '.[bench]')", "", ""))
    else:
        rows.append(("index build vs Tantivy over the same segmented text (segmenting "
                     "included)", f"{index_seconds:.1f} s", f"{peer[0]:.1f} s ({peer[1]:.0f} MB)",
                     f"×{index_seconds / peer[0]:.2f}"))
    return rows


def measure_indexing(args, corpus, home, work):
    """The indexing figures alone: a bulk import in one command, its check, a full
    re-index, sizes and the Tantivy peer."""
    py = sys.executable
    if not (corpus / "expected.json").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        make_corpus.make(args.entries, args.seed, corpus)
    notices = sorted(str(p) for p in corpus.glob("*.txt"))
    shutil.rmtree(home, ignore_errors=True)
    run([py, "-m", "archive.cli", "init"], home)
    t_import, rss_import = run([py, "-m", "archive.cli", "import", *notices], home,
                               stderr=subprocess.DEVNULL)
    check = subprocess.run([py, "-m", "archive.cli", "check"], capture_output=True, text=True,
                           env=dict(os.environ, ARCHIVE_HOME=str(home)))
    t_index, rss_index = run([py, "-m", "archive.cli", "reindex"], home,
                             stderr=subprocess.DEVNULL)
    snapshot = sorted((home / "index" / "snapshots").iterdir())[-1]
    meta = json.loads((snapshot / "meta.json").read_text())
    public = home / "public" / "archive-public.db"
    rows = [(f"bulk import of {args.entries} entries ({len(notices)} notices) in one command, "
             "index and public file included", f"{t_import:.1f} s ({rss_import:.0f} MB peak)",
             "", "`archive check`: " + (check.stdout.strip() or check.stderr.strip())),
            ("full re-index (index, then the public SQLite file)",
             f"{t_index:.1f} s ({args.entries / t_index:.0f} entries/s; index "
             f"{meta['build_seconds']:.1f} s; {rss_index:.0f} MB peak)", "", ""),
            ("public SQLite file per MB of the text it holds",
             f"{public.stat().st_size / 1e6:.0f} MB: {public.stat().st_size / 1e6 / text_mb(public):.2f}× "
             f"the {text_mb(public):.0f} MB of text", "", "")]
    return rows + index_rows(args, home, work, meta["build_seconds"])


# -- the query mix ---------------------------------------------------------------

def query_mix(db, rng):
    """(kind, query, filters, expected ids) for a fixed mix drawn from the store."""
    rows = list(db.execute("select id, name, kind, company, operator, cycle, citation "
                           "from entries order by id"))
    people = [r for r in rows if r[2] == "individual"]
    mix = []

    def ids(pred):
        return {r[0] for r in rows if pred(r)}

    for r in rng.sample(people, 12):
        mix.append(("name", r[1], {}, ids(lambda x, n=r[1]: x[1] == n)))
    for r in rng.sample([p for p in people if len(p[1]) == 3], 8):
        part = r[1][1:]
        mix.append(("partial name", part, {}, ids(lambda x, p=part: p in x[1])))
    spelled = {}
    for r in people:
        if r[1] not in spelled:
            spelled[r[1]] = "".join(lazy_pinyin(r[1]))
    for r in rng.sample(people, 6):
        letters = spelled[r[1]]
        mix.append(("pinyin", letters, {},
                    ids(lambda x, q=letters: x[2] == "individual" and spelled[x[1]] == q)))
    for r in rng.sample(rows, 4):
        mix.append(("company", r[3], {}, ids(lambda x, c=r[3]: x[3] == c)))
    for alias, operator in (("联通", "中国联通"), ("China Mobile", "中国移动")):
        mix.append(("operator alias", alias, {}, ids(lambda x, o=operator: x[4] == o)))
    for word in ("投诉", "宽带", "光纤", "基站"):
        mix.append(("2-char word", word, {}, ids(lambda x, w=word: w in (x[6] or ""))))
    for phrase in ("首问负责制", "适老化服务"):
        mix.append(("phrase", f'"{phrase}"', {}, ids(lambda x, p=phrase: p in (x[6] or ""))))
    for r in rng.sample(people, 4):
        mix.append(("filtered", r[1], {"cycle": r[5]},
                    ids(lambda x, n=r[1], c=r[5]: x[1] == n and x[5] == c)))
    return mix


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def recall(found, expected):
    return 1.0 if not expected else len(found & expected) / len(expected)


# -- baselines -------------------------------------------------------------------

def build_fts(store_path, out, tokenizer):
    """A copy of the entries table with an FTS5 index using `tokenizer`; "jieba" is
    unicode61 over the jieba-segmented text (index/fts.py), stored in the FTS table."""
    if out.exists():
        out.unlink()
    src = sqlite3.connect(store_path)
    dst = sqlite3.connect(out)
    dst.execute("create table entries (id text primary key, name text, kind text, company "
                "text, unit text, operator text, region text, cycle text, citation text)")
    dst.executemany("insert into entries values (?,?,?,?,?,?,?,?,?)", src.execute(
        "select id, name, kind, company, unit, operator, region, cycle, citation from entries"))
    if tokenizer == "jieba":
        from index.fts import segmented
        dst.execute("create virtual table entries_fts using fts5(name, company, unit, citation, "
                    "tokenize='unicode61')")
        dst.executemany("insert into entries_fts(rowid, name, company, unit, citation) "
                        "values (?,?,?,?,?)",
                        ((r, segmented(n, name=True), segmented(c), segmented(u), segmented(t))
                         for r, n, c, u, t in dst.execute(
                             "select rowid, name, company, unit, citation from entries")
                         .fetchall()))
    else:
        dst.execute(f"create virtual table entries_fts using fts5(name, company, unit, "
                    f"citation, content='entries', tokenize='{tokenizer}')")
        dst.execute("insert into entries_fts(rowid, name, company, unit, citation) "
                    "select rowid, name, company, unit, citation from entries")
    dst.commit()
    dst.close()
    src.close()


def fts_expression(query, tokenizer):
    """The MATCH expression of a query: segmented like the text for the jieba peer,
    one quoted string for the others."""
    if tokenizer == "jieba":
        from index.fts import match_expression
        return match_expression(query.strip('"')) or '""'
    return '"' + query.strip('"').replace('"', '""') + '"'


def fts_search(conn, query, filters, tokenizer):
    sql = ("select e.id from entries_fts f join entries e on e.rowid = f.rowid "
           "where entries_fts match ?")
    params = [fts_expression(query, tokenizer)]
    for key, value in filters.items():
        sql += f" and e.{key} = ?"
        params.append(value)
    try:
        return {r[0] for r in conn.execute(sql + " order by rank limit 10000", params)}
    except sqlite3.OperationalError:
        return set()


def fts_page(conn, query, filters, tokenizer):
    """What a search page needs from FTS5: total, 20 hits with snippets, facet counts."""
    text = fts_expression(query, tokenizer)
    where = "entries_fts match ?" + "".join(f" and e.{k} = ?" for k in filters)
    params = [text, *filters.values()]
    try:
        conn.execute(f"select e.id, e.name, snippet(entries_fts, 3, '<mark>', '</mark>', '…', 20) "
                     f"from entries_fts join entries e on e.rowid = entries_fts.rowid "
                     f"where {where} order by rank limit 20", params).fetchall()
        conn.execute(f"select count(*) from entries_fts join entries e on "
                     f"e.rowid = entries_fts.rowid where {where}", params).fetchone()
        for facet in ("cycle", "operator", "kind", "region"):
            conn.execute(f"select e.{facet}, count(*) from entries_fts join entries e on "
                         f"e.rowid = entries_fts.rowid where {where} group by e.{facet}",
                         params).fetchall()
    except sqlite3.OperationalError:
        pass


# -- HTTP load -------------------------------------------------------------------

def wait_for(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def load(urls, seconds, clients=4):
    """Closed-loop load from `clients` threads for `seconds`; returns (req/s, p50, p95, errors)."""
    stop = time.monotonic() + seconds
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker(n):
        i = n
        mine = []
        while time.monotonic() < stop:
            url = urls[i % len(urls)]
            i += 1
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    r.read()
                    if r.status != 200:
                        errors[0] += 1
            except OSError:
                errors[0] += 1
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ms = [x * 1000 for x in latencies]
    return len(latencies) / elapsed, percentile(ms, 50), percentile(ms, 95), errors[0]


def serve(cmd, env, port):
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc)
    except Exception:
        proc.kill()
        raise
    return proc


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- main ------------------------------------------------------------------------

def _args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query mix")
    parser.add_argument("--work", default=str(ROOT / "bench-data"), help="scratch folder")
    parser.add_argument("--out", help="also write the table to this markdown file")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an archive built by an earlier run (skips import and re-index)")
    parser.add_argument("--indexing", action="store_true",
                        help="only the indexing figures: bulk import, re-index, sizes, Tantivy")
    return parser.parse_args()


def build_archive(args, corpus, home):
    """Corpus, store import and full re-index (unless reused): their rows."""
    py = sys.executable
    if not (corpus / "expected.json").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        t = time.perf_counter()
        make_corpus.make(args.entries, args.seed, corpus)
        print(f"corpus: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    if args.reuse and (home / "index" / "LIVE").exists():
        return [("full re-index", "(reused an earlier build)", "", "")]
    notices = sorted(str(p) for p in corpus.glob("*.txt"))
    shutil.rmtree(home, ignore_errors=True)
    # Import without an index (the rebuild is measured on its own below).
    t_import, _ = run([py, "-c", "import sys; from archive.archive import Archive; "
                       "from archive import importer; a = Archive(); "
                       "p = a.imports.plan_files([(f, open(f, 'rb').read()) for f in sys.argv[1:]]); "
                       "importer.apply(a.db, p)", *notices], home)
    print(f"import: {t_import:.1f} s", file=sys.stderr)
    t_index, rss_index = run([py, "-m", "archive.cli", "reindex"], home,
                             stderr=subprocess.DEVNULL)
    snapshot = sorted((home / "index" / "snapshots").iterdir())[-1]
    meta = json.loads((snapshot / "meta.json").read_text())
    public = home / "public" / "archive-public.db"
    return [("full re-index (index, then the public SQLite file)",
             f"{t_index:.1f} s ({args.entries / t_index:.0f} entries/s; index "
             f"{meta['build_seconds']:.1f} s)", "", ""),
            ("index size on disk", f"{folder_mb(snapshot):.0f} MB", "", ""),
            ("public SQLite file (/data)", f"{public.stat().st_size / 1e6:.0f} MB "
             f"({public.stat().st_size / 1e6 / text_mb(public):.2f}× the {text_mb(public):.0f} MB "
             "of text it holds)", "", ""),
            ("peak memory, re-index process", f"{rss_index:.0f} MB", "", ""),
            ("store import (parse + SQLite), all notices", f"{t_import:.1f} s", "", "")] + \
        index_rows(args, home, corpus.parent, meta["build_seconds"])


def measure_processes(work, home, stamp):
    """A 10-entry import and a cold start, each as a new process."""
    py = sys.executable
    extra = work / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    make_corpus.make(10, stamp, extra, notices=1)
    t_one, _ = run([py, "-m", "archive.cli", "import", *map(str, extra.glob("*.txt"))], home)
    # The new process prints the wall clock once it has the answer; its exit (freeing
    # pypinyin's phrase table, the document table …) is timed apart.
    answered = work / "answered"
    started = time.time()
    t_cold, _ = run([py, "-c", "import sys, time; from archive.archive import Archive; "
                     "Archive().records.search('李玉柱'); open(sys.argv[1], 'w').write(str(time.time()))",
                     str(answered)], home)
    t_answer = float(answered.read_text()) - started
    return [("import one 10-entry notice, index included (CLI process)", f"{t_one:.2f} s", "", ""),
            ("cold start to first answer (new process)", f"{t_answer:.2f} s", "", ""),
            ("  the same process, start to exit", f"{t_cold:.2f} s", "", "")]


def _lat(ms):
    return f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} / {percentile(ms, 99):.1f} ms"


def measure_search(archive, mix, rounds, work):
    """Latency and recall of Records.search against SQLite FTS5 (three tokenizers).
    Rounds alternate (ours, then each baseline, then ours again …), so that a slow
    spell of this shared machine weighs on every engine, not on one."""
    from index import searching as Q
    archive.records.search("预热")
    ours_ms, kinds = [], {}
    tokenizers = ("jieba", "unicode61", "trigram")
    conns = {}
    for tokenizer in tokenizers:
        path = work / f"fts-{tokenizer}.db"
        build_fts(archive.db_path, path, tokenizer)
        conns[tokenizer] = sqlite3.connect(path)
    times = {tokenizer: [] for tokenizer in tokenizers}
    for _ in range(rounds):
        for kind, q, filters, _expected in mix:
            t = time.perf_counter()
            archive.records.search(q, filters=filters)
            dt = (time.perf_counter() - t) * 1000
            ours_ms.append(dt)
            kinds.setdefault(kind, []).append(dt)
        for tokenizer, conn in conns.items():
            for _kind, q, filters, _expected in mix:
                t = time.perf_counter()
                fts_page(conn, q, filters, tokenizer)
                times[tokenizer].append((time.perf_counter() - t) * 1000)
    ours_recall = [recall(set(Q.matching_ids(archive.snapshot(), q, filters, limit=100000)),
                          expected) for _, q, filters, expected in mix]
    baselines = {}
    for tokenizer, conn in conns.items():
        rec = [recall(fts_search(conn, q, filters, tokenizer), expected)
               for _, q, filters, expected in mix]
        baselines[tokenizer] = (times[tokenizer], rec)
        conn.close()
    rows = []
    for name, (ms, _) in baselines.items():
        ratio = lambda p: percentile(ours_ms, p) / max(percentile(ms, p), 1e-6)  # noqa: E731
        rows.append((f"search p50/p95/p99 (page: 20 hits, snippets, 4 facets) vs FTS5 {name}",
                     _lat(ours_ms), _lat(ms), f"p50 ×{ratio(50):.2f}, p95 ×{ratio(95):.2f}"))
    for kind, ms in kinds.items():
        rows.append((f"  search p95, {kind}", f"{percentile(ms, 95):.1f} ms", "", ""))
    for name, (_, rec) in baselines.items():
        rows.append((f"recall of the query mix vs FTS5 {name}",
                     f"{100 * statistics.mean(ours_recall):.1f}%",
                     f"{100 * statistics.mean(rec):.1f}%", ""))
    return rows


def measure_suggest(archive, rng, rounds):
    """Search-as-you-type latency (Records.suggest, what /api/suggest calls) over
    prefixes people type: 1-2 characters of a name, pinyin and initials, the start
    of a team or company."""
    rows = list(archive.db.execute("select name, company from entries order by id"))
    prefixes = []
    for name, company in rng.sample(rows, 50):
        letters = lazy_pinyin(name)
        prefixes += [name[:1], name[:2], "".join(letters)[:4], "".join(x[0] for x in letters),
                     (company or name)[:4]]
    from index.suggest import Lexicon
    snapshot = archive.snapshot()
    with snapshot.reading() as generation:
        t = time.perf_counter()
        # What the first suggestion after an index change builds.
        Lexicon(generation.table, generation.aliases).complete(prefixes[0])
        first = (time.perf_counter() - t) * 1000
    ms = []
    for _ in range(rounds):
        for prefix in prefixes:
            t = time.perf_counter()
            archive.records.suggest(prefix)
            ms.append((time.perf_counter() - t) * 1000)
    return [(f"search as you type p50/p95/p99 ({len(prefixes)} prefixes)", _lat(ms), "", ""),
            ("  first suggestion after an index change (builds the lexicon)", f"{first:.0f} ms",
             "", "")]


def measure_threads(archive, mix, rounds):
    """A fast search while a slow one runs in another thread of the same process (as
    two requests to one gunicorn worker): each search borrows a searcher of its own
    from the index generation, so the fast one is not queued behind the slow one.
    The slow request: an export of every entry matching a common word (what
    /export/search.csv asks the index for)."""
    from index import searching
    snapshot = archive.snapshot()
    fast = [q for kind, q, _, _ in mix if kind == "name"][:10] or [mix[0][1]]
    slow_words = "用户 服务 工作"

    def slow_once():
        t = time.perf_counter()
        searching.matching_ids(snapshot, slow_words, limit=100000)
        return (time.perf_counter() - t) * 1000

    slow_alone = [slow_once() for _ in range(3)]
    alone = []
    for _ in range(rounds):
        for q in fast:
            t = time.perf_counter()
            archive.records.search(q)
            alone.append((time.perf_counter() - t) * 1000)
    stop, slow_during = threading.Event(), []

    def keep_slow():
        while not stop.is_set():
            slow_during.append(slow_once())
    worker = threading.Thread(target=keep_slow)
    worker.start()
    try:
        time.sleep(0.05)
        together = []
        for _ in range(rounds):
            for q in fast:
                t = time.perf_counter()
                archive.records.search(q)
                together.append((time.perf_counter() - t) * 1000)
    finally:
        stop.set()
        worker.join()
    return [("slow request alone (export ids of every entry matching 3 common words)",
             f"{statistics.median(slow_alone):.0f} ms", "", ""),
            ("fast search (a name) alone p50/p95", f"{percentile(alone, 50):.1f} / "
             f"{percentile(alone, 95):.1f} ms", "", ""),
            ("fast search while the slow one runs in another thread p50/p95",
             f"{percentile(together, 50):.1f} / {percentile(together, 95):.1f} ms",
             f"one lock per snapshot: waits for the slow one (up to "
             f"{statistics.median(slow_during or slow_alone):.0f} ms)", "")]


def measure_http(home, work, mix, seconds):
    """Our /search under gunicorn (its production config) vs Datasette's FTS search."""
    py = sys.executable
    urls_q = [urllib.parse.quote(q) for _, q, _, _ in mix]
    port = free_port()
    env = dict(os.environ, ARCHIVE_HOME=str(home))
    server = serve([py, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
                    "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "wsgi:app"], env, port)
    try:
        ours = load([f"http://127.0.0.1:{port}/search?q={q}" for q in urls_q], seconds)
        rss = subprocess.run(["ps", "-o", "rss=", "--ppid", str(server.pid)],
                             capture_output=True, text=True).stdout.split()
    finally:
        server.terminate()
        server.wait()
    worker_rss = max(int(x) for x in rss) / 1024 if rss else float("nan")
    ds_db = work / "fts-unicode61.db"
    dport = free_port()
    datasette = shutil.which("datasette", path=str(Path(py).parent)) or "datasette"
    ds = serve([datasette, "serve", str(ds_db), "--port", str(dport), "--setting",
                "num_sql_threads", "2", "--setting", "sql_time_limit_ms", "10000"],
               dict(os.environ), dport)
    try:
        # Tell Datasette which FTS table serves entries' _search.
        theirs = load([f"http://127.0.0.1:{dport}/{ds_db.stem}/entries?_search={q}&_fts_table="
                       f"entries_fts&_fts_pk=rowid" for q in urls_q], seconds)
    finally:
        ds.terminate()
        ds.wait()
    return [("HTTP /search throughput, 4 clients (gunicorn 2 workers) vs Datasette",
             f"{ours[0]:.0f} req/s", f"{theirs[0]:.0f} req/s", f"×{ours[0] / theirs[0]:.2f}"),
            ("HTTP latency p50 / p95", f"{ours[1]:.0f} / {ours[2]:.0f} ms",
             f"{theirs[1]:.0f} / {theirs[2]:.0f} ms", ""),
            ("HTTP errors", str(ours[3]), str(theirs[3]), ""),
            ("peak RSS per web worker (after load)", f"{worker_rss:.0f} MB", "", "")]


def write_table(args, rows, queries):
    """Print the table (and append it to --out)."""
    mix = f"query mix: {queries} queries × {args.rounds} rounds" if queries else \
        "indexing figures only"
    header = (f"Entries: {args.entries} (synthetic, seed {args.seed}); {mix}; machine: "
              f"{os.cpu_count()} cores.\n\n"
              "| figure | ours | baseline | ratio |\n|---|---|---|---|\n")
    table = header + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) + "\n"
    print(table)
    if args.out:
        cmd = " ".join(["python", "scripts/bench.py"] + sys.argv[1:])
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(f"\n## {time.strftime('%Y-%m-%d %H:%M')} — `{cmd}`\n\n{table}")
    json.dump({"rows": rows}, sys.stderr)


def main():
    args = _args()
    work = Path(args.work) / f"n{args.entries}-s{args.seed}"
    corpus, home = work / "corpus", work / "instance"
    if args.indexing:
        write_table(args, measure_indexing(args, corpus, home, work), 0)
        return
    rows = build_archive(args, corpus, home)  # (figure, ours, baseline, ratio / note)
    # Fresh 10-entry notices each run (a notice seen before would be "unchanged").
    stamp = int(time.time())
    rows += measure_processes(work, home, stamp)
    os.environ["ARCHIVE_HOME"] = str(home)
    from archive.archive import Archive
    archive = Archive(home)
    mix = query_mix(archive.db, random.Random(args.seed))
    rows += measure_search(archive, mix, args.rounds, work)
    rows += measure_suggest(archive, random.Random(args.seed), args.rounds)
    rows += measure_threads(archive, mix, args.rounds)
    extra = work / "extra2"
    shutil.rmtree(extra, ignore_errors=True)
    make_corpus.make(10, stamp + 1, extra, notices=1)
    t = time.perf_counter()
    archive.imports.import_paths(sorted(extra.glob("*.txt")))
    rows.append(("import one 10-entry notice, index included (warm, in process)",
                 f"{time.perf_counter() - t:.2f} s", "", ""))
    archive.close()
    rows += measure_http(home, work, mix, args.seconds)
    write_table(args, rows, len(mix))


if __name__ == "__main__":
    main()
