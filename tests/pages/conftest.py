"""Fixtures every page test shares."""

from collections.abc import Iterator

import pytest

from ui import actions


@pytest.fixture
def fresh_read_cache():
    """Pages read through a cache (ui/read_cache.py), keyed by the query and its
    arguments, not by the database. A module whose tests write (so that a test's new rows get the same ids as the
    rows of the test before) starts and ends each test with an empty cache:
    `pytestmark = pytest.mark.usefixtures("fresh_read_cache")`. Read-only modules share the
    warm cache, as the server does."""
    actions.clear_reads()
    yield
    actions.clear_reads()


def open_tab(at, key: str, label: str):
    """Pages draw only the open tab (ui/tabs.py): opens the tab `label` of the tabs under
    `key`, as a click on it does, and runs the page."""
    at.session_state[key] = label
    return at.run()


def each_tab(at) -> Iterator:
    """The page `at` has run, once per tab: `at` as it is, then with each other tab open in
    turn. A sweep that looks at every element of a page looks at every tab this way."""
    yield at
    labels = [tab.label for tab in at.tabs]
    keys = [
        k
        for k in at.session_state
        if isinstance(k, str) and k.endswith("_tab") and at.session_state[k] in labels
    ]
    if not keys:
        return
    (key,) = keys
    first = at.session_state[key]
    for label in labels:
        if label != first:
            yield open_tab(at, key, label)
