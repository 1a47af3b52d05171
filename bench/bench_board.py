"""The performance targets of the board, on the street-sized demo (seed 7):

- issue 3: signing up, the open-task list and a volunteer's profile: < 300 ms server time
- issue 4: the overdue list: < 300 ms, computed in SQL
- issue 5: the secretary's proxy board and the proxy charts: < 300 ms
- issue 6: the public programme and the staff events page (no target set; printed)
- issue 7: the dashboard with every figure: < 500 ms; no chart sends more than 5,000 rows
- issue 2: loading the street-sized demo: < 2 minutes (printed by bench/run.py when built)
"""

from __future__ import annotations

from contextlib import suppress

from bench.common import page_runner, timed
from services.errors import BoardError


def run() -> None:
    from sqlmodel import select

    from models.accounts import Account
    from models.elders import Elder
    from models.volunteers import Task, TaskStatus, Volunteer
    from services import (
        auth,
        dashboard,
        proxy_board,
        proxy_figures,
        signups,
        visit_memory,
        visit_plan,
        visits,
        volunteers,
    )
    from services.db import get_engine, read_session, transaction
    from services.periods import PeriodKind, period_containing, trend_window
    from ui.filters import today

    engine = get_engine()
    with read_session(engine) as s:
        zhiyuan = auth.actor_of(s.exec(select(Account).where(Account.username == "zhiyuan")).one())
        shuji = auth.actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
        volunteer_id = s.exec(select(Volunteer.id).where(Volunteer.account_id == zhiyuan.id)).one()
        open_ids = s.exec(
            select(Task.id)
            .where(Task.community_id == zhiyuan.community_id, Task.status == TaskStatus.open)
            .limit(40)
        ).all()
        pool = s.exec(
            select(Volunteer.id).where(
                Volunteer.community_id == zhiyuan.community_id, Volunteer.active
            )
        ).all()
    now_day = today()

    # issue 3 -------------------------------------------------------------------------
    attempt = iter(range(10_000))

    def sign_up() -> None:
        """A staff sign-up of a different volunteer each time (rolled back: data unchanged)."""
        n = next(attempt)
        with transaction(engine) as s:
            with suppress(BoardError):  # a refusal (already signed up, overlap) is timed too
                signups.signup_create(
                    session=s,
                    actor=shuji,
                    task_id=open_ids[n % len(open_ids)],
                    volunteer_id=pool[n % len(pool)],
                )
            s.rollback()

    timed("signup_create (service, one transaction)", sign_up, target_ms=300)
    timed("open tasks page (zhiyuan)", page_runner("views/open_tasks.py", "zhiyuan"), target_ms=300)
    timed(
        "volunteer profile (service)",
        lambda: _read(volunteers.volunteer_profile, actor=shuji, volunteer_id=volunteer_id),
        target_ms=300,
    )
    timed(
        "my tasks page: own profile, hours, stars (zhiyuan)",
        page_runner("views/my_tasks.py", "zhiyuan"),
        target_ms=300,
    )

    # issue 4 -------------------------------------------------------------------------
    timed(
        "overdue list (service, 6,000 elders / 150,000 visits, street admin)",
        lambda: _read(visit_plan.overdue_elders, actor=_admin(), today=now_day),
        target_ms=300,
    )
    timed(
        "overdue list (service, secretary)",
        lambda: _read(visit_plan.overdue_elders, actor=shuji, today=now_day),
        target_ms=300,
    )
    timed(
        "elders page with the overdue list (shuji)",
        page_runner("views/elders.py", "shuji"),
        target_ms=300,
    )

    # issue 5 -------------------------------------------------------------------------
    timed(
        "proxy board (service, street admin, 30,000 requests)",
        lambda: _read(proxy_board.request_board, actor=_admin(), today=now_day),
        target_ms=300,
    )
    window = trend_window(period_containing(PeriodKind.month, now_day))

    def proxy_charts() -> None:
        _read(
            proxy_figures.requests_by_month, community_ids=None, start=window.start, end=window.end
        )
        _read(proxy_figures.service_quality, community_ids=None, start=window.start, end=window.end)
        _read(
            proxy_figures.service_quality,
            community_ids=None,
            start=window.start,
            end=window.end,
            by="agent",
        )

    timed("proxy charts data (services, whole street, 12 months)", proxy_charts, target_ms=300)
    timed("proxy board page (dazhao)", page_runner("views/proxy_board.py", "dazhao"), target_ms=300)

    # issue 6 -------------------------------------------------------------------------
    timed("public programme page", page_runner("views/programme.py", "zhiyuan"), target_ms=None)
    timed("events page (shuji)", page_runner("views/events.py", "shuji"), target_ms=None)

    # issue 7 -------------------------------------------------------------------------
    admin_dashboard = page_runner("views/dashboard.py", "admin")

    with read_session(engine) as s:
        elder_ids = s.exec(
            select(Elder.id).where(Elder.community_id == shuji.community_id, Elder.active)
        ).all()
    visited = iter(elder_ids)

    def visit_then_dashboard() -> None:
        """The everyday case: a visit is recorded (committed: the street database keeps
        a few more visits each run), then the dashboard is opened."""
        with transaction(engine) as s:
            visits.visit_record(
                session=s,
                actor=shuji,
                elder_id=next(visited),
                visited_on=now_day,
                mode="上门",
                today=now_day,
            )
        admin_dashboard()

    def cold_dashboard() -> None:
        visit_memory.forget()  # as after a change to an elder or a rule: all afresh
        admin_dashboard()

    timed("record a visit, then the dashboard (admin, street)", visit_then_dashboard, target_ms=500)
    timed("dashboard page, after an elder or rule changed (admin)", cold_dashboard)
    timed("dashboard page, every figure and chart (admin, street)", admin_dashboard, target_ms=500)
    timed(
        "dashboard page (shuji, one community)",
        page_runner("views/dashboard.py", "shuji"),
        target_ms=500,
    )
    period = period_containing(PeriodKind.month, now_day)
    frames = _read(dashboard.chart_frames, community_ids=None, period=period)
    largest = max(len(f) for f in frames.values())
    print(
        f"{'largest chart frame (rows sent to the browser)':<52} {largest:>8} rows   (limit 5000) {'ok' if largest <= 5000 else 'OVER'}"
    )


def _read(fn, **kwargs):
    from services.db import read_session

    with read_session() as session:
        return fn(session=session, **kwargs)


def _admin():
    from sqlmodel import select

    from models.accounts import Account
    from services import auth

    return auth.actor_of(
        _read(
            lambda session: session.exec(select(Account).where(Account.username == "admin")).one()
        )
    )
