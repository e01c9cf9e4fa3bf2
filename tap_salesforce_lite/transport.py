"""HTTPS transport: a session whose CA bundle wins, and retries with backoff and jitter.

``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override ``Session.verify`` whenever
the per-request ``verify`` is left at its default, so a CA bundle stored on the session alone is
silently ignored. :class:`PinnedCASession` re-applies the configured bundle after the
environment has been merged, and keeps everything else the environment provides (proxies).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from tap_salesforce_lite.errors import RetryableRequestError

if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping
    from pathlib import Path

LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")


class PinnedCASession(requests.Session):
    """A ``requests`` session that always verifies TLS against a chosen CA bundle.

    Attributes:
        pinned_ca: CA bundle that wins over the environment; None keeps requests' default
            behaviour (system bundle or the environment's).
    """

    def __init__(self, pinned_ca: Path | None = None) -> None:
        """Create the session.

        Args:
            pinned_ca: The CA bundle every request verifies against, or None.
        """
        super().__init__()
        self.pinned_ca = pinned_ca
        if pinned_ca is not None:
            self.verify = str(pinned_ca)

    def merge_environment_settings(
        self,
        url: str | bytes | None,
        proxies: MutableMapping[str, str] | None,
        stream: bool | None,
        verify: bool | str | None,
        cert: Any,
    ) -> Any:
        """Merge the environment as requests does, then force the pinned CA bundle."""
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self.pinned_ca is not None:
            settings["verify"] = str(self.pinned_ca)
        return settings


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter for transient failures.

    Attributes:
        max_retries: Retries after the first attempt.
        initial_delay: Upper bound of the first backoff in seconds (doubles each retry).
        max_delay: Upper bound of any single backoff in seconds.
    """

    max_retries: int = 8
    initial_delay: float = 1.0
    max_delay: float = 60.0

    def call(self, operation: Callable[[], _T], *, what: str) -> _T:
        """Run ``operation``, retrying it on :class:`RetryableRequestError`.

        Args:
            operation: The request to make; raises RetryableRequestError when transient.
            what: A short description for the retry log lines (no secrets).

        Returns:
            What ``operation`` returned.

        Raises:
            RetryableRequestError: When the last retry failed too.
        """

        def log_retry(state: RetryCallState) -> None:
            outcome = state.outcome
            error = outcome.exception() if outcome is not None else None
            delay = state.next_action.sleep if state.next_action else 0.0
            LOGGER.warning(
                "%s failed (%s); retry %d of %d in %.2fs",
                what,
                error,
                state.attempt_number,
                self.max_retries,
                delay,
            )

        retrying = Retrying(
            retry=retry_if_exception_type(RetryableRequestError),
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_random_exponential(multiplier=self.initial_delay, max=self.max_delay),
            before_sleep=log_retry,
            reraise=True,
        )
        return retrying(operation)


def transport_errors() -> tuple[type[Exception], ...]:
    """The ``requests`` exceptions that mean "try again": connection problems and timeouts."""
    return (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )


def is_tls_failure(error: Exception) -> bool:
    """Whether a connection error is a certificate verification failure (never retried)."""
    return isinstance(error, requests.exceptions.SSLError)
