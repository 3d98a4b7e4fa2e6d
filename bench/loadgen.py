"""Closed-loop HTTP load at a fixed concurrency: ``wrk`` when installed (a C load generator that
is never the bottleneck here), else a lean asyncio HTTP/1.1 keep-alive client (no HTTP library
on the hot path). Both cycle through a list of requests, and report requests/s, p50 and p99
latency and the count of answers that were not 2xx."""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import have


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query
    headers: dict[str, str]
    body: bytes | None = None


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int  # not 2xx, or no answer
    statuses: dict[str, int] = field(default_factory=dict)  # answers by status code

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator_name() -> str:
    """``wrk`` when installed, unless ``BENCH_LOADGEN=asyncio`` asks for the asyncio client."""
    wanted = os.environ.get("BENCH_LOADGEN", "")
    return "wrk" if wanted != "asyncio" and have("wrk") else "asyncio"


def run(base: str, requests: list[Request], clients: int, seconds: float) -> Load:
    if generator_name() == "wrk":
        return _wrk(base, requests, clients, seconds)
    return asyncio.run(_asyncio_load(base, requests, clients, seconds))


# --- wrk -------------------------------------------------------------------------------------

_WRK_SCRIPT = """
local requests = {%(requests)s}
local counter = 0
local threads = {}
statuses = {}
setup = function(thread) table.insert(threads, thread) end
request = function()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end
response = function(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, _)
  local e = summary.errors
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%%d": %%d', status, count))
  end
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"failed": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def _wrk(base: str, requests: list[Request], clients: int, seconds: float) -> Load:
    prefix = urlsplit(base).path.rstrip("/")
    formatted = []
    for request in requests:
        # wrk.format at load time has no Host yet (wrk.init sets it later): give it here.
        all_headers = {"Host": urlsplit(base).netloc, **request.headers}
        headers = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in all_headers.items()
        )
        body = _lua_string(request.body) if request.body is not None else "nil"
        formatted.append(
            f"wrk.format({_lua_string(request.method)}, "
            f"{_lua_string(prefix + request.path)}, {{{headers}}}, {body})"
        )
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "requests.lua"
        script.write_text(_WRK_SCRIPT % {"requests": ",\n  ".join(formatted)})
        threads = max(1, min(2, clients))
        done = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{clients}",
                f"-d{max(1, math.ceil(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    result = json.loads(line.removeprefix("WRK_RESULT "))
    return Load(
        requests=result["requests"],
        seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1e3,
        p99_ms=result["p99_us"] / 1e3,
        failed=result["failed"],
        statuses=result["statuses"],
    )


# --- asyncio ---------------------------------------------------------------------------------


def _raw(host: str, prefix: str, request: Request) -> bytes:
    lines = [f"{request.method} {prefix}{request.path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    body = request.body or b""
    if request.body is not None or request.method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one answer; its status and whether the server closes the connection."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection" and value == b"close":
            close = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF (the last: the end)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close


async def _asyncio_load(base: str, requests: list[Request], clients: int, seconds: float) -> Load:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    prefix = url.path.rstrip("/")
    raw = [_raw(url.netloc, prefix, request) for request in requests]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failed = 0
    started = time.perf_counter()
    stop_at = started + seconds

    async def client(offset: int) -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, port)
        number = offset
        try:
            while time.perf_counter() < stop_at:
                payload = raw[number % len(raw)]
                number += 1
                sent = time.perf_counter()
                writer.write(payload)
                try:
                    status, close = await _answer(reader)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                    failed += 1
                    status, close = 0, True
                latencies.append(time.perf_counter() - sent)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if not 200 <= status < 300:
                    failed += status != 0
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    await asyncio.gather(*(client(number) for number in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        if not latencies:
            return math.nan
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1e3

    return Load(len(latencies), elapsed, percentile(0.50), percentile(0.99), failed, statuses)
