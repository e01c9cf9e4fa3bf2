"""tap-salesforce-lite: a Singer tap for Salesforce built on the Meltano Singer SDK."""
