"""Parsing notice files in a child process with limits, so that no file can hang or
exhaust the process that serves the public.

Every upload and CLI import is parsed here: one child process per import, in a
session of its own (so that LibreOffice, started for a .doc, dies with it), with
an address-space limit (RLIMIT_AS), a CPU-time limit per file (RLIMIT_CPU) and a
wall-clock limit per file watched by the parent. A file that overruns gets a
clear refusal and the child is killed with its whole process group; nothing is
stored. Results come back pickled: ParsedNotice objects, or the ParseError the
file raised.
"""

import multiprocessing
import os
import signal
import threading

from .ingest import ParseError

#: Default limits: wall-clock seconds and CPU seconds per file, address space (MB).
LIMITS = {"seconds": 60, "cpu_seconds": 60, "memory_mb": 2048}
#: Modules the fork server loads once, so that each sandbox starts in milliseconds.
_PRELOAD = ["archive.ingest.documents", "archive.ingest.html_notice", "archive.ingest.office",
            "archive.ingest.pdf", "archive.ingest.tabular"]
_START_LOCK = threading.Lock()


class LimitExceeded(ParseError):
    """A file took longer or more memory to parse than the limits allow."""


def _context():
    """The fork server: a clean single-threaded process started once per process (never
    a fork of a threaded web worker), which forks a fresh child for each sandbox.
    multiprocessing keeps the context and its server; the preload applies when the
    server starts."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def parse_all(jobs, limits=None):
    """Parse jobs [(main (name, bytes), attachments, overrides[, guide])] in one sandboxed
    child (guide: the admin's reading guide, ingest/guide.py);
    returns one result per job, in order: a ParsedNotice or a ParseError (a file that
    overran its limits gets a LimitExceeded, and the jobs after it are not parsed)."""
    limits = {**LIMITS, **(limits or {})}
    if not jobs:
        return []
    context = _context()
    ours, theirs = context.Pipe()
    child = context.Process(target=_child, args=(theirs, jobs, limits), daemon=True)
    _start(child)
    theirs.close()
    results = []
    try:
        for main, *_ in jobs:
            try:
                if not ours.poll(limits["seconds"]):
                    results.append(_overrun(main[0], limits, "time"))
                    break
                results.append(ours.recv())
            except (EOFError, OSError):  # killed by the CPU or memory limit
                child.join(5)
                results.append(_overrun(main[0], limits, _cause(child.exitcode)))
                break
    finally:
        ours.close()
        _kill(child)
    while len(results) < len(jobs):
        results.append(ParseError("前一个文件解析失败，这个文件没有解析",
                                  filename=jobs[len(results)][0][0]))
    return results


def _start(child):
    """Start a sandbox child without running the parent's main module in it, as
    multiprocessing otherwise does: the child needs only this module, and a main
    module that is a script without a __main__ guard, or stdin, must not run again."""
    from multiprocessing import spawn
    original = spawn.get_preparation_data

    def without_main(name):
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    with _START_LOCK:
        spawn.get_preparation_data = without_main
        try:
            child.start()
        finally:
            spawn.get_preparation_data = original


def _cause(exitcode):
    """Why the child died: the CPU limit (SIGXCPU), memory (killed by the kernel, or an
    allocation that failed where no Python code could catch it), or something else."""
    if exitcode == -signal.SIGXCPU:
        return "cpu"
    if exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT):
        return "memory"
    return f"exit {exitcode}"


def _overrun(filename, limits, cause):
    what = {"time": f"解析超过 {limits['seconds']} 秒",
            "cpu": f"解析超过 {limits['cpu_seconds']} 秒 CPU 时间",
            "memory": f"解析超过 {limits['memory_mb']} MB 内存"}.get(cause)
    if what is None:
        return LimitExceeded(f"解析进程意外退出（{cause}），已停止；没有导入任何内容",
                             filename=os.path.basename(filename))
    return LimitExceeded(f"文件过大或结构异常，{what}，已停止；没有导入任何内容",
                         filename=os.path.basename(filename))


def _kill(child):
    """End the child and everything it started (LibreOffice included): the child leads
    a process group of its own."""
    if child.pid is not None:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    child.join()
    child.close()


def _child(conn, jobs, limits):
    """The child's side: parse each job under its limits and send each result."""
    import resource

    from .ingest import parse_files

    os.setsid()  # its own process group, killed as a whole
    memory = limits["memory_mb"] * 1024 * 1024
    # The soft limit only: LibreOffice (office.doc_document) lifts its own.
    resource.setrlimit(resource.RLIMIT_AS, (memory, resource.RLIM_INFINITY))
    for main, attachments, overrides, *guide in jobs:
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (spent + limits["cpu_seconds"],
                                                 resource.RLIM_INFINITY))
        try:
            result = parse_files(main, attachments, overrides, guide=guide[0] if guide else None)
        except ParseError as exc:
            result = exc
        except MemoryError:
            result = LimitExceeded(f"文件过大或结构异常，解析超过 {limits['memory_mb']} MB 内存，"
                                   "已停止；没有导入任何内容", filename=main[0])
        except RecursionError:
            result = ParseError("文件结构嵌套过深，无法读取", filename=main[0])
        except Exception as exc:  # a reader's own failure on a malformed file
            result = ParseError(f"无法读取这个文件（{type(exc).__name__}）；文件可能已损坏",
                                filename=main[0])
        conn.send(result)
    conn.close()
