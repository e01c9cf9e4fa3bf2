"""The Salesforce emulator: the subset of Salesforce's REST and Bulk 2.0 APIs that clients use."""
