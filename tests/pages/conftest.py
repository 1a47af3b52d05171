"""Fixtures every page test shares."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def _fresh_read_cache():
    """Pages read through st.cache_data, keyed by the query and its arguments, not by the
    database: each test's own database starts with an empty cache, and leaves none behind
    (its new rows get the same ids as the rows of the test before)."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()
