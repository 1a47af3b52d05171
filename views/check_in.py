"""扫码签到 (volunteers, on a phone): the page the check-in QR on a task's roster opens,
/check_in?task=N&code=XXXXXX (services/check_in_codes.py).

Opened from the QR, it checks the volunteer in at once and says so in large type with
the time; a signed-out volunteer signs in first at this same address (app.py) and lands
here checked in. The code is then taken out of the address, so reloading the page does
not try it again. One who cannot scan types the six digits shown under the QR; a
refusal (a wrong or expired code, no place, too early) is said in words.
"""

import time

import streamlit as st

from models.base import local, utcnow
from services import check_in_codes, rate_limit
from services.check_in_codes import CheckedIn
from ui.actions import LAST_REFUSAL, write
from ui.i18n import t
from ui.links import record_id
from ui.session import page_guard
from ui.text import plain

RESULT = "check_in_result"  # the last check-in made on this page, shown until the next
CODE = "check_in_code"
RECENT = "check_in_recent"  # this browser session's recent tries of a code
# A few tries a minute: enough for a typo or two, too few to try a million codes within
# the minutes a code lives.
TRIES_PER_MINUTE = 5


def checked_in(result: CheckedIn) -> None:
    # A scan checked in minutes ago is this arrival (the sign-in on the way here runs the
    # page twice: the second run finds the check-in the first one made).
    earlier = result.already and utcnow() - result.at > check_in_codes.WINDOW
    with st.container(border=True, key=f"check_in_done_{result.task_id}"):
        st.header(
            f":material/check_circle: {t('check_in.already' if earlier else 'check_in.done')}"
        )
        st.subheader(plain(result.title))
        st.markdown(f"## {t('check_in.at', at=f'{local(result.at):%H:%M}')}")
        if result.place:
            st.write(f":material/location_on: {plain(result.place)}")
        st.caption(t("check_in.then"))


def check(task_id: int | None, code: str, where) -> None:
    verdict = rate_limit.attempt(
        st.session_state.get(RECENT, ()), now=time.monotonic(), limit=TRIES_PER_MINUTE
    )
    if not verdict.allowed:
        where.warning(
            t("check_in.slow_down", seconds=verdict.wait_seconds), icon=":material/hourglass:"
        )
        return
    st.session_state[RECENT] = verdict.recent
    done = write(
        check_in_codes.check_in_by_code, actor=actor, task_id=task_id, code=code, where=where
    )
    if done:
        st.session_state[RESULT] = done.value
        return
    refusal = st.session_state.pop(LAST_REFUSAL, None)
    if task_id is not None and getattr(refusal, "key", None) == "check_in.not_signed_up_free":
        where.page_link(  # signing up stays the volunteer's own step: a scan never does it
            "views/open_tasks.py",
            label=t("check_in.go_sign_up"),
            icon=":material/volunteer_activism:",
            query_params={"task": task_id},
        )


actor = page_guard("check_in")
st.title(t("nav.check_in"))
task_id = record_id(st.query_params.get("task"))
message = st.container()
scanned = st.query_params.get("code")
if scanned is not None:
    st.query_params.pop("code")  # tried once: a reload does not try it again
    check(task_id, scanned, message)
if RESULT in st.session_state:
    with message:
        checked_in(st.session_state[RESULT])
else:
    st.info(t("check_in.how"), icon=":material/qr_code_scanner:")

with st.form("check_in_form"):
    typed = st.text_input(t("check_in.type_code"), max_chars=check_in_codes.CODE_LENGTH, key=CODE)
    st.caption(t("check_in.type_help"))
    if st.form_submit_button(t("signups.check_in"), type="primary", width="stretch"):
        st.session_state.pop(RESULT, None)
        check(task_id, typed, message)
        if RESULT in st.session_state:
            st.rerun()
