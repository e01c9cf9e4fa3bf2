"""target-akountify: a Singer target that writes records to the Akountify accounting API."""
