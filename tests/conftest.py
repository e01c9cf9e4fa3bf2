"""Settings shared by the whole suite."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property-based tests must be deterministic and must not time themselves: the same examples on
# every run (derandomize), no example database carried between runs, and no deadline (the
# machines are shared and noisy; speed is measured by the benchmarks, never by tests).
settings.register_profile(
    "deterministic",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("deterministic")
