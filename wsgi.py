"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from archive.web import create_app

app = create_app()
