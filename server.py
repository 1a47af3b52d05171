"""The HTTP server: Streamlit's app (app.py) plus the two routes that set and clear the
session cookie. Streamlit scripts cannot set HttpOnly cookies; these routes can.

Run with: streamlit run server.py
"""

import logging

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from services import auth, reminders
from services.db import transaction
from services.settings import get_settings
from ui.session import ENTER_PATH, LEAVE_PATH, local_path

log = logging.getLogger("board")


def enter(request: Request) -> RedirectResponse:
    """Trades the one-time code of a fresh sign-in for the session cookie."""
    response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    code = request.query_params.get("code", "")
    with transaction() as session:
        token = auth.session_redeem_handoff(session=session, code=code) if code else None
    if token:
        settings = get_settings()
        response.set_cookie(
            auth.COOKIE_NAME,
            auth.cookie_value(token),
            max_age=settings.session_days * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
            path="/",
        )
    return response


def leave(request: Request) -> RedirectResponse:
    """Ends the cookie's session on the server and removes the cookie."""
    token = auth.token_from_cookie(request.cookies.get(auth.COOKIE_NAME))
    with transaction() as session:
        auth.sign_out(session=session, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def on_script_error(exc: Exception) -> bool:
    """Uncaught errors become the friendly page; the traceback goes to the log only."""
    from ui.errors import show_friendly_error

    show_friendly_error(exc)
    return True


# The reminders' sender: a daemon thread, once per server process, so `make run` sends
# them with no other set-up (BOARD_OUTBOX_THREAD=0 for none; README: 提醒 / Reminders).
reminders.start_sender_thread()

app = st.App(
    "app.py",
    routes=[Route(ENTER_PATH, enter), Route(LEAVE_PATH, leave)],
    on_script_error=on_script_error,
)
