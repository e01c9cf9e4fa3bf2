"""Contract checks of the Akountify API: the OpenAPI document, the guide's examples, conformance."""
