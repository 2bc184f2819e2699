"""gunicorn as the production WSGI server; each worker builds its own app after the fork.

Workers are forked from the `liaison serve` process itself, so they share its logging set-up
(bot/logs.py, applied to gunicorn's own error and access logs too) and its metrics directory.
gthread workers check their parent pid on every loop turn and exit when the master is gone, even
after a SIGKILL of the master (tests/bot/test_serve.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class LiaisonLogger(Logger):
    """gunicorn's error and access lines in our format and through the same redaction: an access
    line holds the callback's query string (`msg_signature=`, `timestamp=`, `nonce=`)."""

    def setup(self, cfg) -> None:
        from bot.logs import make_formatter

        super().setup(cfg)
        formatter = make_formatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)


def _child_exit(_server, worker) -> None:
    """In the master, when a worker has exited: its live gauge files go (prometheus_client docs)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def prepare_metrics_dir() -> Path:
    """A fresh private (0700) directory for prometheus_client's per-process files.

    Set in the environment before gunicorn forks and before anything imports prometheus_client,
    which picks between in-memory and file-backed values once, at import. Fresh for every start,
    so counters of a previous run never add to this one's.
    """
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client imported before the metrics directory was set")
    path = Path(tempfile.mkdtemp(prefix="liaison-metrics-"))  # mkdtemp: mode 0700
    os.environ[MULTIPROC_ENV] = str(path)
    return path


class LiaisonServer(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from bot.app import create_app

        return create_app()


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    LiaisonServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,  # one structured line per callback instead (bot.logs)
            "preload_app": False,
            "logger_class": LiaisonLogger,
            "child_exit": _child_exit,
        }
    ).run()
