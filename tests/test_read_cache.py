"""The pages' read cache hands out copies, drops the least recently used, and expires."""

import pandas as pd
import pytest

from ui import read_cache


@pytest.fixture(autouse=True)
def empty():
    read_cache.clear()
    yield
    read_cache.clear()


def test_a_page_that_changes_what_it_read_changes_no_one_elses():
    read_cache.put("k", {"rows": [1, 2], "frame": pd.DataFrame({"n": [1, 2]})})
    first = read_cache.get("k")
    first["rows"].append(3)
    first["frame"].loc[0, "n"] = 99
    again = read_cache.get("k")
    assert again["rows"] == [1, 2] and list(again["frame"]["n"]) == [1, 2]


def test_the_least_recently_used_goes_first_and_old_results_expire(monkeypatch):
    monkeypatch.setattr(read_cache, "MAX_ENTRIES", 2)
    read_cache.put("a", 1)
    read_cache.put("b", 2)
    assert read_cache.get("a") == 1  # a used after b: b goes when c comes
    read_cache.put("c", 3)
    assert read_cache.is_missing(read_cache.get("b"))
    assert (read_cache.get("a"), read_cache.get("c")) == (1, 3)
    now = read_cache.time.monotonic()
    monkeypatch.setattr(read_cache.time, "monotonic", lambda: now + read_cache.TTL_SECONDS + 1)
    assert read_cache.is_missing(read_cache.get("a"))
