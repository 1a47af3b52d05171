"""Logging, from a page, that one person's full record is on screen (the access log,
services/access_log.py).

A page redraws on every click, and a record stays on screen across many: a view is
logged once per browser session and record, and again only after VIEW_WINDOW, so the
log says who looked at whom and when, not how often Streamlit reran."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from models.base import utcnow
from services import access_log
from ui.actions import write
from ui.session import current_actor

VIEW_WINDOW = timedelta(minutes=30)
SEEN = "access_log_seen"  # st.session_state: {"<record type>:<id>": when last logged (UTC)}


def note_view(record_type: str, record_id: int, page: str) -> None:
    """The page `page` shows the full record of one elder, volunteer or merchant: logged
    in one transaction, unless this session logged it within VIEW_WINDOW. A refusal
    (another community's record) is shown where the page is drawing."""
    seen: dict[str, datetime] = st.session_state.setdefault(SEEN, {})
    key = f"{record_type}:{record_id}"
    now = utcnow()
    last = seen.get(key)
    if last is not None and now - last < VIEW_WINDOW:
        return
    actor = current_actor()  # asked only when a view is to be logged
    if actor is None:
        return
    if write(
        access_log.record_view,
        actor=actor,
        record_type=record_type,
        record_id=record_id,
        page=page,
    ):
        seen[key] = now
