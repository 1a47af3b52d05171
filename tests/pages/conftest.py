"""Fixtures every page test shares."""

import pytest
import streamlit as st


@pytest.fixture
def fresh_read_cache():
    """Pages read through st.cache_data, keyed by the query and its arguments, not by the
    database. A module whose tests write (so that a test's new rows get the same ids as the
    rows of the test before) starts and ends each test with an empty cache:
    `pytestmark = pytest.mark.usefixtures("fresh_read_cache")`. Read-only modules share the
    warm cache, as the server does."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()
