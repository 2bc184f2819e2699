"""gunicorn as the production WSGI server; each worker builds its own app after the fork."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


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
            "accesslog": "-",
            "preload_app": False,
        }
    ).run()
