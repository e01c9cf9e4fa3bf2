"""Time windows of the replication key, narrowed when Salesforce answers QUERY_TIMEOUT.

A stream reads one window, ``[lower bound, no upper bound)``, when Salesforce copes (one query,
the minimum of API calls). When a query times out, its window is cut in two at the midpoint and
the halves are read in order, oldest first, halving again as often as needed. An open-ended
window is cut at the middle of ``[lower, server now]``; a window with no lower bound starts
from 1970. A window narrower than a second that still times out is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from tap_salesforce_lite.errors import QueryTimeoutError
from tap_salesforce_lite.soql import TimeWindow

if TYPE_CHECKING:
    from collections.abc import Callable

EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
NARROWEST: Final = timedelta(seconds=1)


@dataclass
class WindowPlan:
    """The windows still to read, oldest first.

    Attributes:
        server_now: Best estimate of the server's current time (for open-ended windows).
        pending: Windows not read yet; the next is at the end.
        splits: How many times a window was cut.
    """

    server_now: Callable[[], datetime]
    pending: list[TimeWindow] = field(default_factory=list)
    splits: int = 0

    @classmethod
    def starting_at(cls, lower: datetime | None, server_now: Callable[[], datetime]) -> WindowPlan:
        """A plan with the single window ``[lower, no upper bound)``."""
        return cls(server_now=server_now, pending=[TimeWindow(lower, None)])

    def next_window(self) -> TimeWindow | None:
        """The next window to read, or None when done."""
        return self.pending.pop() if self.pending else None

    def split(self, window: TimeWindow, *, what: str, cause: QueryTimeoutError) -> None:
        """Replace a window that timed out by its two halves.

        Args:
            window: The window whose query timed out.
            what: The stream and key, for the error message ("Account.SystemModstamp").
            cause: The timeout.

        Raises:
            QueryTimeoutError: If the window cannot be narrowed any further.
        """
        lower = window.lower or EARLIEST
        upper = window.upper or max(self.server_now(), lower + NARROWEST * 2)
        if upper - lower < NARROWEST * 2:
            raise QueryTimeoutError(
                f"Salesforce times out even on a one-second window of {what} ({cause}): select "
                "fewer fields, or ask Salesforce support about the query's performance"
            ) from None
        middle = lower + (upper - lower) / 2
        # Read the older half first: push it last.
        self.pending.append(TimeWindow(middle, window.upper))
        self.pending.append(TimeWindow(lower, middle))
        self.splits += 1
