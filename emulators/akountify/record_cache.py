"""What one write transaction knows about records by external id (one query per batch).

A batch addresses up to 50 records by external id. Instead of one ``SELECT`` per operation,
the batch reads them all at once; every write of the batch then updates what is known, so a
later operation on the same record (or one that reuses an external id freed earlier in the
batch) sees the state the database has. The cache lives exactly as long as the batch's
transaction, during which no other writer can change the rows (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulators.akountify.records import StoredRecord


class ExternalIdCache:
    """Records of one company by (entity, external id); None means "known to be free"."""

    def __init__(self, company_id: str) -> None:
        """An empty cache for ``company_id``."""
        self.company_id = company_id
        self._known: dict[tuple[str, str], StoredRecord | None] = {}

    def fill(self, entity: str, wanted: list[str], found: list[StoredRecord]) -> None:
        """Record the result of one look-up: ``found`` among ``wanted``; the rest are free."""
        for external_id in wanted:
            self._known[entity, external_id] = None
        for record in found:
            if record.external_id is not None:
                self._known[entity, record.external_id] = record

    def lookup(
        self, company_id: str, entity: str, external_id: str
    ) -> tuple[bool, StoredRecord | None]:
        """Whether this external id is known, and its record (None when known to be free)."""
        if company_id != self.company_id or (entity, external_id) not in self._known:
            return False, None
        return True, self._known[entity, external_id]

    def written(self, old: StoredRecord | None, new: StoredRecord) -> None:
        """Follow a write: ``new`` is now stored (and ``old``'s external id freed if it moved)."""
        if old is not None and old.external_id is not None and old.external_id != new.external_id:
            self._known[old.entity, old.external_id] = None
        if new.external_id is not None:
            self._known[new.entity, new.external_id] = new
