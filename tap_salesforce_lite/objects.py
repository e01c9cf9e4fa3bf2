"""What the tap knows about an object and its fields, from describe or from a catalog.

:class:`FieldInfo` and :class:`ObjectInfo` are built from describe JSON at discovery, and
rebuilt from the catalog's JSON schema (its ``x-salesforce`` keyword) when a catalog is given,
so a run with a catalog needs no describe call at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

#: Replication keys in order of preference.
REPLICATION_KEYS: Final = ("SystemModstamp", "LastModifiedDate", "CreatedDate")
DELETED_AT: Final = "_sdc_deleted_at"
COMPOUND_TYPES: Final = frozenset({"address", "location"})
TEXT_TYPES: Final = frozenset(
    {
        "id",
        "reference",
        "string",
        "textarea",
        "picklist",
        "multipicklist",
        "combobox",
        "email",
        "phone",
        "url",
        "encryptedstring",
    }
)
NUMBER_TYPES: Final = frozenset({"double", "currency", "percent"})
INTEGER_TYPES: Final = frozenset({"int", "long"})
PICKLIST_TYPES: Final = frozenset({"picklist", "multipicklist", "combobox"})
#: Types that Bulk API 2.0 queries cannot select.
BULK_UNSUPPORTED_TYPES: Final = frozenset({"address", "location", "base64"})


@dataclass(frozen=True)
class FieldInfo:
    """One field of an object, with the metadata the tap and its targets use.

    Attributes:
        name: API name.
        sf_type: Salesforce type (``currency``, ``datetime`` ... or an unknown name).
        label: Human label.
        nillable: Whether it may be null.
        updateable: Whether it can be written.
        calculated: Whether it is a formula field.
        length: Maximum characters of text types (0 when not applicable).
        precision: Total digits of numbers (0 when not applicable).
        scale: Digits after the point of numbers (0 when not applicable).
        picklist_values: Values of picklist types.
        reference_to: Objects a reference field points to.
        compound_field_name: For components (``BillingCity``), the compound (``BillingAddress``).
    """

    name: str
    sf_type: str
    label: str = ""
    nillable: bool = True
    updateable: bool = False
    calculated: bool = False
    length: int = 0
    precision: int = 0
    scale: int = 0
    picklist_values: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    compound_field_name: str | None = None

    @property
    def is_compound(self) -> bool:
        """Whether this is an address or location compound field."""
        return self.sf_type in COMPOUND_TYPES

    @classmethod
    def from_describe(cls, described: dict[str, Any]) -> FieldInfo:
        """Build from one entry of a describe ``fields`` list."""
        return cls(
            name=str(described["name"]),
            sf_type=str(described.get("type") or "string"),
            label=str(described.get("label") or described["name"]),
            nillable=bool(described.get("nillable", True)),
            updateable=bool(described.get("updateable", False)),
            calculated=bool(described.get("calculated", False)),
            length=int(described.get("length") or 0),
            precision=int(described.get("precision") or 0),
            scale=int(described.get("scale") or 0),
            picklist_values=tuple(
                str(entry["value"])
                for entry in described.get("picklistValues") or ()
                if isinstance(entry, dict) and entry.get("value") is not None
            ),
            reference_to=tuple(str(name) for name in described.get("referenceTo") or ()),
            compound_field_name=described.get("compoundFieldName") or None,
        )


@dataclass(frozen=True)
class ObjectInfo:
    """One replicated object.

    Attributes:
        name: API name, canonical case.
        label: Human label.
        fields: Fields in describe order (deprecated and hidden ones left out).
    """

    name: str
    label: str
    fields: tuple[FieldInfo, ...]
    _by_name: dict[str, FieldInfo] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        """Index the fields by name."""
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def field(self, name: str) -> FieldInfo | None:
        """The field called ``name`` (exact API name), or None."""
        return self._by_name.get(name)

    @property
    def replication_key(self) -> str | None:
        """SystemModstamp, else LastModifiedDate, else CreatedDate, else None (full table)."""
        for name in REPLICATION_KEYS:
            candidate = self._by_name.get(name)
            if candidate is not None and candidate.sf_type == "datetime":
                return name
        return None

    @property
    def has_is_deleted(self) -> bool:
        """Whether the object has IsDeleted (queryAll then returns deleted rows)."""
        return "IsDeleted" in self._by_name

    def components(self, compound: str) -> tuple[FieldInfo, ...]:
        """The component fields of a compound field, in describe order."""
        return tuple(f for f in self.fields if f.compound_field_name == compound)

    @classmethod
    def from_describe(cls, described: dict[str, Any]) -> ObjectInfo:
        """Build from an sObject describe result."""
        fields = tuple(
            FieldInfo.from_describe(entry)
            for entry in described.get("fields") or ()
            if isinstance(entry, dict) and not entry.get("deprecatedAndHidden")
        )
        return cls(
            name=str(described["name"]),
            label=str(described.get("label") or described["name"]),
            fields=fields,
        )
