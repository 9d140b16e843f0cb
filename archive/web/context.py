"""The request's archive, as flaskr's get_db: opened on first use, closed at teardown."""

from flask import current_app, g

from ..archive import Archive


def get_archive():
    """The Archive of this request's instance folder (opened once per request)."""
    if "archive" not in g:
        g.archive = Archive(current_app.config["ARCHIVE_HOME"])
    return g.archive


def close_archive(_exc=None):
    """Close the request's archive, if it was opened (an app teardown)."""
    archive = g.pop("archive", None)
    if archive is not None:
        archive.close()
