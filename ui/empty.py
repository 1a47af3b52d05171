"""Empty states for a board that starts from nothing (BOARD_DEMO=0).

A page that files people under a community (or a grid) calls `missing_organisation`
first; on an empty board it says what to do first, with a link to the organisation page
for those who may open it, and the page shows nothing else that needs a community:

    if missing_organisation(actor):
        st.stop()

`empty_hint(message_key, link=...)` is the same look for any other "nothing here yet".
"""

from __future__ import annotations

import streamlit as st

from services.access import Actor, can_view
from services.org import board_start
from ui.actions import read
from ui.i18n import t

ORGANISATION_PAGE = "views/organisation.py"


def empty_hint(message: str, *, page: str | None = None, label: str | None = None) -> None:
    """An info box saying what to do first, with a link to the page where it is done."""
    st.info(message, icon=":material/lightbulb:")
    if page:
        st.page_link(page, label=label or page, icon=":material/arrow_forward:")


def missing_organisation(actor: Actor, *, grids: bool = False) -> bool:
    """Shows the next step and returns True when the actor's scope has no active
    community (or, with grids=True, no active grid) yet."""
    start = read(board_start, actor=actor)
    if start.communities and (start.grids or not grids):
        return False
    key = "org.empty.no_community" if not start.communities else "org.empty.no_grid"
    if can_view(actor.role, "organisation"):
        empty_hint(t(key), page=ORGANISATION_PAGE, label=t("nav.organisation"))
    else:
        empty_hint(t("org.empty.ask_admin"))
    return True
