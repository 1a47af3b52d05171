"""The one way pages read and write.

`read(fn, **kwargs)` runs a service query in a read session and caches the result;
`write(fn, **kwargs)` runs a service operation in one transaction, shows a refusal in
the user's language (nothing is written then), and clears the read cache on success.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from services.db import read_session, transaction
from services.errors import BoardError
from ui.i18n import t

log = logging.getLogger("board")


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@st.cache_data(ttl=600, show_spinner=False, max_entries=2000)
def _cached_read(fn_path: str, kwargs: dict[str, Any]) -> Any:
    with read_session() as session:
        return _resolve(fn_path)(session=session, **kwargs)


def read(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """A cached service query. Results must be plain data (dataclasses, DataFrames)."""
    return _cached_read(f"{fn.__module__}.{fn.__qualname__}", kwargs)


def read_fresh(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """An uncached service query, for data that must be live (a check-in list at the door)."""
    with read_session() as session:
        return fn(session=session, **kwargs)


def write(
    fn: Callable[..., Any],
    /,
    *,
    where: Any = None,
    success: str | None = None,
    **kwargs: Any,
) -> Any:
    """One service write in one transaction. Returns its result, or None when refused.

    A refusal (BoardError) is shown with st.error in `where` (default: the page), in the
    user's language; the transaction is rolled back so nothing is written.
    """
    target = where or st
    try:
        with transaction() as session:
            result = fn(session=session, **kwargs)
    except BoardError as err:
        target.error(t(err.key, **err.params), icon=":material/error:")
        return None
    st.cache_data.clear()
    if success:
        st.toast(success, icon=":material/check_circle:")
    return result if result is not None else True


def flash(message: str, *, clear: tuple[str, ...] = ()) -> None:
    """A success message that survives the st.rerun() after a write. `clear` names the
    widget keys of a form to empty on that next run (after a refusal nothing is cleared:
    what the user typed stays for them to correct)."""
    st.session_state["ui_flash"] = message
    st.session_state["ui_clear"] = clear


def show_flash() -> None:
    """Called at the top of a page, before its widgets exist."""
    for key in st.session_state.pop("ui_clear", ()):
        st.session_state.pop(key, None)
    message = st.session_state.pop("ui_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
