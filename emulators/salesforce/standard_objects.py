"""The standard objects of the emulated org, with the fields a real org's describe lists.

Field order, names, labels, types, sizes and flags follow a Developer Edition org. Account also
carries the org's custom fields (``Tax_Id__c`` …), as they are part of its describe.
"""

from __future__ import annotations

from typing import Any

from emulators.salesforce.field_builders import (
    address,
    formula,
    id_field,
    integer,
    is_deleted,
    location,
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

READ_ONLY: dict[str, Any] = {"createable": False, "updateable": False}

ACCOUNT_TYPES = (
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
)
INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
PAYMENT_TERMS = ("Due on Receipt", "Net 15", "Net 30", "Net 60")
INDUSTRIES_SERVED = (
    "Automotive",
    "Construction",
    "Education",
    "Energy",
    "Finance",
    "Healthcare",
    "Hospitality",
    "Logistics",
    "Public Sector",
    "Retail",
)
#: Opportunity stages: (API name, default probability, forecast category, closed, won).
OPPORTUNITY_STAGES: tuple[tuple[str, int, str, bool, bool], ...] = (
    ("Prospecting", 10, "Pipeline", False, False),
    ("Qualification", 10, "Pipeline", False, False),
    ("Needs Analysis", 20, "Pipeline", False, False),
    ("Value Proposition", 50, "Pipeline", False, False),
    ("Id. Decision Makers", 60, "Pipeline", False, False),
    ("Perception Analysis", 70, "Pipeline", False, False),
    ("Proposal/Price Quote", 75, "Pipeline", False, False),
    ("Negotiation/Review", 90, "Pipeline", False, False),
    ("Closed Won", 100, "Closed", True, True),
    ("Closed Lost", 0, "Omitted", True, False),
)
#: Forecast category API value → its label (``ForecastCategoryName``).
FORECAST_CATEGORY_NAMES = {
    "Omitted": "Omitted",
    "Pipeline": "Pipeline",
    "BestCase": "Best Case",
    "Forecast": "Commit",
    "Closed": "Closed",
}
TIME_ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Paris",
    "Asia/Tokyo",
    "Australia/Sydney",
    "GMT",
)
LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "ja_JP", "es_ES")
LANGUAGES = ("en_US", "fr", "de", "ja", "es")


def account() -> ObjectDef:
    """Account: the standard fields then the org's custom fields."""
    custom = (
        text("Tax_Id__c", "Tax ID", 50),
        picklist("Payment_Terms__c", "Payment Terms", PAYMENT_TERMS, restricted_picklist=True),
        picklist("Industries_Served__c", "Industries Served", INDUSTRIES_SERVED, multi=True),
        number("currency", "Credit_Limit__c", "Credit Limit", 16, 2),
        simple("date", "Customer_Since__c", "Customer Since"),
        number("currency", "Opening_Balance__c", "Opening Balance", 18, 6),
        text(
            "ERP_Customer_Number__c",
            "ERP Customer Number",
            40,
            external_id=True,
            unique=True,
            id_lookup=True,
        ),
        typed_text("encryptedstring", "Bank_Account__c", "Bank Account", 175, sortable=False),
        *location("Headquarters__c", "Headquarters"),
        formula(
            "string",
            "Billing_Summary__c",
            "Billing Summary",
            'BillingCity & IF(ISBLANK(BillingCity) || ISBLANK(BillingCountry), "", ", ") '
            "& BillingCountry",
        ),
        picklist("CustomerPriority__c", "Customer Priority", ("High", "Low", "Medium")),
        picklist("SLA__c", "SLA", ("Gold", "Silver", "Platinum", "Bronze")),
        picklist("Active__c", "Active", ("No", "Yes")),
        number("double", "NumberofLocations__c", "Number of Locations", 3, 0),
        picklist("UpsellOpportunity__c", "Upsell Opportunity", ("Maybe", "No", "Yes")),
        text("SLASerialNumber__c", "SLA Serial Number", 10),
        simple("date", "SLAExpirationDate__c", "SLA Expiration Date"),
    )
    fields: tuple[FieldDef, ...] = (
        id_field("Account ID"),
        is_deleted(),
        reference("MasterRecordId", "Master Record ID", "Account", "MasterRecord", **READ_ONLY),
        text("Name", "Account Name", 255, nillable=False, id_lookup=True),
        picklist("Type", "Account Type", ACCOUNT_TYPES),
        reference("ParentId", "Parent Account ID", "Account", "Parent"),
        *address("Billing", "Billing"),
        *address("Shipping", "Shipping"),
        typed_text("phone", "Phone", "Account Phone", 40),
        typed_text("phone", "Fax", "Account Fax", 40),
        text("AccountNumber", "Account Number", 40),
        typed_text("url", "Website", "Website", 255),
        typed_text("url", "PhotoUrl", "Photo URL", 255, **READ_ONLY),
        text("Sic", "SIC Code", 20),
        picklist("Industry", "Industry", INDUSTRIES),
        number("currency", "AnnualRevenue", "Annual Revenue", 18, 0),
        integer("int", "NumberOfEmployees", "Employees", 8),
        picklist("Ownership", "Ownership", ("Public", "Private", "Subsidiary", "Other")),
        text("TickerSymbol", "Ticker Symbol", 20),
        textarea("Description", "Account Description"),
        picklist("Rating", "Account Rating", ("Hot", "Warm", "Cold")),
        text("Site", "Account Site", 80),
        owner_id(),
        *system_fields(),
        simple("date", "LastActivityDate", "Last Activity", **READ_ONLY),
        *viewed_fields(),
        text("Jigsaw", "Data.com Key", 20),
        text("JigsawCompanyId", "Jigsaw Company ID", 20, **READ_ONLY),
        picklist("AccountSource", "Account Source", LEAD_SOURCES),
        text("SicDesc", "SIC Description", 80),
        *custom,
    )
    return ObjectDef("Account", "Account", "Accounts", "001", custom=False, fields=fields)


def contact() -> ObjectDef:
    """Contact, with its Mailing and Other addresses."""
    fields = (
        id_field("Contact ID"),
        is_deleted(),
        reference("MasterRecordId", "Master Record ID", "Contact", "MasterRecord", **READ_ONLY),
        reference("AccountId", "Account ID", "Account", "Account"),
        text("LastName", "Last Name", 80, nillable=False),
        text("FirstName", "First Name", 40),
        picklist("Salutation", "Salutation", ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
        text("Name", "Full Name", 121, nillable=False, **READ_ONLY),
        *address("Other", "Other"),
        *address("Mailing", "Mailing"),
        typed_text("phone", "Phone", "Business Phone", 40),
        typed_text("phone", "Fax", "Business Fax", 40),
        typed_text("phone", "MobilePhone", "Mobile Phone", 40),
        typed_text("phone", "HomePhone", "Home Phone", 40),
        typed_text("phone", "OtherPhone", "Other Phone", 40),
        typed_text("phone", "AssistantPhone", "Asst. Phone", 40),
        reference("ReportsToId", "Reports To ID", "Contact", "ReportsTo"),
        typed_text("email", "Email", "Email", 80, id_lookup=True),
        text("Title", "Title", 128),
        text("Department", "Department", 80),
        text("AssistantName", "Assistant's Name", 40),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        simple("date", "Birthdate", "Birthdate"),
        textarea("Description", "Contact Description"),
        owner_id(),
        simple("boolean", "HasOptedOutOfEmail", "Email Opt Out"),
        simple("boolean", "HasOptedOutOfFax", "Fax Opt Out"),
        simple("boolean", "DoNotCall", "Do Not Call"),
        *system_fields(),
        simple("date", "LastActivityDate", "Last Activity", **READ_ONLY),
        simple("datetime", "LastCURequestDate", "Last Stay-in-Touch Request Date", **READ_ONLY),
        simple("datetime", "LastCUUpdateDate", "Last Stay-in-Touch Save Date", **READ_ONLY),
        *viewed_fields(),
        text("EmailBouncedReason", "Email Bounced Reason", 255),
        simple("datetime", "EmailBouncedDate", "Email Bounced Date"),
        simple("boolean", "IsEmailBounced", "Is Email Bounced", **READ_ONLY),
        typed_text("url", "PhotoUrl", "Photo URL", 255, **READ_ONLY),
        text("Jigsaw", "Data.com Key", 20),
        text("JigsawContactId", "Jigsaw Contact ID", 20, **READ_ONLY),
        text("Languages__c", "Languages", 100),
        picklist("Level__c", "Level", ("Secondary", "Tertiary", "Primary")),
    )
    return ObjectDef("Contact", "Contact", "Contacts", "003", custom=False, fields=fields)


def opportunity() -> ObjectDef:
    """Opportunity; stage-derived fields (IsWon, IsClosed, forecast) are read only."""
    stages = tuple(stage[0] for stage in OPPORTUNITY_STAGES)
    fields = (
        id_field("Opportunity ID"),
        is_deleted(),
        reference("AccountId", "Account ID", "Account", "Account"),
        simple("boolean", "IsPrivate", "Private"),
        text("Name", "Name", 120, nillable=False),
        textarea("Description", "Description"),
        picklist("StageName", "Stage", stages, nillable=False),
        number("currency", "Amount", "Amount", 18, 2),
        number("percent", "Probability", "Probability (%)", 3, 0),
        number("currency", "ExpectedRevenue", "Expected Amount", 18, 2, **READ_ONLY),
        number("double", "TotalOpportunityQuantity", "Quantity", 18, 2),
        simple("date", "CloseDate", "Close Date", nillable=False),
        picklist(
            "Type",
            "Opportunity Type",
            (
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
        ),
        text("NextStep", "Next Step", 255),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        simple("boolean", "IsClosed", "Closed", **READ_ONLY),
        simple("boolean", "IsWon", "Won", **READ_ONLY),
        picklist(
            "ForecastCategory",
            "Forecast Category",
            tuple(FORECAST_CATEGORY_NAMES),
            nillable=False,
            **READ_ONLY,
        ),
        picklist(
            "ForecastCategoryName",
            "Forecast Category",
            tuple(FORECAST_CATEGORY_NAMES.values()),
        ),
        simple("boolean", "HasOpportunityLineItem", "Has Line Item", **READ_ONLY),
        reference("Pricebook2Id", "Price Book ID", "Pricebook2", "Pricebook2"),
        owner_id(),
        *system_fields(),
        simple("date", "LastActivityDate", "Last Activity", **READ_ONLY),
        integer("int", "FiscalQuarter", "Fiscal Quarter", 11, **READ_ONLY),
        integer("int", "FiscalYear", "Fiscal Year", 11, **READ_ONLY),
        text("Fiscal", "Fiscal Period", 6, **READ_ONLY),
        *viewed_fields(),
        picklist(
            "DeliveryInstallationStatus__c",
            "Delivery/Installation Status",
            ("In progress", "Yet to begin", "Completed"),
        ),
        text("TrackingNumber__c", "Tracking Number", 12),
        text("OrderNumber__c", "Order Number", 8),
        text("CurrentGenerators__c", "Current Generator(s)", 100),
        text("MainCompetitors__c", "Main Competitor(s)", 100),
    )
    return ObjectDef(
        "Opportunity", "Opportunity", "Opportunities", "006", custom=False, fields=fields
    )


def product2() -> ObjectDef:
    """Product2 (the product catalogue)."""
    fields = (
        id_field("Product ID"),
        text("Name", "Product Name", 255, nillable=False, id_lookup=True),
        text("ProductCode", "Product Code", 255),
        textarea("Description", "Product Description", 4000),
        simple("boolean", "IsActive", "Active"),
        *system_fields(),
        picklist("Family", "Product Family", ("Hardware", "Software", "Services", "Support")),
        is_deleted(),
        simple("boolean", "IsArchived", "Archived", **READ_ONLY),
        text("ExternalId", "External ID", 255),
        typed_text("url", "DisplayUrl", "Display URL", 1000),
        picklist("QuantityUnitOfMeasure", "Quantity Unit Of Measure", ("Each", "Hour", "Seat")),
        text("StockKeepingUnit", "Product SKU", 180),
        *viewed_fields(),
    )
    return ObjectDef("Product2", "Product", "Products", "01t", custom=False, fields=fields)


def pricebook2() -> ObjectDef:
    """Pricebook2 (price books; the standard one is created with the org)."""
    fields = (
        id_field("Price Book ID"),
        is_deleted(),
        text("Name", "Price Book Name", 255, nillable=False),
        *system_fields(),
        simple("boolean", "IsActive", "Active"),
        simple("boolean", "IsArchived", "Archived", **READ_ONLY),
        text("Description", "Description", 255),
        simple("boolean", "IsStandard", "Is Standard Price Book", **READ_ONLY),
        *viewed_fields(),
    )
    return ObjectDef("Pricebook2", "Price Book", "Price Books", "01s", custom=False, fields=fields)


def pricebook_entry() -> ObjectDef:
    """PricebookEntry: a product's price in a price book."""
    fields = (
        id_field("Price Book Entry ID"),
        text("Name", "Product Name", 255, **READ_ONLY),
        reference(
            "Pricebook2Id",
            "Price Book ID",
            "Pricebook2",
            "Pricebook2",
            nillable=False,
            updateable=False,
        ),
        reference(
            "Product2Id", "Product ID", "Product2", "Product2", nillable=False, updateable=False
        ),
        number("currency", "UnitPrice", "List Price", 16, 2, nillable=False),
        simple("boolean", "IsActive", "Active"),
        simple("boolean", "UseStandardPrice", "Use Standard Price"),
        *system_fields(),
        text("ProductCode", "Product Code", 255, **READ_ONLY),
        is_deleted(),
        simple("boolean", "IsArchived", "Archived", **READ_ONLY),
    )
    return ObjectDef(
        "PricebookEntry",
        "Price Book Entry",
        "Price Book Entries",
        "01u",
        custom=False,
        fields=fields,
    )


def opportunity_line_item() -> ObjectDef:
    """OpportunityLineItem: a product on an opportunity (master-detail to Opportunity)."""
    fields = (
        id_field("Line Item ID"),
        reference(
            "OpportunityId",
            "Opportunity ID",
            "Opportunity",
            "Opportunity",
            nillable=False,
            updateable=False,
        ),
        integer("int", "SortOrder", "Sort Order", 9),
        reference(
            "PricebookEntryId",
            "Price Book Entry ID",
            "PricebookEntry",
            "PricebookEntry",
            updateable=False,
        ),
        reference("Product2Id", "Product ID", "Product2", "Product2", updateable=False),
        text("ProductCode", "Product Code", 255, **READ_ONLY),
        text("Name", "Opportunity Product Name", 376, **READ_ONLY),
        number("double", "Quantity", "Quantity", 12, 2, nillable=False),
        number("currency", "TotalPrice", "Total Price", 16, 2),
        number("currency", "UnitPrice", "Sales Price", 18, 2),
        number("currency", "ListPrice", "List Price", 18, 2, **READ_ONLY),
        simple("date", "ServiceDate", "Date"),
        text("Description", "Line Description", 255),
        *system_fields(),
        is_deleted(),
        number("currency", "Subtotal", "Subtotal", 18, 2, **READ_ONLY),
        number("percent", "Discount", "Discount", 18, 2),
    )
    return ObjectDef(
        "OpportunityLineItem",
        "Opportunity Product",
        "Opportunity Product",
        "00k",
        custom=False,
        fields=fields,
        replicateable=True,
        searchable=False,
    )


def user() -> ObjectDef:
    """User. Users are deactivated, never deleted: the object has no IsDeleted field."""
    fields = (
        id_field("User ID"),
        text("Username", "Username", 80, nillable=False, unique=True, id_lookup=True),
        text("LastName", "Last Name", 80, nillable=False),
        text("FirstName", "First Name", 40),
        text("Name", "Full Name", 121, nillable=False, **READ_ONLY),
        text("CompanyName", "Company Name", 80),
        text("Division", "Division", 80),
        text("Department", "Department", 80),
        text("Title", "Title", 80),
        *address("", ""),
        typed_text("email", "Email", "Email", 128, nillable=False),
        typed_text("phone", "Phone", "Phone", 40),
        typed_text("phone", "MobilePhone", "Mobile", 40),
        text("Alias", "Alias", 8, nillable=False),
        text("CommunityNickname", "Nickname", 40, nillable=False, unique=True),
        simple("boolean", "IsActive", "Active", default_value=True),
        picklist(
            "TimeZoneSidKey", "Time Zone", TIME_ZONES, nillable=False, restricted_picklist=True
        ),
        picklist("LocaleSidKey", "Locale", LOCALES, nillable=False, restricted_picklist=True),
        picklist(
            "EmailEncodingKey",
            "Email Encoding",
            ("UTF-8", "ISO-8859-1"),
            nillable=False,
            restricted_picklist=True,
        ),
        picklist("UserType", "User Type", ("Standard", "AutomatedProcess"), **READ_ONLY),
        picklist(
            "LanguageLocaleKey", "Language", LANGUAGES, nillable=False, restricted_picklist=True
        ),
        text("EmployeeNumber", "Employee Number", 20),
        reference("ManagerId", "Manager ID", "User", "Manager"),
        simple("datetime", "LastLoginDate", "Last Login", **READ_ONLY),
        *system_fields(),
        *viewed_fields(),
    )
    return ObjectDef("User", "User", "Users", "005", custom=False, fields=fields, deletable=False)


#: Account fields whose changes are written to AccountHistory.
TRACKED_ACCOUNT_FIELDS = (
    "Name",
    "Type",
    "Industry",
    "OwnerId",
    "Payment_Terms__c",
    "Credit_Limit__c",
    "Tax_Id__c",
)


def account_history() -> ObjectDef:
    """AccountHistory: field history of Accounts; only CreatedDate, no modstamp."""
    fields = (
        id_field("Account History ID"),
        is_deleted(),
        reference("AccountId", "Account ID", "Account", "Account", nillable=False, **READ_ONLY),
        reference("CreatedById", "Created By ID", "User", "CreatedBy", nillable=False, **READ_ONLY),
        simple("datetime", "CreatedDate", "Created Date", nillable=False, **READ_ONLY),
        picklist(
            "Field",
            "Changed Field",
            ("created", *TRACKED_ACCOUNT_FIELDS),
            nillable=False,
            **READ_ONLY,
        ),
        picklist(
            "DataType", "Data Type", ("Text", "Currency", "EntityId", "DynamicEnum"), **READ_ONLY
        ),
        simple("anyType", "OldValue", "Old Value", sortable=False, filterable=False, **READ_ONLY),
        simple("anyType", "NewValue", "New Value", sortable=False, filterable=False, **READ_ONLY),
    )
    return ObjectDef(
        "AccountHistory",
        "Account History",
        "Account History",
        "017",
        custom=False,
        fields=fields,
        createable=False,
        updateable=False,
        deletable=False,
        searchable=False,
    )


def account_feed() -> ObjectDef:
    """AccountFeed: Chatter posts on accounts. The Bulk API refuses feed objects."""
    fields = (
        id_field("Feed Item ID"),
        reference("ParentId", "Parent ID", "Account", "Parent", nillable=False, **READ_ONLY),
        picklist(
            "Type",
            "Feed Item Type",
            ("TextPost", "LinkPost", "ContentPost", "TrackedChange", "CreateRecordEvent"),
            **READ_ONLY,
        ),
        reference("CreatedById", "Created By ID", "User", "CreatedBy", nillable=False, **READ_ONLY),
        simple("datetime", "CreatedDate", "Created Date", nillable=False, **READ_ONLY),
        is_deleted(),
        simple("datetime", "LastModifiedDate", "Last Modified Date", nillable=False, **READ_ONLY),
        simple("datetime", "SystemModstamp", "System Modstamp", nillable=False, **READ_ONLY),
        integer("int", "CommentCount", "Comment Count", 9, **READ_ONLY),
        integer("int", "LikeCount", "Like Count", 9, **READ_ONLY),
        text("Title", "Title", 255, **READ_ONLY),
        textarea("Body", "Body", 10000, **READ_ONLY),
        typed_text("url", "LinkUrl", "Link Url", 1000, **READ_ONLY),
        simple("boolean", "IsRichText", "Is Rich Text", **READ_ONLY),
        reference("InsertedById", "InsertedBy ID", "User", "InsertedBy", **READ_ONLY),
    )
    return ObjectDef(
        "AccountFeed",
        "Account Feed",
        "Account Feed",
        "0D5",
        custom=False,
        fields=fields,
        createable=False,
        updateable=False,
        replicateable=False,
        searchable=False,
        bulk_queryable=False,
    )
