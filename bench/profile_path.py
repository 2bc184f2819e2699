"""Where the message path spends its CPU: `python -m bench.profile_path [sqlite|postgresql] [N]`.

In one process, without HTTP server or load generator (so its figures are CPU per message, not
throughput): a temp database with the demo roster, `create_app` with WeCom configured against
the fake API, and N distinct encrypted, signed text messages (帮助 / 我是谁) posted one after
another through Flask's test client. Prints CPU µs per message (all threads) and the top of a
profile of the handling (accept + process) run in this thread. For `make bench`'s figures the
server runs under gunicorn; this script says which part to make cheaper.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.__main__ import USERS, pg_schema
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import AES_KEY, CORP_ID, TOKEN, wecom_vars
from tests.fakes.wecom_api import FakeWeComAPI
from tests.fakes.wecom_crypto import WeComCrypto

CHUNK = 100  # messages per timed chunk
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _requests(crypto: WeComCrypto, n: int, offset: int) -> list[tuple[str, bytes]]:
    now = int(time.time())
    out = []
    for i in range(offset, offset + n):
        user, text = USERS[i % len(USERS)], ("帮助", "我是谁")[i % 2]
        inner = wecom_crypto.text_xml(CORP_ID, user, text, 8_000_000_000 + now + i, now)
        params, body = crypto.seal(inner, now, nonce=str(i))
        out.append(("/wecom/callback?" + urlencode(params), body))
    return out


def main() -> None:
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    api = FakeWeComAPI().start()
    with tempfile.TemporaryDirectory(prefix="liaison-prof-") as name:
        tmp = Path(name)
        os.environ.update(wecom_vars(api.base))
        os.environ["LIAISON_INSTANCE_PATH"] = str(tmp / "instance")
        if database == "postgresql":
            with pg_schema(os.environ.get("LIAISON_BENCH_PG_URL", PG_URL)) as url:
                run(url, n)
        else:
            run(f"sqlite:///{tmp / 'prof.db'}", n)
    api.stop()


def run(url: str, n: int) -> None:
    os.environ["LIAISON_DATABASE_URL"] = url
    from bot.app import create_app
    from bot.cli import cli

    for args in (["db", "upgrade"], ["demo"]):
        with contextlib.suppress(SystemExit):
            cli.main(args, prog_name="liaison", standalone_mode=False)
    app = create_app()
    client = app.test_client()
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    for path, body in _requests(crypto, 200, 0):  # warm up: caches, pools, imports
        assert client.post(path, data=body).status_code == 200
    batch = _requests(crypto, n, 200)
    cpu, wall = time.process_time(), time.perf_counter()
    chunks, mark = [], cpu
    for i, (path, body) in enumerate(batch, start=1):
        client.post(path, data=body)
        if i % CHUNK == 0:  # the machine's noise: the best chunk is the steadiest figure
            chunks.append((time.process_time() - mark) / CHUNK * 1e6)
            mark = time.process_time()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    chunks.sort()
    print(
        f"{url.split(':')[0]}: {n} messages, CPU µs/msg: best {chunks[0]:.0f}, "
        f"median {chunks[len(chunks) // 2]:.0f}, mean {cpu / n * 1e6:.0f} "
        f"(wall {wall / n * 1e3:.2f} ms/msg; the test client's HTTP work included)"
    )
    _profile(app, crypto, min(n, 1000))


def _profile(app, crypto: WeComCrypto, n: int) -> None:
    """The handling in this thread (the callback hands it to a pool thread, out of cProfile's
    sight), as the callback's worker does it: `dispatch.answer_fresh`."""
    from wechatpy.enterprise import parse_message

    from bot import dispatch
    from bot.channels.wecom import to_incoming
    from bot.replies import Gate

    services = app.extensions["liaison"]
    now = int(time.time())
    messages = []
    for i in range(n):
        user, text = USERS[i % len(USERS)], ("帮助", "我是谁")[i % 2]
        inner = wecom_crypto.text_xml(CORP_ID, user, text, 7_000_000_000 + now + i, now)
        messages.append(services.envelope(to_incoming(parse_message(inner), services.clock())[0]))
    half = n // 2
    cpu = time.process_time()
    for env in messages[:half]:
        assert dispatch.answer_fresh(services, env, Gate()) is not None
    cpu = time.process_time() - cpu
    print(f"handling alone (dispatch.answer_fresh): {cpu / half * 1e6:.0f} µs/msg")
    profile = cProfile.Profile()
    profile.enable()
    for env in messages[half:]:
        dispatch.answer_fresh(services, env, Gate())
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats(
        os.environ.get("PROFILE_SORT", "cumulative")
    )
    stats.print_stats(45)
    print(out.getvalue()[:12000])


if __name__ == "__main__":
    main()
