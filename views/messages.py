"""消息 Messages: the signed-in person's board messages, newest first, each written in
the reader's language from its kind and words (services/outbox.py inbox), with a link to
its task, event, elder or request. Opening the page marks the new ones read: they keep
their "new" mark for this visit, and the bell's count drops at once."""

import streamlit as st

from services import outbox
from services.access import can_view
from services.outbox import InboxMessage
from ui.actions import read, write
from ui.fmt import when
from ui.i18n import t
from ui.records import record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "msg"
SEEN_NEW = "messages_new_this_visit"  # ids shown as new before they were marked read

# record type -> (page key, its file, its link parameter), for staff and field roles; a
# volunteer's task opens on 报名服务 (open_tasks), which takes ?task= too
LINKS = {
    "task": (("tasks", "views/tasks.py"), ("open_tasks", "views/open_tasks.py"), "task"),
    "event": (("events", "views/events.py"), None, "event"),
    "elder": (("visit_record", "views/visit_record.py"), None, "elder"),
    "proxy_request": (("proxy_queue", "views/proxy_queue.py"), None, "request"),
}


def link(message: InboxMessage) -> None:
    """A link to the message's record, on a page the reader may open."""
    if message.record_id is None or message.record_type not in LINKS:
        return
    main, fallback, param = LINKS[message.record_type]
    for page in (main, fallback):
        if page is not None and can_view(actor.role, page[0]):
            st.page_link(
                page[1],
                label=t(f"messages.open.{message.record_type}"),
                icon=":material/open_in_new:",
                query_params={param: str(message.record_id)},
            )
            return


def card(message: InboxMessage, new: bool) -> None:
    with st.container(border=True, key=record_key(SCOPE, "card", message.id)):
        words = {name: plain(value) for name, value in message.params.items()}
        stamp = when(message.created_at)
        st.caption(f"{stamp} · :blue-badge[{t('messages.new')}]" if new else stamp)
        st.markdown(t(f"messages.board.{message.kind}", **words))
        link(message)


actor = page_guard("messages")
st.title(t("nav.messages"))
rows: list[InboxMessage] = read(outbox.inbox, actor=actor)
unread = [m.id for m in rows if not m.read]
marked = write(outbox.mark_read, actor=actor, message_ids=unread) if unread else None
if marked and marked.value:
    # read now: the bell, drawn before this page, counts again on the rerun
    st.session_state[SEEN_NEW] = set(unread)
    st.rerun()
if not rows:
    st.info(t("messages.empty"), icon=":material/notifications_none:")
else:
    st.caption(t("messages.read_note"))
    seen_new = st.session_state.pop(SEEN_NEW, set())  # "new" on this visit only
    for message in rows:
        card(message, message.id in seen_new)
