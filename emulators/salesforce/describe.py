"""Describe JSON: ``GET /sobjects`` (global describe) and ``GET /sobjects/{Name}/describe``.

Every key that real describes carry is present, with the values a Developer Edition org gives
for a field or object of that kind, so that clients which read any of them (simple-salesforce,
singer taps, data loaders) work unchanged.
"""

from __future__ import annotations

from typing import Any, Final

from emulators.salesforce.catalog import child_relationships
from emulators.salesforce.schema import TEXT_TYPES, Catalog, FieldDef, ObjectDef

#: Id of the master record type every layoutable object has.
MASTER_RECORD_TYPE_ID: Final[str] = "012000000000000AAA"
#: The most records one DML call (sObject collections) accepts, as global describe says.
MAX_BATCH_SIZE: Final[int] = 200

_GROUPABLE_TYPES = frozenset(
    {
        "id",
        "reference",
        "string",
        "picklist",
        "boolean",
        "date",
        "email",
        "phone",
        "url",
        "int",
        "long",
        "combobox",
    }
)
_NOT_AGGREGATABLE = frozenset(
    {"textarea", "multipicklist", "base64", "address", "location", "anyType"}
)
_FEED_ENABLED = frozenset({"Account", "Contact", "Opportunity", "User", "Product2"})
_MERGEABLE = frozenset({"Account", "Contact"})
_AUTO_FIELDS = frozenset(
    {
        "Id",
        "IsDeleted",
        "OwnerId",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
    }
)


def _prefix(api_version: str) -> str:
    return f"/services/data/v{api_version}/sobjects"


def is_layoutable(obj: ObjectDef) -> bool:
    """Whether the object has page layouts (history and feed objects have none)."""
    return not obj.name.endswith(("History", "Feed"))


def _object_urls(
    obj: ObjectDef, api_version: str, instance_url: str | None, *, full: bool
) -> dict[str, str]:
    base = f"{_prefix(api_version)}/{obj.name}"
    urls = {
        "sobject": base,
        "describe": f"{base}/describe",
        "rowTemplate": f"{base}/{{ID}}",
    }
    if obj.createable:
        urls["defaultValues"] = f"{base}/defaultValues?recordTypeId&fields"
    if is_layoutable(obj):
        urls.update(
            {
                "compactLayouts": f"{base}/describe/compactLayouts",
                "approvalLayouts": f"{base}/describe/approvalLayouts",
                "listviews": f"{base}/listviews",
                "quickActions": f"{base}/quickActions",
                "layouts": f"{base}/describe/layouts",
            }
        )
        if full and instance_url:
            host = instance_url.rstrip("/")
            urls.update(
                {
                    "uiDetailTemplate": f"{host}/{{ID}}",
                    "uiEditTemplate": f"{host}/{{ID}}/e",
                    "uiNewRecord": f"{host}/{obj.key_prefix}/e",
                }
            )
    return urls


def _object_flags(obj: ObjectDef) -> dict[str, Any]:
    """The flags global describe and per-object describe share, in Salesforce's key order."""
    layoutable = is_layoutable(obj)
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": obj.createable,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": obj.name in _FEED_ENABLED or obj.custom,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": layoutable,
        "mergeable": obj.name in _MERGEABLE,
        "mruEnabled": layoutable,
        "name": obj.name,
        "queryable": obj.queryable,
        "replicateable": obj.replicateable,
        "retrieveable": obj.retrieveable,
        "searchable": obj.searchable,
        "triggerable": layoutable,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
    }


def describe_global(
    catalog: Catalog, api_version: str, *, instance_url: str | None = None
) -> dict[str, Any]:
    """The global describe: every object with its flags and URLs.

    Args:
        catalog: The org's objects.
        api_version: The version in the request path (``62.0``).
        instance_url: The instance's base URL, for UI URLs (omitted when None).

    Returns:
        ``{"encoding", "maxBatchSize", "sobjects": […]}``.
    """
    sobjects = []
    for obj in catalog.objects:
        entry = _object_flags(obj)
        entry["urls"] = _object_urls(obj, api_version, instance_url, full=False)
        sobjects.append(entry)
    return {"encoding": "UTF-8", "maxBatchSize": MAX_BATCH_SIZE, "sobjects": sobjects}


def _byte_length(field: FieldDef) -> int:
    if field.type in {"id", "reference"}:
        return 18
    if field.type in TEXT_TYPES:
        return field.length * 3
    if field.type == "base64":
        return field.length
    return 0


def _extra_type_info(obj: ObjectDef, field: FieldDef) -> str | None:
    if field.type == "textarea":
        return "richtextarea" if field.html_formatted else "plaintextarea"
    if field.name == "PhotoUrl":
        return "imageurl"
    if field.name == "Name" and obj.name in {"Contact", "User"}:
        return "personname"
    if field.name == "Name" and obj.name == "Account":
        return "switchablepersonname"
    return None


def _defaulted_on_create(obj: ObjectDef, field: FieldDef) -> bool:
    if field.name in _AUTO_FIELDS or field.type == "boolean":
        return True
    if field.name == "Name" and obj.custom:
        return True
    return field.default_value is not None


def _picklist_values(field: FieldDef) -> list[dict[str, Any]]:
    return [
        {
            "active": entry.active,
            "defaultValue": entry.default_value,
            "label": entry.label,
            "validFor": None,
            "value": entry.value,
        }
        for entry in field.picklist_values
    ]


def _default_value(field: FieldDef) -> Any:
    if field.type == "boolean":
        return bool(field.default_value)
    return None


def describe_field(
    obj: ObjectDef, field: FieldDef, *, cascade_delete: bool = False
) -> dict[str, Any]:
    """One entry of ``fields`` in an object describe, with every key real describes carry.

    Args:
        obj: The object the field belongs to.
        field: The field.
        cascade_delete: Whether it is a master-detail reference whose parent's deletion
            deletes this record.

    Returns:
        The field describe, keys in alphabetical order as Salesforce sends them.
    """
    kind = field.type
    is_compound = field.is_compound
    encrypted = kind == "encryptedstring"
    return {
        "aggregatable": kind not in _NOT_AGGREGATABLE and field.sortable,
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": _byte_length(field),
        "calculated": field.calculated,
        "calculatedFormula": field.calculated_formula,
        "cascadeDelete": cascade_delete,
        "caseSensitive": False,
        "compoundFieldName": field.compound_field_name,
        "controllerName": None,
        "createable": field.createable,
        "custom": field.custom,
        "defaultValue": _default_value(field),
        "defaultValueFormula": None,
        "defaultedOnCreate": _defaulted_on_create(obj, field),
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": field.digits,
        "displayLocationInDecimal": kind == "location",
        "encrypted": encrypted,
        "externalId": field.external_id,
        "extraTypeInfo": _extra_type_info(obj, field),
        "filterable": field.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": kind in _GROUPABLE_TYPES and field.sortable and not is_compound,
        "highScaleNumber": False,
        "htmlFormatted": field.html_formatted,
        "idLookup": field.id_lookup,
        "inlineHelpText": None,
        "label": field.label,
        "length": field.length,
        "mask": "X" if encrypted else None,
        "maskType": "lastFour" if encrypted else None,
        "name": field.name,
        "nameField": field.name == "Name",
        "namePointing": len(field.reference_to) > 1,
        "nillable": field.nillable,
        "permissionable": field.custom and field.nillable and not field.calculated,
        "picklistValues": _picklist_values(field),
        "polymorphicForeignKey": len(field.reference_to) > 1,
        "precision": field.precision,
        "queryByDistance": kind == "location",
        "referenceTargetField": None,
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "relationshipOrder": 0 if cascade_delete and field.custom else None,
        "restrictedDelete": False,
        "restrictedPicklist": field.restricted_picklist,
        "scale": field.scale,
        "searchPrefilterable": kind == "reference",
        "soapType": field.soap_type,
        "sortable": field.sortable,
        "type": kind,
        "unique": field.unique,
        "updateable": field.updateable,
        "writeRequiresMasterRead": False,
    }


def _record_type_infos(obj: ObjectDef, api_version: str) -> list[dict[str, Any]]:
    if not is_layoutable(obj):
        return []
    return [
        {
            "active": True,
            "available": True,
            "defaultRecordTypeMapping": True,
            "developerName": "Master",
            "master": True,
            "name": "Master",
            "recordTypeId": MASTER_RECORD_TYPE_ID,
            "urls": {
                "layout": (
                    f"{_prefix(api_version)}/{obj.name}/describe/layouts/{MASTER_RECORD_TYPE_ID}"
                )
            },
        }
    ]


def _supported_scopes(obj: ObjectDef) -> list[dict[str, str]]:
    plural = obj.label_plural.lower()
    scopes = [{"label": f"All {plural}", "name": "everything"}]
    if obj.field("OwnerId") is not None:
        scopes.append({"label": f"My {plural}", "name": "mine"})
        scopes.append({"label": "My team's " + plural, "name": "team"})
    return scopes


def _is_master_detail(obj: ObjectDef, field: FieldDef, catalog: Catalog) -> bool:
    """Whether ``field`` is a master-detail reference: set once, deleted with its parent."""
    if not field.reference_to or field.updateable or not field.createable:
        return False
    return any(
        relationship.child_object == obj.name
        and relationship.field == field.name
        and relationship.cascade_delete
        for relationship in child_relationships(catalog, field.reference_to[0])
    )


def describe_object(
    obj: ObjectDef, catalog: Catalog, api_version: str, *, instance_url: str | None = None
) -> dict[str, Any]:
    """The full describe of one object.

    Args:
        obj: The object.
        catalog: The org's objects (for child relationships).
        api_version: The version in the request path (``62.0``).
        instance_url: The instance's base URL, for UI URLs (omitted when None).

    Returns:
        The describe JSON, keys in alphabetical order as Salesforce sends them.
    """
    children: list[dict[str, Any]] = [
        {
            "cascadeDelete": relationship.cascade_delete,
            "childSObject": relationship.child_object,
            "deprecatedAndHidden": False,
            "field": relationship.field,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": relationship.relationship_name,
            "restrictedDelete": relationship.restricted_delete,
        }
        for relationship in child_relationships(catalog, obj.name)
    ]
    fields = [
        describe_field(obj, field, cascade_delete=_is_master_detail(obj, field, catalog))
        for field in obj.fields
    ]
    flags = _object_flags(obj)
    layoutable = flags["layoutable"]
    body: dict[str, Any] = {
        "actionOverrides": [],
        **{
            key: flags[key]
            for key in ("activateable", "associateEntityType", "associateParentEntity")
        },
        "childRelationships": children,
        "compactLayoutable": layoutable,
        **{key: flags[key] for key in ("createable", "custom", "customSetting")},
        "dataTranslationEnabled": False,
        "deepCloneable": False,
        "defaultImplementation": None,
        **{key: flags[key] for key in ("deletable", "deprecatedAndHidden")},
        "extendedBy": None,
        "extendsInterfaces": None,
        "feedEnabled": flags["feedEnabled"],
        "fields": fields,
        "hasSubtypes": False,
        "implementedBy": None,
        "implementsInterfaces": None,
        "isInterface": False,
        "isSubtype": False,
        **{key: flags[key] for key in ("keyPrefix", "label", "labelPlural", "layoutable")},
        "listviewable": None,
        "lookupLayoutable": None,
        **{key: flags[key] for key in ("mergeable", "mruEnabled", "name")},
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "queryable": obj.queryable,
        "recordTypeInfos": _record_type_infos(obj, api_version),
        **{key: flags[key] for key in ("replicateable", "retrieveable")},
        "searchLayoutable": obj.searchable and layoutable,
        "searchable": obj.searchable,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": _supported_scopes(obj),
        "triggerable": flags["triggerable"],
        "undeletable": flags["undeletable"],
        "updateable": obj.updateable,
        "urls": _object_urls(obj, api_version, instance_url, full=True),
    }
    return body
