"""Test-session configuration: Hypothesis profiles and the ``slow`` marker.

Property tests must be reproducible (a failure in CI must fail the same way on
a laptop), so the default profile is derandomized and keeps no example
database in the work tree. Pick another profile with ``HYPOTHESIS_PROFILE``:

- ``default``: derandomized, 200 examples for the invariant properties.
- ``ci``: the same (selected automatically when ``CI`` is set), so CI and
  developers run identical examples.
- ``dev``: randomized with a local example database and 1000 examples, for
  hunting bugs locally.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# No deadline: the engine's time per example depends on machine load and on lazily
# loaded models, and a flaky deadline teaches people to ignore failures.
_BASE = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

settings.register_profile(
    "default", parent=_BASE, derandomize=True, database=None, max_examples=200
)
settings.register_profile("ci", parent=_BASE, derandomize=True, database=None, max_examples=200)
settings.register_profile("dev", parent=_BASE, derandomize=False, max_examples=1000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than 20 s; deselect with -m 'not slow'")
