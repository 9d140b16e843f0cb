"""The web app: app factory, per-request archive, security headers, errors."""

from pathlib import Path

from datetime import timedelta

from flask import Flask, current_app, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException


from index.snapshots import NoSnapshot

from .. import config
from ..archive import Instance

from .context import close_archive
from .urls import BoundedInt

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def create_app(test_config=None):
    """Create the app: defaults -> instance config.py -> ARCHIVE_* env -> test config."""
    home = config.instance_path()
    if test_config and test_config.get("ARCHIVE_HOME"):
        home = Path(test_config["ARCHIVE_HOME"])
    app = Flask(__name__, instance_path=str(home), instance_relative_config=True)
    app.url_map.converters["int"] = BoundedInt
    app.config.update(config.load(home, test_config))
    if not app.config["SECRET_KEY"]:  # Flask's default is None
        app.config["SECRET_KEY"] = config.secret_key(home)
    app.config.update(
        ARCHIVE_HOME=str(home), JSON_AS_ASCII=False, MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/json", "text/csv",
                            "application/javascript", "application/atom+xml"],
        COMPRESS_ALGORITHM=["gzip"],
    )
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_HOURS"])
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.session_interface = _SessionInterface()
    CSRFProtect(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    Compress(app)

    from . import admin, api, caching, crawl, downloads, public, statistics
    app.register_blueprint(public.bp)
    app.register_blueprint(crawl.bp)
    app.register_blueprint(statistics.bp)
    app.register_blueprint(api.bp)
    if not int(app.config["READ_ONLY"]):  # a replica has no admin area: /admin is a 404
        app.register_blueprint(admin.bp)
    downloads.init_slots(app)
    caching.init_app(app)
    app.before_request(downloads.send_timeout)
    app.before_request(_refuse_control_characters)
    app.teardown_appcontext(close_archive)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(NoSnapshot, _no_index)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    app.jinja_env.globals.update(site_name=app.config["SITE_NAME"])
    from .. import markup
    from . import labels
    app.jinja_env.filters.update(labels.FILTERS, mark=markup.mark, passage=markup.passage_html)
    # The application object's process-wide part: the settings just merged, the live
    # index, the values kept per index generation. Each request adds its connections.
    app.extensions["archive"] = Instance(home, settings=app.config)
    return app


def _https(app):
    """Whether the site is served over HTTPS: its public base URL says so, or (with no
    base URL) this request came over HTTPS (through a trusted proxy, if any)."""
    base = app.config.get("BASE_URL") or ""
    return base.startswith("https://") if base else request.is_secure


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the site is served over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or _https(app))


def _refuse_control_characters():
    """CR, LF or NUL in a query parameter (or NUL in a form field) is never a real
    request: answer 400 before any view sees it (header or log injection)."""
    from werkzeug.exceptions import BadRequest
    args = request.args.items(multi=True)
    if any(ch in k + v for k, v in args for ch in "\r\n\x00") or (
            request.method == "POST" and request.mimetype != "multipart/form-data"
            and any("\x00" in v for v in request.form.values())):
        error = BadRequest("请求参数中含有控制字符（回车、换行或 NUL）。")
        error.custom = True
        raise error


def _security_headers(response):
    if response.status_code == 304 and hasattr(response.response, "close"):
        response.response.close()  # a static file opened for a 304 is never read
        response.response = []
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if _https(current_app):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _wants_json():
    return request.path.startswith("/api/") or request.path.startswith("/admin/api/")


def _http_error(exc):
    if _wants_json():
        return jsonify(error=exc.name, message=_message(exc), status=exc.code), exc.code
    return render_template("error.html", code=exc.code, message=_message(exc)), exc.code


_MESSAGES = {
    400: "请求无效。", 401: "请先登录。", 403: "没有权限。", 404: "找不到这个页面。",
    405: "不支持这种请求方式。", 413: "请求内容太大。", 414: "网址太长。",
    429: "请求过于频繁，请稍后再试。", 500: "服务器出错了，请稍后再试。",
}


def _message(exc):
    description = getattr(exc, "description", None)
    custom = description if isinstance(description, str) and getattr(exc, "custom", False) else None
    return custom or _MESSAGES.get(exc.code, exc.name)


def _csrf_error(exc):
    exc.description = "表单已过期或缺少安全令牌（CSRF），请返回重新提交。"
    exc.custom = True
    return _http_error(exc)


def _no_index(exc):
    from werkzeug.exceptions import ServiceUnavailable
    error = ServiceUnavailable("检索索引尚未建立或需要重建，请管理员运行 archive reindex。")
    error.custom = True
    return _http_error(error)


def _server_error(exc):
    from werkzeug.exceptions import InternalServerError
    current_app.logger.exception("unhandled error on %s", request.path)
    return _http_error(InternalServerError())
