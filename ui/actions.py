"""The one way pages read and write.

`read(fn, **kwargs)` runs a service query in a read session and caches the result;
`write(fn, **kwargs)` runs a service operation in one transaction and shows a refusal in
the user's language (nothing is written then); what it wrote makes stale only the cached
reads of the same tables and communities (services/data_versions.py).

A write's outcome is shown where the person pressed: `flash(message, anchor=...)` keeps
the message for the rerun that follows the write, and `show_flash(anchor)` draws it in a
slot that exists on every run (so a message that comes and goes never moves the
elements below it, and an open popover or form stays on its own record).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services import data_versions
from services.access import Actor
from services.db import new_read_session, read_session, transaction
from services.errors import BoardError
from ui import read_cache
from ui.i18n import error_text
from ui.run_memo import forget, this_run
from ui.session import ACTOR_THIS_RUN

log = logging.getLogger("board")

PAGE = "page"  # the anchor of a page's own message slot, under its title
LAST_REFUSAL = "ui_last_refusal"  # the BoardError of the latest refused write
_FLASH = "ui_flash"  # {anchor: message}
_CLEAR = "ui_clear"  # widget keys to empty on the next run
_READ_SESSION = "ui_read_session_this_run"  # the run's reads' session (_run_session)
_VERSIONS = "ui_versions_this_run"  # every data version, read once per run (this_run)


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


# fn path -> the tables its queries named (learnt on its first run in this process)
_tables_of: dict[str, frozenset[str]] = {}


def _key(fn_path: str, kwargs: dict[str, Any], versions: tuple) -> str:
    """The cache key of a read: its function, its arguments and the versions of the data
    it depends on (read before it ran: a write that changes one of them makes the next
    read run again), as one string. Arguments are plain data (ids, days, periods, the
    actor: frozen dataclasses), whose repr says all they hold; Streamlit hashing them
    field by field took over a millisecond a read, 25 reads a dashboard. A table's repr
    leaves rows out: never an argument."""
    if any(isinstance(value, pd.DataFrame | pd.Series) for value in kwargs.values()):
        raise TypeError(f"{fn_path}: a table is no argument of a cached read")
    return repr((fn_path, sorted(kwargs.items()), versions))


def _cached_read(key: str, fn_path: str, kwargs: dict[str, Any]) -> Any:
    """The read `fn_path(**kwargs)`, cached by `key` alone (_key)."""
    kept = read_cache.get(key)
    if not read_cache.is_missing(kept):
        return kept
    with _run_session() as session, data_versions.tables_read() as tables:
        result = _resolve(fn_path)(session=session, **kwargs)
    _tables_of[fn_path] = _tables_of.get(fn_path, frozenset()) | tables
    read_cache.put(key, result)
    return result


def clear_reads() -> None:
    """Forgets every cached read of this process (tests, the benchmark's cold runs)."""
    read_cache.clear()


@contextmanager
def _run_session() -> Iterator[Session]:
    """The read session of this script run: one for all the run's reads, closed after
    each (its connection goes back to the pool), so what several reads ask of the
    database once a read (services.db.once_per_read: the street's communities, the
    visits' data versions; ten statements of a street dashboard) is asked once a run.
    A write in the run starts a new one. Outside a run, a session of its own."""
    if get_script_run_ctx() is None:
        with read_session() as session:
            yield session
        return
    session = this_run(_READ_SESSION, new_read_session)
    try:
        yield session
    finally:
        session.close()


def _communities(kwargs: dict[str, Any]) -> tuple[int, ...] | None:
    """The communities a read is about: the actor's, or the ones asked for; None for the
    whole street."""
    if kwargs.get("community_ids") is not None:
        return tuple(kwargs["community_ids"])
    actor = kwargs.get("actor")
    if isinstance(actor, Actor) and actor.community_id is not None:
        return (actor.community_id,)
    if kwargs.get("community_id") is not None:
        return (kwargs["community_id"],)
    return None


def read(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """A cached service query. Results must be plain data (dataclasses, DataFrames).

    Served from the cache while no write has touched the tables it read, for its
    communities (services/data_versions.py); a read never run in this process runs once
    to learn its tables."""
    path = f"{fn.__module__}.{fn.__qualname__}"
    tables = _tables_of.get(path)
    if tables is None:
        _cached_read(_key(path, kwargs, ("learning",)), path, kwargs)
        tables = _tables_of[path]
    current = _versions(data_versions.scopes(tables, _communities(kwargs)))
    return _cached_read(_key(path, kwargs, current), path, kwargs)


def _versions(scope_names: list[str]) -> tuple[tuple[str, int], ...]:
    """The data versions of `scope_names`, from every version read once per script run: a
    page's reads asked up to twenty times, a session and a round trip each on PostgreSQL.
    A write in the run forgets them; a run that began before another's write reads, as
    the rest of that run does, what was there when it began. Outside a run (a download
    made on its press), read each time."""

    def every_version() -> dict[str, int]:
        with read_session() as session:
            return data_versions.all_versions(session)

    if get_script_run_ctx() is None:
        with read_session() as session:
            return data_versions.versions(session, scope_names)
    every = this_run(_VERSIONS, every_version)
    return tuple((name, every.get(name, 0)) for name in scope_names)


def read_fresh(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """An uncached service query, for data that must be live (a check-in list at the door)."""
    with read_session() as session:
        return fn(session=session, **kwargs)


@dataclass(frozen=True)
class Written:
    """A write that went through, with what the service returned.

    Always true, even when the service returned nothing, zero or an empty list: a
    cancellation that promoted nobody from the waitlist is still a cancellation.
    """

    value: Any

    def __bool__(self) -> bool:
        return True


def write(
    fn: Callable[..., Any],
    /,
    *,
    where: Any = None,
    **kwargs: Any,
) -> Written | None:
    """One service write in one transaction: Written(result), or None when refused.

    A refusal (BoardError) is shown with st.error in `where` (default: where the page is
    drawing, i.e. next to the button that was pressed), in the user's language; the
    transaction is rolled back so nothing is written.
    """
    target = where or st
    try:
        with transaction() as session:
            result = fn(session=session, **kwargs)
        # the run's next reads see the write, and who wrote it as it left them (a
        # password or a name changed)
        forget(_VERSIONS, ACTOR_THIS_RUN, _READ_SESSION)
    except BoardError as err:
        target.error(error_text(err), icon=":material/error:")
        st.session_state[LAST_REFUSAL] = err
        return None
    return Written(result)


def flash(message: str, *, anchor: str = PAGE, clear: tuple[str, ...] = ()) -> None:
    """A success message for the st.rerun() after a write, drawn by show_flash(anchor).

    `anchor` names the slot beside what was pressed (a record's card, a form); use PAGE
    when the record leaves the view (a request closed off an agent's queue). `clear`
    names the widget keys to empty on that next run (after a refusal nothing is
    cleared: what the user typed stays for them to correct)."""
    st.session_state[_FLASH] = {anchor: message}
    st.session_state[_CLEAR] = tuple(clear)


def show_flash(anchor: str = PAGE) -> None:
    """Draws the message kept for `anchor`, in a slot that is there on every run.

    The page's own slot (PAGE) is drawn first, under the title, before any widget: it
    empties the form keys to clear, and drops a message whose record is no longer shown
    (one run is all a message lives)."""
    if anchor == PAGE:
        for key in st.session_state.pop(_CLEAR, ()):
            # A text box is emptied by giving it "" (sent to the browser, which otherwise
            # keeps showing, and sends back, what was typed); other widgets start over.
            if isinstance(st.session_state.get(key), str):
                st.session_state[key] = ""
            else:
                st.session_state.pop(key, None)
        pending = st.session_state.pop(_FLASH, {})
        # Messages for records are kept for this run only, for their own slots below.
        st.session_state["ui_flash_now"] = pending
    slot = st.container(key=f"flash_{anchor}")
    message = st.session_state.get("ui_flash_now", {}).get(anchor)
    if message:
        slot.success(message, icon=":material/check_circle:")
