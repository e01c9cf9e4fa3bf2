"""The emulated org's objects: ``default_catalog()`` and the child relationships between them.

The org has Account, Contact, Opportunity, Product2, Pricebook2, PricebookEntry,
OpportunityLineItem, User, AccountHistory (history: CreatedDate only), AccountFeed (which the
Bulk API refuses), and the custom objects ``Project__c`` and ``Wide_Object__c``. Every field
type of :data:`~emulators.salesforce.schema.SOAP_TYPES` appears on at least one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulators.salesforce import custom_objects, standard_objects
from emulators.salesforce.schema import Catalog, ObjectDef


@dataclass(frozen=True)
class ChildRelationship:
    """A reference from a child object to a parent, as the parent's describe lists it.

    Attributes:
        child_object: The child object's API name (``Contact``).
        field: The child's reference field (``AccountId``).
        relationship_name: The plural name SOQL subqueries use (``Contacts``), or None when
            the relationship has no name (audit fields such as ``CreatedById``).
        cascade_delete: Whether deleting the parent deletes the children (master-detail and
            the standard Account cascades); otherwise the child's reference is cleared.
        restricted_delete: Whether the parent cannot be deleted while children exist.
    """

    child_object: str
    field: str
    relationship_name: str | None
    cascade_delete: bool = False
    restricted_delete: bool = False


#: Named child relationships of the default org (unnamed ones are derived from references).
NAMED_CHILD_RELATIONSHIPS: tuple[ChildRelationship, ...] = (
    ChildRelationship("Account", "ParentId", "ChildAccounts"),
    ChildRelationship("Contact", "AccountId", "Contacts", cascade_delete=True),
    ChildRelationship("Opportunity", "AccountId", "Opportunities", cascade_delete=True),
    ChildRelationship("AccountHistory", "AccountId", "Histories", cascade_delete=True),
    ChildRelationship("AccountFeed", "ParentId", "Feeds", cascade_delete=True),
    ChildRelationship("Project__c", "Account__c", "Projects__r"),
    ChildRelationship("Contact", "ReportsToId", None),
    ChildRelationship(
        "OpportunityLineItem", "OpportunityId", "OpportunityLineItems", cascade_delete=True
    ),
    ChildRelationship("PricebookEntry", "Product2Id", "PricebookEntries", cascade_delete=True),
    ChildRelationship("PricebookEntry", "Pricebook2Id", "PricebookEntries", cascade_delete=True),
    ChildRelationship(
        "OpportunityLineItem", "PricebookEntryId", "OpportunityLineItems", restricted_delete=True
    ),
    ChildRelationship("Opportunity", "Pricebook2Id", "Opportunities"),
    ChildRelationship("User", "ManagerId", "ManagedUsers"),
)


class OrgCatalog(Catalog):
    """A :class:`Catalog` that also knows the names and delete rules of child relationships."""

    def __init__(
        self,
        objects: tuple[ObjectDef, ...],
        named_relationships: tuple[ChildRelationship, ...] = (),
    ) -> None:
        """Index ``objects`` and their relationships.

        Args:
            objects: The org's objects, in describe order.
            named_relationships: Relationship names and delete rules; references not listed
                get an unnamed, non-cascading relationship.
        """
        super().__init__(objects)
        named = {(r.child_object, r.field): r for r in named_relationships}
        self._children: dict[str, list[ChildRelationship]] = {o.name: [] for o in objects}
        for child in objects:
            for field in child.fields:
                for parent in field.reference_to:
                    if parent not in self._children:
                        continue
                    relationship = named.get(
                        (child.name, field.name),
                        ChildRelationship(child.name, field.name, None),
                    )
                    self._children[parent].append(relationship)

    def child_relationships(self, parent: str) -> tuple[ChildRelationship, ...]:
        """The relationships whose children point at object ``parent`` (exact API name)."""
        return tuple(self._children.get(parent, ()))


def child_relationships(catalog: Catalog, parent: str) -> tuple[ChildRelationship, ...]:
    """Child relationships of ``parent`` in any catalogue (unnamed ones for a plain Catalog).

    Args:
        catalog: The org's catalogue.
        parent: The parent object's API name.

    Returns:
        The relationships, in catalogue order of the child objects.
    """
    if isinstance(catalog, OrgCatalog):
        return catalog.child_relationships(parent)
    return OrgCatalog(catalog.objects).child_relationships(parent)


def default_catalog(*, wide_fields: int = custom_objects.DEFAULT_WIDE_FIELDS) -> OrgCatalog:
    """The emulated org's objects.

    Args:
        wide_fields: Number of custom fields on ``Wide_Object__c``.

    Returns:
        The catalogue, objects in global describe order.
    """
    objects = (
        standard_objects.account(),
        standard_objects.account_feed(),
        standard_objects.account_history(),
        standard_objects.contact(),
        standard_objects.opportunity(),
        standard_objects.opportunity_line_item(),
        standard_objects.pricebook2(),
        standard_objects.pricebook_entry(),
        standard_objects.product2(),
        custom_objects.project(),
        standard_objects.user(),
        custom_objects.wide_object(wide_fields),
    )
    return OrgCatalog(objects, NAMED_CHILD_RELATIONSHIPS)
