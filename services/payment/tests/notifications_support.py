"""Test helper: a tiny local HTTP receiver the provider sandbox replays a payment's recorded
notifications to (the replay's ``url``), so the sandbox's own webhook URLs are never changed.
The ``receiver`` fixture (conftest) runs one per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Captured:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Captured] = field(default_factory=list)


@asynccontextmanager
async def local_receiver() -> AsyncIterator[Receiver]:
    """A receiver listening on a free loopback port until the block ends."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")[1:]
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in lines if line)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        found.received.append(Captured(headers, body))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    found = Receiver(f"http://127.0.0.1:{port}/hook")
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()
