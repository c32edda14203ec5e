"""Hypothesis settings of the hardening suite: one fixed, derandomized profile so that CI runs
the same examples every time, with bounded example counts (each test picks its own bound)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "hardening",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.load_profile("hardening")
