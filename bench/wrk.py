"""Load with wrk (C, keep-alive, `--latency`): the client costs little CPU, so the server is measured.

Distinct requests come from a file walked by a Lua script, each wrk thread taking its own share,
so no message is sent twice. `done()` prints the exact counts and latency percentiles as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WRK_THREADS = 2
DURATION = float(os.environ.get("BENCH_SECONDS", "10"))

LUA = r"""
local reqs, n, i = {}, 0, 0
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  local file, threads = args[1], tonumber(args[2])
  if file == nil then return end
  local k = 0
  for line in io.lines(file) do
    if k % threads == tid then
      local path, body = line:match("^(%S+)\t(.*)$")
      n = n + 1
      reqs[n] = wrk.format("POST", path, {["Content-Type"] = "text/xml"}, body)
    end
    k = k + 1
  end
end
function request()
  if n == 0 then return wrk.format("GET", wrk.path) end
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "non2xx": %d, "socket": %d, "p50": %f, "p99": %f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk 未安装：apt-get install -y wrk（make bench 会自动安装）")
    return found


def run(url: str, workdir: Path, requests_file: Path | None = None) -> Load:
    """Run wrk against `url`; with `requests_file` (lines of `path\\tbody`), POST those."""
    script = workdir / "load.lua"
    script.write_text(LUA, encoding="utf-8")
    args = [wrk_binary(), "-t", str(WRK_THREADS), "-c", str(CONNECTIONS)]
    args += ["-d", f"{DURATION:.0f}s", "--timeout", "10s", "-s", str(script), url]
    if requests_file is not None:
        args += ["--", str(requests_file), str(WRK_THREADS)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return Load(
        requests=data["requests"],
        seconds=data["seconds"],
        errors=data["non2xx"] + data["socket"],
        p50_ms=data["p50"],
        p99_ms=data["p99"],
    )


def write_requests(path: Path, requests) -> int:
    """Write (path, body) pairs one a line; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for target, body in requests:
            fh.write(f"{target}\t{body.decode()}\n")
            count += 1
    return count
