"""Fixtures every service test module shares."""

import pytest

from tests import factories


@pytest.fixture
def w(session):
    """A community with a grid, a secretary and a grid worker (tests/factories.world).
    Modules that need more (elders, merchants) define their own `w`."""
    return factories.world(session)
