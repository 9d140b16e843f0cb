"""Background jobs (re-index, large imports): one of a kind at a time, progress in
admin.db. The Jobs service (archive/services/jobs.py) starts them."""

import os
import threading
import time
from datetime import datetime

from .db import private, store


class Busy(Exception):
    """A re-index is already running."""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, TypeError):
        return False
    except PermissionError:
        return True
    return True


#: A running job that has not reported for this long is taken for dead, even if a
#: process with its pid exists (pids are reused; a worker may hang).
STALE_SECONDS = 600


def reap(db, kind):
    """Mark running jobs whose process died (or that stopped reporting) as failed;
    returns the ids of the ones still running. Call inside a transaction."""
    running = []
    for job in private.running_jobs(db, kind):
        stale = job["heartbeat"] is not None and time.time() - job["heartbeat"] > STALE_SECONDS
        if _alive(job["pid"]) and not stale:
            running.append(job["id"])
        else:
            private.update_job(db, job["id"], {"status": "failed", "finished_at": store.now(),
                                          "error": "运行任务的进程已退出" if not stale else
                                          f"已有 {STALE_SECONDS} 秒没有进展"})
    return running


def reap_all(db):
    """reap every kind of job, in one transaction."""
    with store.transaction(db):
        for kind in ("reindex", "import"):
            reap(db, kind)


def begin(db, user, kind="reindex"):
    """Record a new running job; raises Busy if one is running (in any process)."""
    with store.transaction(db):
        if reap(db, kind):
            raise Busy("已有重建索引任务在运行。")
        return private.insert_job(db, {"kind": kind, "status": "running", "user": user,
                                       "started_at": store.now(), "done": 0, "total": 0,
                                       "pid": os.getpid(), "heartbeat": time.time()})


def run(archive_factory, job_id, work):
    """Run `work(archive, progress)` for job `job_id`, recording progress, the
    outcome and any error; for a background thread. work returns the job fields
    to record on success (snapshot, done, total …)."""
    archive = archive_factory()
    started = time.monotonic()
    last = [0.0]

    def progress(done, total):
        if time.monotonic() - last[0] > 0.5 or done == total:
            last[0] = time.monotonic()
            private.update_job(archive.private, job_id, {"done": done, "total": total or 0,
                                                         "heartbeat": time.time()})

    try:
        fields = work(archive, progress) or {}
        private.update_job(archive.private, job_id, {
            "status": "done", "finished_at": store.now(),
            "seconds": round(time.monotonic() - started, 3), **fields})
    except Exception as exc:  # recorded for the status page, not raised in a thread
        private.update_job(archive.private, job_id, {"status": "failed",
                                                     "error": str(exc)[:500],
                                                     "finished_at": store.now()})
    finally:
        archive.close()


def with_pace(job):
    """A job row with, while it runs, its pace: rate (entries a second), eta_seconds and
    pace (both in words, for the status page); None where not known yet."""
    if not job or job.get("status") != "running":
        return job
    out = dict(job, rate=None, eta_seconds=None)
    done, total = job.get("done") or 0, job.get("total") or 0
    try:
        elapsed = (job.get("heartbeat") or 0) - datetime.fromisoformat(job["started_at"]).timestamp()
    except (TypeError, ValueError):
        elapsed = 0
    if done > 0 and elapsed > 0:
        out["rate"] = done / elapsed
        out["eta_seconds"] = max(total - done, 0) / out["rate"]
    words = [f"{done} / {total} 条"]
    if out["rate"] is not None:
        words += [f"每秒 {out['rate']:.0f} 条", time_left(out["eta_seconds"])]
    out["pace"] = "，".join(words)
    return out


def time_left(seconds):
    """Seconds left, as people say them: 约剩 42 秒, 约剩 3 分钟, 约剩 1 小时 2 分钟."""
    seconds = round(seconds)
    if seconds < 1:
        return "即将完成"
    if seconds < 60:
        return f"约剩 {seconds} 秒"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"约剩 {hours} 小时 {minutes} 分钟" if hours else f"约剩 {minutes} 分钟"


def _reindex(archive, progress):
    # One writer process: forking a threaded web worker is best avoided.
    meta = archive.indexing.reindex(progress=progress, procs=1)
    return {"snapshot": meta["name"], "done": meta["entries"], "total": meta["entries"]}


def start(archive, user, kind, work):
    """Start `work` as a background job of `kind` (one at a time); returns its id."""
    job_id = begin(archive.private, user, kind)
    # The thread opens its own connections (they are not shared across threads).
    thread = threading.Thread(target=run, args=(archive.reopen, job_id, work),
                              name=f"{kind}-{job_id}", daemon=True)
    thread.start()
    return job_id


def start_reindex(archive, user):
    """Start a background re-index; returns the job id (raises Busy)."""
    return start(archive, user, "reindex", _reindex)


def start_import(archive, user, plans, allow_removal=False, accept_counts=False,
                 accept_ocr=False):
    """Store previewed plans and index them in the background; returns the job id."""
    total = sum(len(p.rows) for p in plans)

    def work(job_archive, progress):
        progress(0, total)
        # procs=1: a web worker has threads; a bulk rebuild must not fork from it.
        job_archive.imports.apply(plans, user=user, allow_removal=allow_removal,
                                  progress=progress, accept_counts=accept_counts, procs=1,
                                  accept_ocr=accept_ocr)
        return {"done": total, "total": total}
    return start(archive, user, "import", work)
