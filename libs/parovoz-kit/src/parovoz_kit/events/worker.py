"""Background workers (outbox relay, consumers) living alongside a service's servers.

``parovoz_kit.service`` wraps its servers in :func:`running_workers`: the workers start with
the process and, on shutdown, get ``stop`` set and are awaited, so a consumer finishes (or
abandons, uncommitted) its current message and leaves its group cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from parovoz_kit.events.producer import Backoff

log = logging.getLogger(__name__)


@runtime_checkable
class BackgroundWorker(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set, then return."""
        ...


async def supervise(
    worker: BackgroundWorker,
    stop: asyncio.Event,
    backoff: Backoff = Backoff(initial=1.0, maximum=30.0),  # noqa: B008 - frozen
) -> None:
    """Run ``worker``; if it crashes, log it and start it again after a backoff.

    A bug or a lost connection in the relay must not silently stop event delivery for the
    rest of the process's life.
    """
    crashes = 0
    while not stop.is_set():
        try:
            await worker.run(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            crashes += 1
            log.error(
                "background worker crashed; restarting",
                extra={"worker": worker.name, "error_type": type(exc).__name__},
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff.delay(crashes))


@contextlib.asynccontextmanager
async def running_workers(
    workers: Sequence[BackgroundWorker], grace_seconds: float = 15.0
) -> AsyncIterator[asyncio.Event]:
    """Start ``workers`` for the duration of the block; yields their ``stop`` event."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(supervise(worker, stop), name=worker.name) for worker in workers]
    try:
        yield stop
    finally:
        stop.set()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in pending:
                log.warning(
                    "background worker did not stop in time", extra={"worker": task.get_name()}
                )
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
