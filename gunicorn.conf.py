"""gunicorn settings for the archive (`gunicorn -c gunicorn.conf.py wsgi:app`).

gthread workers serve many connections each: a client that stops reading a
large export ties up one thread (until the export's send timeout), never a
whole worker. Environment: WEB_CONCURRENCY (workers), GUNICORN_THREADS.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60            # a worker that stops heartbeating is restarted
graceful_timeout = 30
keepalive = 5
