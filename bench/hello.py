"""A bare Flask app, served by the same gunicorn set-up as the bot, as the benchmark's baseline."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
