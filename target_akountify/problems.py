"""One problem with one record or one mapping entry: what is wrong, where, and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """A problem found in a record, a mapping or an Akountify answer.

    Attributes:
        field: The field concerned (an Akountify path such as ``billing_address.country``, a
            source field, or ``""`` for the whole record).
        code: A stable machine code (Akountify's detail codes, or the target's own such as
            ``transform_failed``, ``conflict``).
        message: What is wrong, for people.
        fix: What to do about it, for people.
    """

    field: str
    code: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict."""
        return asdict(self)

    def located(self) -> str:
        """Return ``field: message``, without repeating a field the message already names first.

        Akountify's detail messages often start with their field (``customer: no customer
        has external_id ...``); those are returned as they are.
        """
        if not self.field or self.message.startswith(f"{self.field}:"):
            return self.message
        return f"{self.field}: {self.message}"

    def describe(self) -> str:
        """Return ``field: message. Fix: fix`` on one line."""
        return f"{self.located()}. Fix: {self.fix}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        """Rebuild a problem from :meth:`as_dict` output."""
        return cls(
            field=str(data.get("field", "")),
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            fix=str(data.get("fix", "")),
        )
