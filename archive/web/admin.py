"""Admin area: login, upload -> preview -> import, corrections, re-index, status."""

import functools

from flask import (Blueprint, abort, flash, g, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from index.parsing import QueryError

from ..importer import ACTIONS, base_name, change_text
from ..services.accounts import AuthError, Throttled
from ..services.corrections import EDITABLE_FIELDS, StaleEntry
from ..services.imports import IndexPending
from ..services.jobs import Busy
from ..services.uploads import CountMismatch, Gone, OcrNotReviewed, RemovalNotConfirmed
from ..ingest import FLAGS, FORMATS, ParseError
from ..ingest.columns import COLUMN_LABELS
from ..ingest.guide import FIELDS as GUIDE_FIELDS, check_guide
from . import labels
from .context import get_archive
from .params import or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def _upload_formats():
    """The file endings the upload form offers: every format the readers take."""
    return {"upload_accept": ",".join("." + f for f in FORMATS)}


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=1024)])


class MetadataForm(FlaskForm):
    """Notice metadata the admin supplies where a file lacks it (or says it wrong)."""

    title = StringField("通知标题", validators=[Length(max=500)])
    publisher = StringField("发文机关（落款单位，不是网页的“来源”部门）", validators=[Length(max=100)])
    published = StringField("发布日期（YYYY-MM-DD）", validators=[Length(max=20)])
    cycle = StringField("评选年度（如 2021-2022）", validators=[Length(max=20)])
    stage = SelectField("阶段", choices=[SelectChoice("", "按标题判断"),
                                        SelectChoice("candidates", "候选人公示"),
                                        SelectChoice("honorees", "表彰获奖")], default="")
    doc_number = StringField("文号（通知自身的文号）", validators=[Length(max=100)])
    region = StringField("地区（省级通知，如 北京）", validators=[Length(max=20)])
    source_url = StringField("原文链接（http 或 https）", validators=[Length(max=500)])

    def overrides(self):
        """The values filled in, keyed as the importer takes them."""
        return {key: getattr(self, key).data.strip() for key in FLAGS
                if (getattr(self, key).data or "").strip()}


class UploadForm(MetadataForm):
    notice = FileField("通知文件（网页 html/txt，名单 docx、doc、xlsx、xls、pdf、ofd、csv、json，"
                       "或扫描件、照片 jpg、png、tif）", validators=[FileRequired()])
    attachments = MultipleFileField("附件（可多选；与通知合为同一份通知导入）")


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token (confirm, cancel, re-index, logout)."""


class EntryForm(FlaskForm):
    # The entry's content hash when the form was opened: a submit against a changed
    # entry is refused (StaleEntry).
    version = HiddenField(validators=[DataRequired(), Length(max=64)])
    name = StringField("姓名 / 班组名称", validators=[DataRequired(), Length(max=200)])
    gender = StringField("性别", validators=[Length(max=10)])
    ethnicity = StringField("民族", validators=[Length(max=20)])
    birth = StringField("出生年月（如 1989-11-08 或 1982-12）", validators=[Length(max=20)])
    education = StringField("学历", validators=[Length(max=50)])
    position = StringField("职务", validators=[Length(max=200)])
    unit = StringField("单位", validators=[Length(max=300)])
    company = StringField("推荐单位", validators=[Length(max=200)])
    operator = StringField("运营商", validators=[Length(max=50)])
    region = StringField("地区", validators=[Length(max=50)])
    team_category = StringField("班组类别", validators=[Length(max=100)])
    team_size = StringField("班组人数", validators=[Length(max=10)])
    citation = TextAreaField("申报说明材料", validators=[Length(max=100000)])


def current_user():
    """The logged-in admin's name, or None (the account must still exist)."""
    if "user" not in g:
        name = session.get("user")
        version = get_archive().accounts.session_version(name) if name else None
        # A session ends with logout or a password change (the version moves on).
        g.user = name if version is not None and session.get("sv") == version else None
    return g.user


def login_required(view):
    """Pages redirect to the login page; /admin/api/* answers 401."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if request.path.startswith("/admin/api/"):
                return jsonify(error="Unauthorized", message="请先登录。", status=401), 401
            return redirect(url_for("admin.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


@bp.app_context_processor
def _inject():
    return {"admin_user": session.get("user")}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in; failed attempts are throttled per (user, address), with backoff."""
    form = LoginForm()
    error = None
    status = 200
    headers = {}
    if form.validate_on_submit():
        try:
            name = get_archive().accounts.login(form.username.data, form.password.data,
                                                request.remote_addr or "?")
        except Throttled as exc:
            error, status = str(exc), 429
            headers["Retry-After"] = str(exc.retry_after)
        except AuthError as exc:
            error, status = str(exc), 401
        else:
            session.clear()
            session.permanent = True
            session["user"] = name
            session["sv"] = get_archive().accounts.session_version(name)
            target = request.args.get("next") or ""
            if not target.startswith("/admin") or target.startswith("//"):
                target = url_for("admin.dashboard")
            return redirect(target)
    elif request.method == "POST":
        error, status = "请填写用户名和密码。", 400
    return render_template("admin/login.html", form=form, error=error), status, headers


@bp.post("/logout")
def logout():
    """Log out (POST with a CSRF token); every session of this user ends."""
    if ActionForm().validate_on_submit() and current_user():
        get_archive().accounts.end_sessions(current_user())
    session.clear()
    return redirect(url_for("public.home"))


@bp.get("/")
@login_required
def dashboard():
    """Status: snapshot, counts, drift, last imports and re-index."""
    return render_template("admin/dashboard.html", status=get_archive().indexing.status(),
                           form=ActionForm(), upload=UploadForm())


@bp.get("/api/status")
@login_required
def api_status():
    """The status as JSON (polled by the status page while a re-index runs)."""
    status = get_archive().indexing.status()
    return jsonify({k: status[k] for k in ("snapshot", "age_seconds", "build_seconds",
                                           "store_entries", "index_entries", "drift",
                                           "reindex", "import")})


def _open(token):
    """A live upload of the current admin's, or 404."""
    try:
        return get_archive().uploads.open(token, current_user())
    except Gone:
        abort(404)


def _suffix(filename):
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


@bp.post("/upload")
@login_required
def upload():
    """Receive a notice file (and its attachments), parse them once in the sandbox, and
    send the admin to the preview's own address (nothing written; a reload reads the
    kept files, never uploads again). Files and what was read are kept for the preview
    until confirm or cancel."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    sent = [form.notice.data] + [f for f in (form.attachments.data or []) if f and f.filename]
    names = [base_name(f.filename or "notice") for f in sent]
    bad = [n for n in names if _suffix(n) not in FORMATS]
    if bad:
        return _upload_error(f"{bad[0]}：不支持的文件类型，请上传 "
                             + "、".join(FORMATS) + " 文件。")
    staged = get_archive().uploads.stage(current_user(),
                                         [(name, f.read()) for name, f in zip(names, sent)],
                                         form.overrides())
    return _parsed_then_preview(staged)


def _parsed_then_preview(staged):
    """Parse a kept upload (again) and redirect to its preview (POST -> redirect -> GET);
    a file nobody can point into (not a notice at all) is refused here and discarded."""
    try:
        get_archive().uploads.plan(staged, parse=True)
    except ParseError as exc:
        if exc.layout is None and exc.field not in FLAGS:
            get_archive().uploads.discard(staged)
            return _upload_error(f"无法导入：{exc}")
    return redirect(url_for("admin.preview", token=staged.token), 303)


def _choices(form):
    """The admin's picks where a page and its attachments disagree: {conflict key: index};
    and the values typed over OCR'd cells: {"ocr:<n>": text}."""
    out = {}
    for key, value in form.items():
        if key.startswith("choice:") and value.isdigit() and len(value) < 4:
            out[key[len("choice:"):]] = int(value)
        elif key.startswith("ocr:") and key[4:].isdigit() and len(key) < 10:
            out[key] = value[:500]
    return out


@bp.get("/upload/<token>")
@login_required
def preview(token):
    """Another page of a kept upload's preview."""
    return _preview(_open(token), request.args.get("page", "1"))


#: Rows of a preview shown per page.
PREVIEW_ROWS = 200


def _preview(staged, page="1", error=None):
    """The preview of a kept upload, from what was read at upload; the metadata form when
    the files lack some, the reading guide when no list was found."""
    meta, token = staged.meta, staged.token
    try:
        plans = get_archive().uploads.plan(staged)
    except ParseError as exc:
        if exc.layout is not None:
            # No list found, or not read: the admin points at it (never a dead end).
            return render_template("admin/preview.html", plan=None, token=token, meta=meta,
                                   form=ActionForm(), metadata=MetadataForm(
                                       data=meta.get("overrides") or {}),
                                   layout=exc.layout, guide=meta.get("guide"),
                                   guide_fields=GUIDE_FIELDS,
                                   error=error or f"没有读出名单（{exc}）。请在下方指出名单所在的"
                                   "表格或文字行，以及各列是什么。"), 400
        if exc.field in FLAGS:
            form = MetadataForm(data=meta.get("overrides") or {})
            if exc.missing:
                labels_ = "、".join(getattr(form, key).label.text for key in exc.missing)
                error = f"文件中没有以下通知信息，请在下方补充：{labels_}。"
            else:
                error = f"通知信息有误，请更正：{exc}"
            return render_template("admin/preview.html", plan=None, token=token, meta=meta,
                                   form=ActionForm(), metadata=form, error=error), 400
        get_archive().uploads.discard(staged)
        return _upload_error(f"无法导入：{exc}")
    plan = plans[0]
    pages = max(1, -(-len(plan.rows) // PREVIEW_ROWS))
    if not page.isdigit() or not 1 <= int(page) <= pages:
        abort(404)
    start = (int(page) - 1) * PREVIEW_ROWS
    return render_template("admin/preview.html", plan=plan, token=token, meta=meta,
                           form=ActionForm(), metadata=MetadataForm(data=meta["overrides"]),
                           added=set(plan.added), changed=set(plan.changed),
                           removed=set(plan.removed), field_labels=FIELD_LABELS, change_text=change_text,
                           choices=meta.get("choices") or {},
                           rows=plan.rows[start:start + PREVIEW_ROWS], first=start,
                           page=int(page), pages=pages, error=error,
                           layout=plan.parsed.layout, guide=meta.get("guide"),
                           guide_fields=GUIDE_FIELDS), 200


#: What each column the header mapper found holds, and each entry field, as the preview
#: names them.
FIELD_LABELS = {**labels.FIELDS, **COLUMN_LABELS}


@bp.post("/upload/<token>/metadata")
@login_required
def metadata(token):
    """Supply or correct the notice's metadata, then parse and preview again."""
    form = MetadataForm()
    if not form.validate_on_submit():
        abort(400)
    staged = _open(token)
    get_archive().uploads.set_overrides(staged, form.overrides())
    return _parsed_then_preview(staged)


@bp.post("/upload/<token>/guide")
@login_required
def guide(token):
    """Say where the list is (a table, its header row and columns; or text lines), or
    let the reader find it again; then parse and preview again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    staged = _open(token)
    try:
        chosen = check_guide(_guide_form(request.form))
    except ParseError as exc:
        response, _ = _preview(staged, error=f"名单位置有误：{exc}")
        return response, 400
    get_archive().uploads.set_guide(staged, chosen)
    return _parsed_then_preview(staged)


def _guide_form(form):
    """The guide a preview form gives (ingest/guide.py's shape); {} for 自动识别."""
    mode = form.get("mode")
    columns = {key[4:]: value for key, value in form.items()
               if key.startswith("col:") and key[4:].isdigit() and len(key) < 9}
    if mode == "table":
        return {"table": form.get("table"), "header_row": form.get("header_row"),
                "columns": columns}
    if mode == "lines":
        return {"lines": [form.get("first"), form.get("last")], "columns": columns}
    return {}


def _upload_error(message):
    return render_template("admin/dashboard.html", status=get_archive().indexing.status(),
                           form=ActionForm(), upload=UploadForm(), error=message), 400


#: Said when a preview was confirmed or cancelled by another request first.
_GONE = "这次导入已经确认或取消（或已过期），请重新上传。"


@bp.post("/upload/<token>/confirm")
@login_required
def confirm(token):
    """Import the previewed files in one transaction and update the index: what was
    read at upload, never parsed again."""
    if not ActionForm().validate_on_submit():
        abort(400)
    staged = _open(token)
    try:
        outcome, plans = get_archive().uploads.confirm(
            staged, current_user(), _choices(request.form),
            allow_removal=request.form.get("confirm_removal") == "y",
            accept_counts=request.form.get("accept_counts") == "y",
            accept_ocr=request.form.get("accept_ocr") == "y")
    except Gone:
        return _upload_error(_GONE)
    except IndexPending as exc:
        flash(str(exc))
        return redirect(url_for("admin.dashboard"))
    except Busy as exc:
        return _upload_error(f"无法导入：{exc}")
    except OcrNotReviewed:
        response, _ = _preview(staged, error="名单由文字识别（OCR）读出：请核对标出的单元格，"
                               "勾选“已核对识别结果”后再导入。")
        return response, 400
    except CountMismatch:
        response, _ = _preview(staged, error="通知注明的数量与读到的条目数不符："
                               "请核对后勾选“已核对”再导入。")
        return response, 400
    except RemovalNotConfirmed:
        response, _ = _preview(staged, error="这个新版本会删除下列记录：请勾选"
                               "“确认删除”后再导入（旧版本会保留）。")
        return response, 400
    except ParseError as exc:
        return _upload_error(f"无法导入：{exc}")
    if outcome == "started":
        flash(f"{staged.meta['filename']}：条目较多，已开始后台导入；完成前检索结果不变。")
        return redirect(url_for("admin.dashboard"))
    flash(f"{staged.meta['filename']}：{ACTIONS[plans[0].action]}，{len(plans[0].rows)} 条记录。")
    return redirect(url_for("public.notice", notice_id=plans[0].notice_id))


@bp.post("/upload/<token>/cancel")
@login_required
def cancel(token):
    """Discard a previewed upload."""
    if not ActionForm().validate_on_submit():
        abort(400)
    staged = _open(token)
    try:
        get_archive().uploads.cancel(staged)
    except Gone:
        return _upload_error(_GONE)
    flash("已取消导入。")
    return redirect(url_for("admin.dashboard"))


@bp.route("/entries/<entry_id>", methods=["GET", "POST"])
@login_required
def entry(entry_id):
    """Edit an entry's fields; every change goes to the audit trail."""
    corrections = get_archive().corrections
    editable = or_404(corrections.editable(entry_id))

    def current_form(**kwargs):
        return EntryForm(data={**editable["fields"], "version": editable["version"]}, **kwargs)

    form = current_form()
    error, status, conflict = None, 400, []
    if form.validate_on_submit():
        changes = {k: getattr(form, k).data for k in EDITABLE_FIELDS}
        try:
            changed = corrections.correct(entry_id, changes, current_user(), form.version.data)
        except StaleEntry:
            # What the admin typed stays in the form, beside the values as they are now;
            # the form now stands on the current version, so a resubmit saves it.
            editable = or_404(corrections.editable(entry_id))
            form.version.data = editable["version"]
            conflict = [(labels.field_label(k), typed, now)
                        for k, typed, now in corrections.differences(entry_id, changes)]
            error, status = ("这条记录在您打开表单之后已被更改（例如重新导入了通知的新版本）；"
                             "没有保存任何改动。您填写的内容保留在表单中，与现在的值对照如下；"
                             "核对后可再次保存。"), 409
        except ValueError as exc:
            error = f"无法保存：{exc}"
        else:
            flash(f"已保存：{'、'.join(labels.field_label(k) for k in changed)}" if changed
                  else "没有改动。")
            return redirect(url_for("admin.entry", entry_id=entry_id))
    elif request.method == "POST":
        error = "表单内容无效：" + "；".join(f"{getattr(form, k).label.text}：{'，'.join(v)}"
                                        for k, v in form.errors.items())
    return render_template("admin/entry.html", entry=editable["entry"], form=form, error=error,
                           conflict=conflict,
                           history=corrections.trail(entry_id)), status if error else 200


@bp.get("/entries")
@login_required
def entries():
    """Find an entry to correct."""
    q = request.args.get("q", "")
    result = None
    if q:
        try:
            result = get_archive().records.search(q, per_page=50)
        except QueryError as exc:
            flash(str(exc))
    return render_template("admin/entries.html", q=q, result=result)


@bp.post("/reindex")
@login_required
def reindex():
    """Start a full re-index in the background (one at a time)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        get_archive().jobs.reindex(current_user())
        flash("已开始重建索引；检索不受影响。")
    except Busy as exc:
        flash(str(exc))
    return redirect(url_for("admin.dashboard"))
