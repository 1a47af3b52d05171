"""The bell in the sidebar: the signed-in person's unread messages, a link to 消息.

Drawn by app.py on every signed-in page but the meeting screen (a projector shows no
one's messages), for the roles that have the messages page.
"""

from __future__ import annotations

import streamlit as st

from services import outbox
from services.access import Actor, can_view
from ui.actions import read
from ui.i18n import t

PAGE = "views/messages.py"
KEY = "nav_bell"  # its container: .st-key-nav_bell


def bell(actor: Actor) -> None:
    if not can_view(actor.role, "messages"):
        return
    unread = read(outbox.unread_count, actor=actor)
    st.container(key=KEY).page_link(
        PAGE,
        label=t("messages.bell", n=unread) if unread else t("nav.messages"),
        icon=":material/notifications_active:" if unread else ":material/notifications:",
    )
