"""Lazy tabs: a page runs only the open tab.

`lazy_tabs(key, sections)` draws st.tabs(..., key=key, on_change="rerun"): a click on a
tab starts a run, and of each (label, draw) section only the open tab's `draw` runs, so
what a closed tab would read is never read.

The widget's value is the open tab's label, and its identity includes all the labels: a
label that changes with the data (a count in it) would send the person back to the first
tab after every write. So labels never hold counts; a tab shows its count at its top.
The labels do change with the language: the open tab's place is kept beside the widget
(`<key>.open`), so a new set of labels opens the same tab.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

Section = tuple[str, Callable[[], None]]


def lazy_tabs(key: str, sections: Sequence[Section]) -> None:
    """The tabs of `sections` under `key` (st.session_state[key] is the open label)."""
    labels = [label for label, _ in sections]
    place = f"{key}.open"
    if st.session_state.get(key) not in labels and place in st.session_state:
        # new labels (another language): the tab at the same place
        st.session_state[key] = labels[min(st.session_state[place], len(labels) - 1)]
    tabs = st.tabs(labels, key=key, on_change="rerun")
    for index, (tab, (_, draw)) in enumerate(zip(tabs, sections, strict=True)):
        if tab.open:
            st.session_state[place] = index
            with tab:
                draw()
