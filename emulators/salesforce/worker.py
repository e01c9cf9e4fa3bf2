"""One thread that owns the record store: every store call of the server runs there.

SQLite connections belong to the thread that made them, and the store is not written for
concurrent use, so the server hands each store operation to this single worker and awaits it;
the event loop stays free for authentication, admin calls and streaming while a query runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

P = ParamSpec("P")
T = TypeVar("T")


class StoreWorker:
    """Runs callables on one dedicated thread, in submission order.

    Args:
        factory: Builds the object the worker owns (the store); called on the worker thread.
    """

    def __init__(self, factory: Callable[[], Any]) -> None:
        """Start the thread and build the owned object on it."""
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="org-store"
        )
        self.owned: Any = self._executor.submit(factory).result()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the worker thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def submit(
        self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> concurrent.futures.Future[T]:
        """Queue ``fn`` on the worker thread without waiting (background work)."""
        return self._executor.submit(fn, *args, **kwargs)

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the worker thread and block until it returns (non-async callers)."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        """Finish queued work and stop the thread."""
        self._executor.shutdown(wait=True, cancel_futures=False)
