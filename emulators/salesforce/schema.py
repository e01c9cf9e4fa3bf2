"""The shape of the emulated org's metadata: objects and their fields.

This module is the contract between the parts of the Salesforce emulator:

* the catalogue (``catalog.py``) declares the org's objects with these classes;
* ``describe.py`` turns them into describe JSON;
* the SQLite store (``store.py``) creates one table per object from them;
* the SOQL compiler (``soql/``) checks names and types against them and compiles to SQL.

Storage conventions that the store and the SOQL compiler share (see ``STORAGE_CONVENTIONS``):
one table per object, named by the object's API name; one column per field that is not a
compound field, named by the field's API name; compound fields (``address``, ``location``)
have no column of their own, only their components (``BillingStreet`` …, ``BillingLatitude``);
every table also has ``IsDeleted`` (0/1). Values are stored in a form whose SQLite ordering is
Salesforce's ordering: see :data:`STORAGE_AFFINITY`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

#: Every Salesforce field type the emulator knows, with its SOAP type.
SOAP_TYPES: Final[dict[str, str]] = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "string": "xsd:string",
    "textarea": "xsd:string",
    "picklist": "xsd:string",
    "multipicklist": "xsd:string",
    "combobox": "xsd:string",
    "email": "xsd:string",
    "phone": "xsd:string",
    "url": "xsd:string",
    "encryptedstring": "xsd:string",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "long": "xsd:long",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "time": "xsd:time",
    "base64": "xsd:base64Binary",
    "anyType": "xsd:anyType",
    "address": "urn:address",
    "location": "urn:location",
}

#: How each type is stored in SQLite so that SQL comparisons and ORDER BY match Salesforce.
#: TEXT datetimes are always ``YYYY-MM-DDTHH:MM:SS.fffZ`` in UTC, dates ``YYYY-MM-DD``,
#: times ``HH:MM:SS.fffZ``; booleans are INTEGER 0/1; multipicklists are ``A;B`` text.
STORAGE_AFFINITY: Final[dict[str, str]] = {
    "id": "TEXT",
    "reference": "TEXT",
    "string": "TEXT",
    "textarea": "TEXT",
    "picklist": "TEXT",
    "multipicklist": "TEXT",
    "combobox": "TEXT",
    "email": "TEXT",
    "phone": "TEXT",
    "url": "TEXT",
    "encryptedstring": "TEXT",
    "boolean": "INTEGER",
    "int": "INTEGER",
    "long": "INTEGER",
    "double": "REAL",
    "currency": "REAL",
    "percent": "REAL",
    "date": "TEXT",
    "datetime": "TEXT",
    "time": "TEXT",
    "base64": "TEXT",
    "anyType": "TEXT",
}

COMPOUND_TYPES: Final[frozenset[str]] = frozenset({"address", "location"})

#: Types whose values are text that Salesforce compares and sorts case-insensitively.
TEXT_TYPES: Final[frozenset[str]] = frozenset(
    {
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

#: Components of a compound address field, by suffix, in describe order.
ADDRESS_COMPONENTS: Final[tuple[str, ...]] = (
    "Street",
    "City",
    "State",
    "PostalCode",
    "Country",
    "Latitude",
    "Longitude",
    "GeocodeAccuracy",
)

#: The JSON keys of a compound address value, as REST returns them.
ADDRESS_JSON_KEYS: Final[tuple[str, ...]] = (
    "city",
    "country",
    "geocodeAccuracy",
    "latitude",
    "longitude",
    "postalCode",
    "state",
    "street",
)


@dataclass(frozen=True)
class PicklistValue:
    """One picklist entry as describe reports it."""

    value: str
    label: str
    active: bool = True
    default_value: bool = False


@dataclass(frozen=True)
class FieldDef:
    """One field of an object, with the describe metadata clients read.

    Attributes:
        name: API name (``Name``, ``Tax_Id__c``, ``BillingStreet``).
        type: Salesforce type, a key of :data:`SOAP_TYPES`.
        label: Human label.
        length: Maximum characters for text types (0 otherwise).
        precision: Total digits for numbers (0 otherwise).
        scale: Digits after the point for numbers (0 otherwise).
        digits: Digits for int/long (0 otherwise).
        nillable: Whether the field may be null.
        createable: Whether the field may be set on create.
        updateable: Whether the field may be set on update.
        custom: Whether it is a custom field (name ends in ``__c``).
        calculated: Whether it is a formula field.
        calculated_formula: The formula text of a calculated field.
        reference_to: Target object names of a reference field.
        relationship_name: Name used in SOQL for the parent (``Account`` for ``AccountId``).
        compound_field_name: For components, the compound field (``BillingAddress``).
        picklist_values: Entries of picklist and multipicklist fields.
        restricted_picklist: Whether values outside the list are refused.
        external_id: Whether the field is an external id.
        unique: Whether values are unique.
        id_lookup: Whether the field can be used to look a record up.
        filterable: Whether it may appear in WHERE.
        sortable: Whether it may appear in ORDER BY.
        default_value: Default value on create, if any.
        html_formatted: Whether the text is HTML.
    """

    name: str
    type: str
    label: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    calculated: bool = False
    calculated_formula: str | None = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    compound_field_name: str | None = None
    picklist_values: tuple[PicklistValue, ...] = ()
    restricted_picklist: bool = False
    external_id: bool = False
    unique: bool = False
    id_lookup: bool = False
    filterable: bool = True
    sortable: bool = True
    default_value: Any = None
    html_formatted: bool = False

    @property
    def soap_type(self) -> str:
        """The SOAP type describe reports for this field."""
        return SOAP_TYPES[self.type]

    @property
    def is_compound(self) -> bool:
        """Whether this is a compound field with no column of its own."""
        return self.type in COMPOUND_TYPES


@dataclass(frozen=True)
class ObjectDef:
    """One sObject type of the org.

    Attributes:
        name: API name (``Account``, ``Project__c``).
        label: Singular label.
        label_plural: Plural label.
        key_prefix: The three-character id prefix (``001``).
        custom: Whether it is a custom object.
        fields: The fields, in describe order.
        queryable: Whether SOQL may query it.
        replicateable: Whether it may be replicated (getUpdated/getDeleted).
        retrieveable: Whether records can be retrieved by id.
        createable: Whether records can be created through the API.
        updateable: Whether records can be updated through the API.
        deletable: Whether records can be deleted through the API.
        searchable: Whether SOSL can search it.
        bulk_queryable: Whether Bulk API 2.0 accepts queries on it (the emulator can refuse
            some objects, as Salesforce does, to exercise per-object fallback).
    """

    name: str
    label: str
    label_plural: str
    key_prefix: str
    custom: bool
    fields: tuple[FieldDef, ...]
    queryable: bool = True
    replicateable: bool = True
    retrieveable: bool = True
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    searchable: bool = True
    bulk_queryable: bool = True
    _by_lower_name: dict[str, FieldDef] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Index fields and relationship names case-insensitively."""
        index = {f.name.lower(): f for f in self.fields}
        object.__setattr__(self, "_by_lower_name", index)

    def field(self, name: str) -> FieldDef | None:
        """Return the field called ``name`` (case-insensitive), or None."""
        return self._by_lower_name.get(name.lower())

    def relationship(self, relationship_name: str) -> FieldDef | None:
        """Return the reference field whose relationship name is given (case-insensitive)."""
        wanted = relationship_name.lower()
        for candidate in self.fields:
            if candidate.relationship_name and candidate.relationship_name.lower() == wanted:
                return candidate
        return None

    def stored_fields(self) -> tuple[FieldDef, ...]:
        """The fields that have a column of their own (every field but compound ones)."""
        return tuple(f for f in self.fields if not f.is_compound)

    def components(self, compound: FieldDef) -> tuple[FieldDef, ...]:
        """The component fields of a compound field, in describe order."""
        return tuple(f for f in self.fields if f.compound_field_name == compound.name)


class Catalog:
    """The objects of one org, looked up case-insensitively by API name."""

    def __init__(self, objects: tuple[ObjectDef, ...]) -> None:
        """Index ``objects`` by lower-cased name."""
        self.objects = objects
        self._by_lower_name = {o.name.lower(): o for o in objects}

    def get(self, name: str) -> ObjectDef | None:
        """Return the object called ``name`` (case-insensitive), or None."""
        return self._by_lower_name.get(name.lower())

    def names(self) -> list[str]:
        """Every object's API name, in catalogue order."""
        return [o.name for o in self.objects]
