"""Hypothesis settings of the hardening suite.

Every property and fuzz test here runs under `HARDENING` (tests/hardening/hypothesis_profile.py): fixed,
derandomized examples so that CI sees the same inputs on every run, no example database, no
deadline, and a bounded `max_examples` per test. It is applied per test (`@settings(HARDENING,
max_examples=N)`), never loaded as the session's default profile, so other suites keep their
own settings. The same settings are registered as the profile "hardening"."""

from __future__ import annotations

from hypothesis import settings

from tests.hardening.hypothesis_profile import HARDENING

settings.register_profile("hardening", HARDENING)
