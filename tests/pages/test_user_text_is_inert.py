"""What people typed is shown as text on every page (issue 11): a name, a note, a title or
a description written as Markdown (`**粗**[点我](http://evil.example/):red[...]`) never
becomes bold type, a link or a coloured directive, and it is still shown, as typed.

Every name, title, place, description, address, note and detail of the demo board is
written to a hostile value straight into the database, then every page of every role
(and the public programme) is opened. Wherever Streamlit renders Markdown (markdown,
captions, titles, messages, expander, tab, button and metric labels) the value must be
escaped (ui.text.plain); st.text and table cells show it verbatim.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import String, cast, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models.accounts import Account, Role
from models.base import local_today
from models.cases import Case, CaseDepartment
from models.elders import Elder, Visit
from models.events import Event, Registration
from models.messages import MessageChannel, MessageKind
from models.org import Community, Grid, Street
from models.proxy import Merchant, ProxyRequest
from models.volunteers import Task, Team, Volunteer
from services import db, outbox, reminders
from services.access import PAGES
from tests.conftest import app_test
from tests.pages.conftest import each_tab
from tests.pages.test_access_sweep import DEMO_USER
from ui import actions
from ui.text import plain

BOLD = "**粗**"
LINK = "[点我](http://evil.example/)"
# What must never reach a Markdown element as it is.
LIVE = (BOLD, "[点我](http", "](http://evil")
SHOWN_ESCAPED = plain(BOLD + LINK)  # \*\*粗\*\*\[点我\]\(http\:\/\/evil\.example\/\)
SHOWN_VERBATIM = BOLD + LINK


def hostile(column):
    """`**粗**[点我](http://evil.example/):red[<id>]`: different for every row (names that
    must be unique stay unique), and short enough for every column (40 characters)."""
    return BOLD + LINK + ":red[" + cast(column, String) + "]"


def _write_hostile_text(engine: Engine) -> None:
    """Every text people type, on every row of the demo board."""
    columns = {
        Volunteer: ("name", "note"),
        Elder: ("name", "address", "health_notes", "guardian_name"),
        Visit: ("needs_raised", "follow_up"),
        Team: ("name", "purpose"),
        Merchant: ("shop_name", "owner_name", "address"),
        ProxyRequest: ("detail",),
        Task: ("title", "place", "description"),
        Event: ("title", "venue", "description", "partner"),
        Registration: ("name",),
        Community: ("name",),
        Grid: ("name",),
        Street: ("name",),
        Account: ("display_name",),
        Case: ("place", "description", "resident_name", "result"),
        CaseDepartment: ("name", "contact_name"),
    }
    with Session(engine) as session:
        for model, names in columns.items():
            values = {name: hostile(model.id) for name in names if hasattr(model, name)}
            session.exec(update(model).values(**values))
        session.commit()
    with db.transaction(engine) as session:  # the bells' messages name tasks and elders
        reminders.make_reminders(session=session, today=local_today())
        task = session.exec(select(Task)).first()
        for account_id in session.exec(select(Account.id)).all():  # a task's words, for all
            outbox.enqueue(
                session,
                key=f"hostile:account={account_id}",
                kind=MessageKind.task_cancelled,
                channel=MessageChannel.board,
                community_id=task.community_id,
                account_id=account_id,
                record_type="task",
                record_id=task.id,
                params={"title": task.title, "when": "", "place": task.place},
            )

    actions.clear_reads()  # pages read through Streamlit's cache, keyed by the query


@pytest.fixture
def hostile_board(demo_engine: Engine) -> Iterator[Engine]:
    from services import visit_memory

    _write_hostile_text(demo_engine)
    visit_memory.forget()
    yield demo_engine

    actions.clear_reads()


def _markdown_values(at) -> list[str]:
    """Everything in `at` (the app, or its main area) that Streamlit renders as Markdown."""
    values: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "latex"):
        values += [str(e.value) for e in getattr(at, kind)]
    for kind in ("success", "info", "warning", "error", "exception", "toast"):
        values += [str(e.value) for e in getattr(at, kind, [])]
    for kind in ("expander", "tabs", "button", "metric", "toggle", "checkbox"):
        values += [str(e.label) for e in getattr(at, kind, [])]
    return values


def _text_values(at) -> list[str]:
    """What is shown as plain text: st.text and table cells."""
    values = [str(e.value) for e in at.text]
    for frame in at.dataframe:
        values += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return values


def _check_page(at: AppTest, page: str) -> bool:
    """No live Markdown from user text anywhere (the sidebar too); True when the page
    itself (its main area, not the sidebar's "signed in as") shows the hostile text."""
    assert not at.exception, (page, at.exception)
    live = [v for v in _markdown_values(at) if any(marker in v for marker in LIVE)]
    assert not live, f"{page}: user text rendered as Markdown: {live[:3]}"
    return any(SHOWN_ESCAPED in v for v in _markdown_values(at.main)) or any(
        SHOWN_VERBATIM in v for v in _text_values(at.main)
    )


# Every page shows some typed text of the demo board on first opening, with nothing
# picked: the sweep must find the hostile text there, or it proves nothing. Except the
# audit trail (the demo writes no audit entries) and meeting mode (aggregate figures; the street's
# scope names no community), the certificate check (empty until a number is entered),
# and the agents' queue, empty but for the grid worker's; and the backups (file names);
# the correction requests (the demo has none; their cards are tested in
# test_my_data_pages.py); and 扫码签到 (nothing until a code is scanned or typed).
def _shows_typed_text(role: Role, page: str) -> bool:
    if page in ("audit", "meeting", "certificate_check", "backup", "corrections", "check_in"):
        return False
    return page != "proxy_queue" or role == Role.grid_worker


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_page_shows_typed_text_as_text(hostile_board, role):
    at = app_test(hostile_board, DEMO_USER[role])
    seen: dict[str, bool] = {}
    for spec in PAGES:
        if role not in spec.roles:
            continue
        at.switch_page(spec.path).run()
        # every tab (a page draws only the open one); the text shown in any of them
        seen[spec.key] = any([_check_page(tab, spec.key) for tab in each_tab(at)])
    missing = [key for key, shown in seen.items() if _shows_typed_text(role, key) and not shown]
    assert not missing, f"{role}: the hostile text is shown nowhere on {missing}"


def test_public_programme_shows_typed_text_as_text(hostile_board):
    at = app_test(hostile_board, None, "views/programme.py")
    assert _check_page(at, "programme (signed out)")
