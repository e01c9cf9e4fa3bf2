"""The Akountify emulator: the reference implementation of the Akountify API contract."""
