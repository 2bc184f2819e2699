"""gunicorn as the production WSGI server; each worker builds its own app after the fork.

Workers are forked from the `liaison serve` process itself, so they share its logging set-up
(bot/logs.py, applied to gunicorn's own error and access logs too) and its metrics directory.
gthread workers check their parent pid on every loop turn and exit when the master is gone, even
after a SIGKILL of the master (tests/bot/test_serve.py).

Stopping (Ctrl-C, SIGTERM) takes a few seconds at most: a request in flight gets GRACE seconds
(every message is already stored as pending, so one cut off is answered by the sweeper), the
children are told to stop as soon as gunicorn starts stopping rather than after it, and a worker
that stops cleanly skips the interpreter's shutdown, which took seconds on a loaded machine.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
GRACE = 3  # seconds a worker may finish its requests after a stop; gunicorn's default is 30


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


def _worker_exit(_server, _worker) -> None:
    """In the worker, as it leaves gunicorn's loop: a clean exit ends the process right here.

    The interpreter's shutdown (a final collection of every object of the app, then joining
    threads) took 1–3 s per worker on a loaded machine and, after Ctrl-C, outlasted gunicorn's
    2-second quick-shutdown limit, so workers were SIGKILLed. Nothing of ours needs a finaliser:
    the database is transactional, a message cut off is stored as pending (the sweeper answers
    it), the metrics files are the master's to clean up. An exit with an error status goes the
    usual way, so gunicorn still sees a worker that failed to boot.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, SystemExit) and exc.code in (0, None):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    gc.freeze()


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
    def __init__(self, options: dict, on_stop: Callable[[], None] | None = None) -> None:
        self.options = options
        self.on_stop = on_stop
        super().__init__()

    def run(self) -> None:
        """gunicorn's own run, telling `on_stop` the moment the arbiter starts stopping."""
        arbiter = Arbiter(self)
        stop = arbiter.stop

        def stopping(graceful: bool = True) -> None:
            if self.on_stop is not None:
                self.on_stop()
            stop(graceful)

        arbiter.stop = stopping
        try:
            arbiter.run()
        except RuntimeError as err:  # gunicorn's own start-up errors, as BaseApplication.run
            print(f"错误：{err}", file=sys.stderr, flush=True)
            sys.exit(1)

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from bot.app import create_app

        return create_app()


def run_gunicorn(
    host: str, port: int, workers: int, threads: int, on_stop: Callable[[], None] | None = None
) -> None:
    LiaisonServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 30,
            "graceful_timeout": GRACE,
            "accesslog": None,  # one structured line per callback instead (bot.logs)
            "preload_app": False,
            "logger_class": LiaisonLogger,
            "child_exit": _child_exit,
            "worker_exit": _worker_exit,
            "control_socket_disable": True,  # gunicorn 27's per-user socket: not used, and shared
        },
        on_stop,
    ).run()
