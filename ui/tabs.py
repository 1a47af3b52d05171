"""Lazy tabs: a page runs only the open tab.

`lazy_tabs(key, sections)` draws st.tabs(..., key=key, on_change="rerun"): a click on a
tab starts a run, and of each (label, draw) section only the open tab's `draw` runs, so
what a closed tab would read is never read.

The widget's value is the open tab's label, and its identity includes all the labels: a
label that changes with the data (a count in it) would send the person back to the first
tab after every write. So labels never hold counts; a tab shows its count at its top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

Section = tuple[str, Callable[[], None]]


def lazy_tabs(key: str, sections: Sequence[Section]) -> None:
    """The tabs of `sections` under `key` (st.session_state[key] is the open label)."""
    tabs = st.tabs([label for label, _ in sections], key=key, on_change="rerun")
    for tab, (_, draw) in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                draw()
