"""What one script run looks up once: a read every part of a page asks for (who is
signed in, the data versions), kept in session state beside the run's marker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

T = TypeVar("T")


def this_run(name: str, compute: Callable[[], T], *, of: object = None) -> T:
    """compute()'s value, computed once per script run (and fragment run) for the same
    `of`, kept under session state's `name`; outside a run (a download made on its
    press) computed each time."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return compute()
    memo = st.session_state.get(name)
    # ScriptRunContext.reset gives each run (and fragment run) a new `cursors` dict
    if memo is None or memo[0] is not ctx.cursors or memo[1] != of:
        memo = (ctx.cursors, of, compute())
        st.session_state[name] = memo
    return memo[2]


def forget(*names: str) -> None:
    """The run's next look-up of each of `names` computes afresh (after a write)."""
    if get_script_run_ctx() is not None:
        for name in names:
            st.session_state.pop(name, None)
