"""Honors Archive: the application (store, ingest, web, cli)."""
