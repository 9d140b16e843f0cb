"""The request's archive, as flaskr's get_db: opened on first use, closed at teardown."""

from flask import current_app, g

from ..archive import Archive


def get_archive():
    """The application object of this request: the app's instance (settings, live
    index, per-generation values) with this request's connections, opened on first use."""
    if "archive" not in g:
        g.archive = Archive(current_app.extensions["archive"])
    return g.archive


def close_archive(_exc=None):
    """Close the request's archive, if it was opened (an app teardown)."""
    archive = g.pop("archive", None)
    if archive is not None:
        archive.close()
