"""The one error type of the Salesforce emulator, rendered exactly as Salesforce renders it.

Every part (SOQL compiler, store, server) raises :class:`SalesforceApiError`; the server turns
it into the HTTP status and the JSON list body ``[{"message", "errorCode", "fields"?}]``.
"""

from __future__ import annotations

from typing import Any


class SalesforceApiError(Exception):
    """An error that the REST API reports to the client.

    Attributes:
        status: HTTP status code.
        error_code: Salesforce ``errorCode`` (``INVALID_FIELD``, ``MALFORMED_QUERY`` …).
        message: Salesforce's message text, exactly.
        fields: Field names for errors that carry them (DML errors), else None.
    """

    def __init__(
        self, status: int, error_code: str, message: str, fields: list[str] | None = None
    ) -> None:
        """Build the error; see the class attributes."""
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, Any]]:
        """The JSON body Salesforce sends for this error."""
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]
