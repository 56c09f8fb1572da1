"""`sodai serve`: the report site on gunicorn, the production WSGI server.

Flask's development server answers one request at a time in one process; a filter callback builds
a figure and its table in Python, so 16 readers clicking at once would queue behind each other.
gunicorn runs `site.workers` processes (one per core by default), each with the whole app and
its own report cache, and `site.threads` threads each, so a slow client does not hold a worker.
The app is built in every worker after the fork (no engine, no shared state to copy).
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

from sodai.config import Settings


class SiteServer(BaseApplication):
    """gunicorn, configured in code from the pipeline's settings (no gunicorn.conf.py)."""

    def __init__(self, settings: Settings, host: str, port: int, workers: int | None = None):
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers or settings.site.workers or os.cpu_count() or 1,
            "threads": settings.site.threads,
            "worker_class": "gthread",
            "timeout": settings.site.timeout_s,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dashboards.app import create_app

        return create_app(self.settings).server


def serve(settings: Settings, host: str, port: int, workers: int | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM stop the workers gracefully)."""
    SiteServer(settings, host, port, workers).run()
