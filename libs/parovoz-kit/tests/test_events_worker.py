"""Background workers: started with the service, restarted after a crash, stopped on exit."""

from __future__ import annotations

import asyncio

from parovoz_kit.events import BackgroundWorker, Backoff, running_workers, supervise


class FlakyWorker:
    """Crashes on its first run, then works until stopped."""

    name = "flaky"

    def __init__(self) -> None:
        self.runs = 0
        self.stopped_cleanly = False

    async def run(self, stop: asyncio.Event) -> None:
        self.runs += 1
        if self.runs == 1:
            raise ConnectionError("broker went away")
        await stop.wait()
        self.stopped_cleanly = True


async def test_a_crashed_worker_is_restarted_and_stops_when_asked() -> None:
    worker = FlakyWorker()
    assert isinstance(worker, BackgroundWorker)
    stop = asyncio.Event()
    task = asyncio.create_task(supervise(worker, stop, Backoff(initial=0.01, maximum=0.01)))
    await asyncio.sleep(0.1)
    assert worker.runs == 2 and not task.done()
    stop.set()
    await asyncio.wait_for(task, 1)
    assert worker.stopped_cleanly


async def test_running_workers_stops_them_when_the_block_ends() -> None:
    workers = [FlakyWorker(), FlakyWorker()]
    for worker in workers:
        worker.runs = 1  # skip the crash
    async with running_workers(workers) as stop:
        await asyncio.sleep(0.05)
        assert not stop.is_set()
    assert stop.is_set()
    assert all(worker.stopped_cleanly for worker in workers)


async def test_a_worker_ignoring_stop_is_cancelled_after_the_grace_period() -> None:
    class Stubborn:
        name = "stubborn"

        async def run(self, stop: asyncio.Event) -> None:
            await asyncio.sleep(3600)

    async with running_workers([Stubborn()], grace_seconds=0.05):
        pass  # leaving the block must not hang
