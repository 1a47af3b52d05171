"""Who is signed in, from this Streamlit session or the signed cookie, checked every run."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from services import auth
from services.access import Actor, can_view, page_spec
from services.db import read_session, transaction
from ui.i18n import t
from ui.run_memo import this_run

TOKEN_KEY = "auth_token"
ACTOR_THIS_RUN = "ui_actor_this_run"  # the actor of the run's token (this_run)
HANDOFF_KEY = "auth_handoff"
ENTER_PATH = "/session/enter"
LEAVE_PATH = "/session/leave"


def _token() -> str | None:
    token = st.session_state.get(TOKEN_KEY)
    if token:
        return token
    return auth.token_from_cookie(st.context.cookies.get(auth.COOKIE_NAME))


def current_actor() -> Actor | None:
    """The signed-in actor, or None. Looked up in the database once on every run (the
    router and the page's guard both ask), so a revoked session or a deactivated
    account takes effect at once."""
    token = _token()
    if not token:
        return None

    def looked_up() -> Actor | None:
        with read_session() as session:
            return auth.session_actor(session=session, token=token)

    actor = this_run(ACTOR_THIS_RUN, looked_up, of=token)
    if actor is None:
        st.session_state.pop(TOKEN_KEY, None)
    return actor


def redirect(url: str) -> None:
    """Sends the browser to one of our own routes (they set or clear the cookie)."""
    st.html(
        f"<script>window.location.replace({json.dumps(url)});</script>",
        unsafe_allow_javascript=True,
    )


def signed_in(result: auth.SignInResult) -> None:
    """Keeps the new session for this tab, then reruns into the board. The next run sends
    the browser through ENTER_PATH once, which sets the cookie that survives a reload."""
    st.session_state[TOKEN_KEY] = result.token
    st.session_state[HANDOFF_KEY] = result.handoff_code
    st.rerun()


def complete_handoff(url_path: str) -> None:
    """After a sign-in, sends the browser through ENTER_PATH for its cookie, and back to
    the page it was on, with its query (a task's link)."""
    code = st.session_state.pop(HANDOFF_KEY, None)
    if code:
        back = "/" + url_path
        if st.query_params:
            back += "?" + urlencode(st.query_params.to_dict())
        redirect(f"{ENTER_PATH}?{urlencode({'code': code, 'next': back})}")


def local_path(url: str | None) -> str:
    """`url` if it is a path on this server, else "/": the way back after the cookie is
    set must not lead to another site ("//host", "/\\host" or "https://host")."""
    if not url or not url.startswith("/") or url[1:2] in ("/", "\\"):
        return "/"
    return url


def sign_out() -> None:
    token = _token()
    with transaction() as session:
        auth.sign_out(session=session, token=token)
    st.session_state.pop(TOKEN_KEY, None)
    redirect(LEAVE_PATH)


def page_guard(page_key: str) -> Actor:
    """First line of every page: the actor, or a refusal if this role may not see the page
    (a page left out of the navigation can still be asked for by its URL)."""
    actor = current_actor()
    if actor is None or not can_view(actor.role, page_key):
        st.error(t("access.denied_page", page=t(page_spec(page_key).title_key)))
        st.stop()
    return actor
