"""Resolve field paths (``Name``, ``Account.Owner.Name``) against the org's catalog.

Names are matched case-insensitively and come back in canonical case. A path may start with
the FROM object's own name (``Account.Name`` in a query on Account), as Salesforce allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulators.salesforce.soql import messages

if TYPE_CHECKING:
    from emulators.salesforce.schema import Catalog, FieldDef, ObjectDef
    from emulators.salesforce.soql.syntax import FieldPath


@dataclass(frozen=True)
class Link:
    """One step from a record to its parent.

    Attributes:
        path: Canonical relationship names from the base object, this step last.
        foreign_key: The reference field holding the parent's Id (``AccountId``).
        parent: The parent object.
    """

    path: tuple[str, ...]
    foreign_key: str
    parent: ObjectDef


@dataclass(frozen=True)
class ResolvedField:
    """A field path resolved to a field of the base object or of a parent.

    Attributes:
        relationships: Canonical relationship names from the base object (empty for the base).
        field: The field at the end of the path.
        owner: The object the field belongs to.
    """

    relationships: tuple[str, ...]
    field: FieldDef
    owner: ObjectDef

    @property
    def path(self) -> tuple[str, ...]:
        """Relationship names then the field name."""
        return (*self.relationships, self.field.name)

    @property
    def name(self) -> str:
        """The canonical dotted name clients see (``Account.Name``)."""
        return ".".join(self.path)

    @property
    def may_be_null(self) -> bool:
        """Whether the value can be null (a nillable field, or a parent that may be missing)."""
        return self.field.nillable or bool(self.relationships)


class Resolver:
    """Resolves the field paths of one query and records the parent links they traverse.

    Attributes:
        links: Every parent link seen so far, by relationship path, parents first.
    """

    def __init__(self, soql: str, base: ObjectDef, catalog: Catalog) -> None:
        """Resolve against ``base`` within ``catalog``; ``soql`` positions the errors."""
        self._soql = soql
        self._base = base
        self._catalog = catalog
        self.links: dict[tuple[str, ...], Link] = {}

    def resolve(self, path: FieldPath) -> ResolvedField:
        """Resolve ``path``.

        Args:
            path: The path as written.

        Returns:
            The field with its canonical relationship path.

        Raises:
            SalesforceApiError: INVALID_FIELD for an unknown relationship or column.
        """
        parts = path.parts
        if (
            len(parts) > 1
            and parts[0].lower() == self._base.name.lower()
            and self._base.relationship(parts[0]) is None
        ):
            parts = parts[1:]
        current = self._base
        relationships: tuple[str, ...] = ()
        for part in parts[:-1]:
            reference = current.relationship(part)
            parent = self._parent_of(reference)
            if reference is None or parent is None or reference.relationship_name is None:
                raise messages.unknown_relationship(self._soql, path.position, part)
            relationships = (*relationships, reference.relationship_name)
            self.links.setdefault(relationships, Link(relationships, reference.name, parent))
            current = parent
        field = current.field(parts[-1])
        if field is None:
            raise messages.no_such_column(self._soql, path.position, parts[-1], current.name)
        return ResolvedField(relationships, field, current)

    def _parent_of(self, reference: FieldDef | None) -> ObjectDef | None:
        """The object a reference field points to (the first target of a polymorphic one)."""
        if reference is None or not reference.reference_to:
            return None
        return self._catalog.get(reference.reference_to[0])
