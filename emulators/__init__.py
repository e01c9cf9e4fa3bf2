"""Local emulators of the Salesforce and Akountify HTTP APIs, for demos, tests and benchmarks."""
