"""The hypothesis settings every hardening test runs under (see conftest.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

HARDENING = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
