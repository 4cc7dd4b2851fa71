"""One bounded pool for heavy work (maps, GeoPackages), with single flight per cache key.

At most ``workers`` builds run at once and ``queue`` more may wait; beyond that a request
gets :class:`service.errors.Busy` (503 with Retry-After) instead of piling up. Identical
requests that arrive while a build runs await the same future, so it is computed once. A
request that waits longer than its time limit gets a 503 too, and the build goes on: the
file lands in the cache for the retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from service.errors import Busy

T = TypeVar("T")


class Pool:
    def __init__(self, workers: int = 2, queue: int = 8) -> None:
        self.workers = workers
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="rivermap-build")
        self._inflight: dict[str, asyncio.Future] = {}

    @property
    def pending(self) -> int:
        """Builds running or waiting now."""
        return len(self._inflight)

    async def run(self, key: str, job: Callable[[], T], *, timeout: float) -> T:
        """Run ``job`` in the pool (once per ``key`` at a time) and wait at most ``timeout``
        seconds for it; Busy when the pool is full or the wait is over."""
        fut = self._inflight.get(key)
        if fut is None:
            if len(self._inflight) >= self.capacity:
                raise Busy(
                    f"the service is building {len(self._inflight)} files already "
                    f"(limit {self.capacity}); retry in a few seconds",
                    retry_after=5,
                )
            fut = asyncio.get_running_loop().run_in_executor(self._executor, job)
            self._inflight[key] = fut
            fut.add_done_callback(lambda _f, k=key: self._inflight.pop(k, None))
        try:
            return await asyncio.wait_for(asyncio.shield(fut), timeout)
        except TimeoutError:
            raise Busy(
                f"still building (more than {timeout:g} s so far); retry shortly, the file "
                "will be ready",
                retry_after=10,
            ) from None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
