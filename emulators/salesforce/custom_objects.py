"""The org's custom objects: ``Project__c`` and the very wide ``Wide_Object__c``.

``Project__c`` carries the field types no standard object here has (time, long, combobox,
base64). ``Wide_Object__c`` has hundreds of long-named fields, so that a REST query selecting
all of them passes the 16,384-byte URI limit and clients must split their field lists.
"""

from __future__ import annotations

from emulators.salesforce.field_builders import (
    base64,
    formula,
    id_field,
    integer,
    is_deleted,
    number,
    owner_id,
    picklist,
    reference,
    simple,
    system_fields,
    text,
    textarea,
    typed_text,
    viewed_fields,
)
from emulators.salesforce.schema import FieldDef, ObjectDef

PROJECT_STATUSES = ("Planned", "Active", "On Hold", "Completed", "Cancelled")
PROJECT_PHASES = ("Discovery", "Design", "Build", "Rollout", "Support")
#: Number of custom fields of ``Wide_Object__c`` in the default catalogue.
DEFAULT_WIDE_FIELDS = 600
#: Types cycled through by the wide object's fields.
_WIDE_KINDS = ("string", "double", "date", "boolean", "picklist", "datetime")


def standard_custom_fields(name_label: str) -> tuple[FieldDef, ...]:
    """The fields every custom object has before its own: Id, Owner, Name, audit fields."""
    return (
        id_field("Record ID"),
        owner_id(),
        is_deleted(),
        text("Name", name_label, 80, id_lookup=True),
        *system_fields(),
        simple(
            "date", "LastActivityDate", "Last Activity Date", createable=False, updateable=False
        ),
        *viewed_fields(),
    )


def project() -> ObjectDef:
    """Project__c: a custom object with a lookup to Account and one field of each rarer type."""
    fields = (
        *standard_custom_fields("Project Name"),
        reference("Account__c", "Account", "Account", "Account__r"),
        picklist("Status__c", "Status", PROJECT_STATUSES, default="Planned"),
        simple("date", "Start_Date__c", "Start Date"),
        simple("date", "End_Date__c", "End Date"),
        number("currency", "Budget__c", "Budget", 16, 2),
        number("currency", "Spent__c", "Spent", 16, 2),
        formula(
            "currency",
            "Budget_Remaining__c",
            "Budget Remaining",
            "Budget__c - Spent__c",
            precision=18,
            scale=2,
        ),
        number("percent", "Completion__c", "Completion", 5, 2),
        number("double", "Estimated_Hours__c", "Estimated Hours", 10, 2),
        integer("long", "Billable_Seconds__c", "Billable Seconds", 18),
        simple("time", "Daily_Standup__c", "Daily Standup"),
        typed_text("combobox", "Phase__c", "Phase", 255),
        base64("Signed_Contract__c", "Signed Contract", 32000),
        textarea("Notes__c", "Notes", 32768),
        typed_text("url", "Repository_Url__c", "Repository URL", 255),
    )
    return ObjectDef("Project__c", "Project", "Projects", "a01", custom=True, fields=fields)


def wide_field_name(index: int) -> str:
    """The API name of the ``index``-th (1-based) field of ``Wide_Object__c`` (43 characters)."""
    return f"Extended_Attribute_Number_{index:04d}_Value__c"


def wide_object(field_count: int = DEFAULT_WIDE_FIELDS) -> ObjectDef:
    """Wide_Object__c with ``field_count`` custom fields of long names and mixed types.

    Args:
        field_count: How many custom fields to add after the standard ones.

    Returns:
        The object definition.
    """
    extra: list[FieldDef] = []
    for index in range(1, field_count + 1):
        name = wide_field_name(index)
        label = f"Extended Attribute {index}"
        kind = _WIDE_KINDS[(index - 1) % len(_WIDE_KINDS)]
        if kind == "string":
            extra.append(text(name, label, 255))
        elif kind == "double":
            extra.append(number("double", name, label, 18, 4))
        elif kind == "picklist":
            extra.append(picklist(name, label, ("Alpha", "Beta", "Gamma")))
        else:
            extra.append(simple(kind, name, label))
    return ObjectDef(
        "Wide_Object__c",
        "Wide Object",
        "Wide Objects",
        "a02",
        custom=True,
        fields=(*standard_custom_fields("Wide Object Name"), *extra),
    )
