"""The `archive` command: a thin shell over the application object's services."""

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from index.parsing import QueryError
from index.snapshots import NoSnapshot

from . import exports
from .importer import ACTIONS, PLANNED
from .markup import marked_hits
from .services.accounts import AuthError
from .services.indexing import IndexWriteError
from .ingest.columns import COLUMN_LABELS
from .ingest.guide import from_flags, layout_text
from .ingest.merge import merge_message
from .vocabulary import FIELD_LABELS, KIND_LABELS, STAGE_LABELS
from .archive import Archive
from .services.imports import IndexPending
from .ingest import ParseError


def _archive(ctx):
    return ctx.ensure_object(dict).setdefault("archive", Archive())


def _writable(ctx):
    """The archive, unless this instance is a read-only replica (its data come from
    releases only: `archive follow`)."""
    archive = _archive(ctx)
    if archive.read_only:
        raise click.ClickException("这是只读副本（ARCHIVE_READ_ONLY=1）：不能在这里写入；"
                                   "在主实例上导入、更正、重建，再 archive release，副本 archive follow")
    return archive


@contextmanager
def _index_progress(label="indexing"):
    """progress(done, total) drawing a bar with entries/s and time left on a terminal's
    standard error; quiet (None) when standard error is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    state = {"bar": None, "done": 0, "started": time.monotonic()}

    def progress(done, total):
        if state["bar"] is None:
            state["bar"] = click.progressbar(
                length=max(total, 1), label=label, file=sys.stderr, show_eta=True,
                item_show_func=lambda _: f"{state['done'] / max(time.monotonic() - state['started'], 1e-6):.0f} entries/s")
            state["bar"].__enter__()
        state["bar"].update(done - state["done"])
        state["done"] = done
    try:
        yield progress
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


def _echo_json(data):
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.version_option(package_name="honors-archive")
@click.pass_context
def main(ctx):
    """Honors Archive: the honorees of the national telecom service awards.

    Data lives in the instance folder: ./instance, or $ARCHIVE_HOME when set.
    """
    ctx.ensure_object(dict)
    ctx.call_on_close(lambda: ctx.obj.get("archive") and ctx.obj["archive"].close())


@main.command()
@click.pass_context
def init(ctx):
    """Create the instance folder and schema, import the bundled notices and
    build the first index snapshot. Running it again changes nothing."""
    archive = _writable(ctx)
    try:
        plans = archive.imports.init()
    except ParseError as exc:
        raise click.ClickException(str(exc)) from exc
    for p in plans:
        click.echo(p.summary())
    click.echo(f"archive ready in {archive.home}")


def _metadata_options(command):
    """The flags that supply notice metadata a file lacks (and override what it says)."""
    options = [
        ("--title", "Notice title (关于表彰…的通报)."),
        ("--publisher", "Publisher, e.g. 工业和信息化部."),
        ("--published", "Publication date, YYYY-MM-DD."),
        ("--cycle", "Award cycle, e.g. 2021-2022."),
        ("--stage", "candidates (公示) or honorees (表彰)."),
        ("--doc-number", "The notice's own document number, e.g. 工信行建〔2023〕1号."),
        ("--region", "Province of a provincial notice, e.g. 北京."),
        ("--source-url", "Where the notice is published (http or https)."),
    ]
    for flag, text in reversed(options):
        command = click.option(flag, help=text)(command)
    return command


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--attach", "attachments", multiple=True, type=click.Path(dir_okay=False),
              help="An attachment of the notice page (.docx .doc .xlsx .xls .pdf .html "
                   ".csv); repeat for each. The page and its attachments are one notice.")
@_metadata_options
@click.option("--remove-entries", is_flag=True,
              help="Confirm that a new version of a notice removes entries (they are "
                   "retired, and the earlier version is kept).")
@click.option("--accept-count-mismatch", "accept_counts", is_flag=True,
              help="Import although counts the notice states (等133名个人, （3名）) differ "
                   "from the entries read; without it such an import is refused.")
@click.option("--accept-ocr", is_flag=True,
              help="Import lists read by OCR (scans, photos, image-only PDF and OFD pages) "
                   "after checking the cells it prints; without it such an import is refused.")
@click.option("--table", type=int, help="Where the list is, when it is not found or read "
              "wrong: the table (1-based, as a failed import prints them).")
@click.option("--header-row", type=int, help="With --table: the row its header stands in.")
@click.option("--column", "columns", multiple=True, metavar="N=FIELD",
              help="What column N holds (姓名, 单位, 职务 … or name, unit, position); repeat "
                   "for each; overrides the header's own labels.")
@click.option("--lines", metavar="A-B", help="The text lines A to B form the list (each split "
              "at ，、 or spaces into columns).")
@click.option("--guide", "guide_file", type=click.Path(dir_okay=False, exists=True),
              help="A JSON file saying where the list is: {\"table\": 2, \"header_row\": 1, "
                   "\"columns\": {\"2\": \"姓名\"}} or {\"lines\": [12, 40]}.")
@click.option("--dry-run", is_flag=True, help="Print what would be stored; write nothing.")
@click.pass_context
def import_(ctx, paths, attachments, remove_entries, accept_counts, accept_ocr, table,
            header_row, columns, lines, guide_file, dry_run, **metadata):
    """Import notice files, all or nothing: pages (.txt .html), lists (.csv .json
    .docx .doc .xlsx .xls .pdf).

    Prints per file: imported, unchanged or replaced, with entry counts, the
    stored notice it matches, honorees merged from the page and its
    attachments, and every warning. The metadata flags supply what a
    list-only file lacks and override what a file says.
    """
    archive = _archive(ctx) if dry_run else _writable(ctx)
    overrides = {k: v for k, v in metadata.items() if v is not None}
    try:
        guide = from_flags(table, header_row, columns, lines,
                           Path(guide_file).read_text("utf-8") if guide_file else None)
    except (ParseError, OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"名单位置：{exc}") from exc
    try:
        with _index_progress() as progress:
            plans = archive.imports.import_paths(
                paths, dry_run=dry_run, overrides=overrides, attachments=attachments,
                allow_removal=remove_entries, accept_counts=accept_counts, progress=progress,
                accept_ocr=accept_ocr, guide=guide)
    except IndexPending as exc:
        raise click.ClickException(str(exc)) from exc
    except ParseError as exc:
        where = ""
        if getattr(exc, "layout", None):
            where = ("\n\n可用 --table N --header-row N --column N=字段，或 --lines A-B 指出名单"
                     "（--guide 文件亦可）。文件中读到：\n" + layout_text(exc.layout))
        raise click.ClickException(f"未导入任何内容：\n{exc}{where}") from exc
    except OSError as exc:
        raise click.ClickException(f"未导入任何内容：\n{exc}") from exc
    for p in plans:
        action = (PLANNED if dry_run else ACTIONS)[p.action]
        click.echo(f"{p.source_name}：{action}（{len(p.rows)} 条）")
        if p.match:
            click.echo(f"  与库中通知 {p.match['id']}「{p.match['title']}」是同一份通知："
                       f"{p.match_reason}")
        for line in merge_lines(p.merges):
            click.echo(f"  {line}")
        for m in p.mismatches:
            click.echo(f"  数量不符：{m}" + ("（已确认）" if accept_counts else ""))
        for d in p.parsed.doubts:
            click.echo(f"  请核对（OCR）：{d['where']} {d['name']}："
                       f"{FIELD_LABELS.get(d['field'], d['field'])}“{d['text']}”（{d['reason']}）")
        for warning in p.warnings:
            click.echo(f"  警告：{warning}")
        for c in p.conflicts:
            click.echo(f"  与人工更正冲突：{c['name']} {FIELD_LABELS.get(c['field'], c['field'])}："
                       f"已更正为“{c['corrected']}”，通知中为“{c['incoming']}”（保留更正）")
        for e in p.removed_entries:
            click.echo(f"  {'将删除' if dry_run else '已删除'}：{e['id']} {e['name']}"
                       + ("（已人工更正）" if e["corrected"] else ""))
        if dry_run:
            _echo_plan(p)


def merge_lines(merges):
    """What the CLI prints of honorees merged from several lists of one import."""
    if not merges:
        return []
    lines = [merge_message(merges) + "："]
    for m in merges:
        line = f"  {m.name}：{' + '.join(m.sources)}"
        if m.filled:
            line += "；补充了" + "、".join(FIELD_LABELS.get(f, f) for f in m.filled)
        lines.append(line)
        for c in m.conflicts:
            values = "；".join(f"{source}为“{value}”" for source, value in c.values)
            lines.append(f"    {FIELD_LABELS.get(c.field, c.field)}不一致：{values}；"
                         f"采用{c.values[c.chosen][0]}的值")
    return lines


def _echo_plan(p):
    n = p.notice
    click.echo(f"  通知 {p.notice_id}：{n['title']} | {n['publisher']} | 发布 {n['published']} | "
               f"成文 {n.get('signed') or '-'} | {n['cycle']} | {STAGE_LABELS[n['stage']]} | "
               f"{n['doc_number'] or '-'}")
    for t in p.parsed.tables:
        columns = "，".join(f"{label}→{_column_label(field)}" for label, field in t.mapping)
        if t.header_row is None:
            click.echo(f"  {t.source}：按条目（姓名：……）读取，{len(t.entries)} 条")
        else:
            click.echo(f"  {t.source}：表头在第 {t.header_row} 行：{columns}")
        for row, label, sets in t.groups:
            click.echo(f"    第 {row} 行：分组 {label}（{sets}）")
        for row, reason, text in t.skipped:
            click.echo(f"    第 {row} 行：跳过，{reason}：{text[:40]}")
    for row in p.rows:
        click.echo(f"  {row['id']} {KIND_LABELS[row['kind']]} {row['name']} | {row['unit'] or '-'} | "
                   f"{row['company'] or '-'} | {row['operator']} | {row['region'] or '-'}")


def _column_label(field):
    return COLUMN_LABELS.get(field, field)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of notices.")
@click.pass_context
def notices(ctx, as_json):
    """List every notice with its metadata and entry count."""
    rows = [{k: r[k] for k in NOTICE_COLUMNS} for r in _archive(ctx).records.notices()["notices"]]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']}  {r['published']}  {r['cycle']}  {r['stage']:<10}  "
                   f"{r['entries']:>5}  {r['publisher']}  {r['title']}")


NOTICE_COLUMNS = ("id", "title", "publisher", "published", "cycle", "stage", "region",
                  "doc_number", "source_url", "entries")


@main.command("list")
@click.option("--cycle", help="Only this award cycle, e.g. 2017-2018.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of entries.")
@click.pass_context
def list_(ctx, cycle, as_json):
    """List entries, by cycle, operator and company."""
    rows = _archive(ctx).records.entries(cycle=cycle)
    if as_json:
        _echo_json([exports.export_row(r) for r in rows])
        return
    for r in rows:
        click.echo(f"{r['id']}  {r['cycle']}  {r['kind']:<10}  {r['name']}  {r['company'] or ''}")


@main.command()
@click.argument("entry_id")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as a JSON object.")
@click.pass_context
def show(ctx, entry_id, as_json):
    """Show one entry with its citation."""
    entry = _archive(ctx).records.entry(entry_id)
    if entry is None:
        raise click.ClickException(f"no entry with id {entry_id!r}")
    if as_json:
        _echo_json(exports.export_row(entry))
        return
    for key in exports.EXPORT_FIELDS:
        if key != "citation" and entry.get(key) is not None:
            click.echo(f"{key:>14}: {entry[key]}")
    click.echo(f"{'source':>14}: {entry['publisher']} {entry['published']} {entry['notice_title']}")
    related = _archive(ctx).records.related(entry)
    if related:
        click.echo(f"{'related':>14}:")
        for r in related:
            click.echo(f"{'':>16}{r['id']}  {r['cycle']}  {r['stage']:<10}  {r['published']}  "
                       f"{r['notice_title']}")
    click.echo("")
    click.echo(entry.get("citation") or "")


@main.command()
@click.argument("query", required=False, default="")
@click.option("--cycle", help="Filter: award cycle, e.g. 2017-2018.")
@click.option("--operator", help="Filter: operator group, e.g. 中国联通.")
@click.option("--kind", type=click.Choice(["individual", "team"]), help="Filter: kind.")
@click.option("--region", help="Filter: region (province), e.g. 北京.")
@click.option("--stage", type=click.Choice(["candidates", "honorees"]), help="Filter: stage.")
@click.option("--sort", type=click.Choice(["relevance", "newest"]), default="relevance",
              show_default=True, help="Result order.")
@click.option("--page", type=int, default=1, show_default=True, help="Result page.")
@click.option("--per-page", type=int, default=20, show_default=True, help="Results per page.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON result object.")
@click.pass_context
def search(ctx, query, cycle, operator, kind, region, stage, sort, page, per_page, as_json):
    """Search the archive (names, pinyin, companies, citation words)."""
    filters = {"cycle": cycle, "operator": operator, "kind": kind, "region": region,
               "stage": stage}
    try:
        result = _archive(ctx).records.search(query, filters=filters, page=page,
                                              per_page=per_page, sort=sort)
    except (QueryError, NoSnapshot) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:  # as /api/search answers
        _echo_json({**result, "results": marked_hits(result["results"])})
        return
    click.echo(f"{result['total']} results" + (" (relaxed: any word)" if result["relaxed"] else ""))
    for hit in result["results"]:
        click.echo(f"{hit['id']}  {hit['score']:>8.3f}  {hit['cycle']}  {hit['name']}  "
                   f"{hit['company'] or ''}")


@main.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the whole index into a new snapshot and switch to it atomically."""
    archive = _writable(ctx)
    try:
        with _index_progress() as progress:
            meta = archive.indexing.reindex(progress=progress)
    except (IndexWriteError, OSError) as exc:
        raise click.ClickException(f"重建索引失败，现行索引不变：{exc}") from exc
    click.echo(f"snapshot {meta['name']} live: {meta['entries']} entries in "
               f"{meta['build_seconds']} s")


@main.command("publish")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--refresh", is_flag=True,
              help="Rebuild the instance's own public file (/data) while changes are "
                   "pending; what imports and corrections start in the background.")
@click.pass_context
def publish_(ctx, path, refresh):
    """Write the public SQLite file to PATH (public data only: notices, entries,
    corrections; a jieba full-text table for Datasette) and metadata.json beside it."""
    publishing = (_writable(ctx) if refresh else _archive(ctx)).publishing
    if refresh:
        click.echo(f"{publishing.refresh()} rebuild(s) of {publishing.path}")
        return
    if path is None:
        raise click.UsageError("give a PATH, or --refresh for the instance's own file")
    done = publishing.publish(path)
    click.echo(f"{path}: {done['notices']} notices, {done['entries']} entries, "
               f"{done['bytes'] / 1e6:.1f} MB; metadata in {path.with_name('metadata.json')}")
    click.echo(f"datasette {path} -m {path.with_name('metadata.json')}")


@main.command()
@click.option("--repair", is_flag=True,
              help="Finish pending index work and re-index whatever drifted.")
@click.pass_context
def check(ctx, repair):
    """Compare the store and the live index; exit 1 on any drift, listing it.
    Also removes upload previews older than a day."""
    archive = _writable(ctx) if repair else _archive(ctx)
    removed = 0 if archive.read_only else archive.uploads.expire()
    if removed:
        click.echo(f"removed {removed} expired upload preview{'s' if removed > 1 else ''}")
    try:
        if repair:
            fixed = archive.indexing.repair()
            click.echo("repaired: " + ", ".join(f"{n} {k}" for k, n in fixed.items()))
        drift = archive.indexing.check()
    except NoSnapshot as exc:
        raise click.ClickException(str(exc)) from exc
    for kind in ("missing", "extra", "stale"):
        for entry_id in drift[kind]:
            click.echo(f"{kind}: {entry_id}")
    if not drift["ok"]:
        raise click.ClickException(
            f"index drift: {len(drift['missing'])} missing, {len(drift['extra'])} extra, "
            f"{len(drift['stale'])} stale; run `archive check --repair` or `archive reindex`")
    click.echo("store and index agree")


@main.group()
def admin():
    """Admin accounts for the web admin area."""


def _read_password(prompt):
    """A password asked twice on a terminal, or the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _account(action, name, prompt, done):  # action: a method of a writable archive
    password = _read_password(prompt)
    try:
        action(name, password)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(done)


@admin.command("create-user")
@click.argument("name")
@click.pass_context
def create_user(ctx, name):
    """Create an admin account. The password is asked twice on a terminal,
    or read from the first line of standard input."""
    _account(_writable(ctx).accounts.create, name, "Password", f"admin user {name} created")


@admin.command("set-password")
@click.argument("name")
@click.pass_context
def set_password(ctx, name):
    """Change an admin's password and end their sessions. The password is asked
    twice on a terminal, or read from the first line of standard input."""
    _account(_writable(ctx).accounts.set_password, name, "New password",
             f"password of {name} changed; their sessions have ended")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def backup(ctx, path):
    """Back up the store to PATH (SQLite online backup; safe while the app serves)."""
    try:
        out = _archive(ctx).backups.backup(path)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {out}")


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def restore(ctx, path):
    """Restore a backup into this instance folder (which must be new) and rebuild
    the index from it."""
    archive = _writable(ctx)
    try:
        meta = archive.backups.restore(path)
    except (FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {meta['entries']} entries into {archive.home}; "
               f"snapshot {meta['name']} live")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def release(ctx, folder):
    """Write a release of the live state into FOLDER (the store, the index snapshot, the
    public SQLite file, a manifest with their checksums) for read-only replicas to
    follow, and print its path; keeps the newest ARCHIVE_RELEASES_KEEP there."""
    try:
        click.echo(_writable(ctx).releases.release(folder))
    except NoSnapshot as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("source")
@click.option("--every", type=float, metavar="SECONDS",
              help="Keep following: look for a newer release every SECONDS.")
@click.pass_context
def follow(ctx, source, every):
    """Install the newest release of SOURCE (a releases folder, or its http(s) address)
    into this instance (a replica: ARCHIVE_READ_ONLY=1), after checking every checksum;
    a corrupt or partial release is refused (exit 1) and the served one kept."""
    from .services.releases import ReleaseError, follow_every
    releases = _archive(ctx).releases
    if every:
        follow_every(releases, source, every, lambda message: click.echo(message, err=True))
        return
    try:
        name, changed = releases.follow(source)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"release {name} " + ("installed" if changed else "already served"))


if __name__ == "__main__":
    main()
