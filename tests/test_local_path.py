"""The way back after the cookie is set (ui.session.local_path) stays on this server."""

import pytest

from ui.session import local_path


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/open_tasks?task=12", "/open_tasks?task=12"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://example.org/", "/"),
        ("//example.org/x", "/"),
        ("/\\example.org/x", "/"),
        ("open_tasks", "/"),
    ],
)
def test_local_path(given, expected):
    assert local_path(given) == expected
