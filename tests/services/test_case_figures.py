"""The figures counted from residents' cases (issue 13), on small hand-made data sets
whose right answers are stated here: 响应率, 按时办结率, 解决率, 满意率, median days to
close, disputes mediated and their success rate, cases by month and category, and the
open and overdue cases of the dashboard's "needs attention" area."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pandas as pd
import pytest

from models.base import LOCAL_TZ
from models.cases import Case, CaseCategory, CaseStep, Mediation
from models.org import Grid
from services import case_figures, charts
from services.i18n import translate
from tests import factories

NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 12, 1)}
_numbers = count(1)


def bj(day: str, hhmmss: str = "09:00:00") -> datetime:
    """A Beijing wall-clock time, as the aware datetime the board stores (in UTC)."""
    return datetime.fromisoformat(f"{day}T{hhmmss}").replace(tzinfo=LOCAL_TZ).astimezone(UTC)


class Office:
    """Two communities (四千米 with two grids, 前进 with one) and a secretary in each."""

    def __init__(self, session) -> None:
        self.session = session
        self.a = factories.world(session, "四千米社区")
        self.b = factories.world(session, "前进社区")
        self.grids = {}
        for community, name in ((self.a, "第一网格"), (self.a, "第二网格"), (self.b, "第一网格")):
            grid = Grid(community_id=community.community_id, name=name)
            session.add(grid)
            session.flush()
            self.grids[(community.community_id, name)] = grid.id
        session.commit()

    def case(
        self,
        reported: datetime,
        *,
        community=None,
        grid: str | None = "第一网格",
        category: str = "facilities",
        steps: tuple[tuple[str, datetime], ...] = (),
        **fields,
    ) -> int:
        """A case reported at `reported`, with its steps (kind, at) and row fields."""
        world = community or self.a
        row = Case(
            number=f"2026-{next(_numbers):04d}",
            community_id=world.community_id,
            grid_id=self.grids[(world.community_id, grid)] if grid else None,
            source="patrol",
            category=category,
            description="路灯不亮",
            reported_at=reported,
            reported_by=world.shuji.id,
            **fields,
        )
        self.session.add(row)
        self.session.flush()
        for kind, at, *level in (("report", reported), *steps):
            self.session.add(
                CaseStep(
                    case_id=row.id,
                    kind=kind,
                    at=at,
                    account_id=world.shuji.id,
                    account_name="书记",
                    level=level[0] if level else None,
                )
            )
        self.session.commit()
        return row.id

    def call_back(self, case_id: int, at: datetime, level: int) -> None:
        world = self.a
        self.session.add(
            CaseStep(
                case_id=case_id,
                kind="call_back",
                at=at,
                account_id=world.shuji.id,
                account_name="书记",
                level=level,
            )
        )
        self.session.commit()


@pytest.fixture
def office(session) -> Office:
    return Office(session)


def figures(session, community_ids=None, **period):
    return case_figures.case_figures(
        session=session, community_ids=community_ids, **(period or NOVEMBER)
    )


def test_an_empty_period_has_no_rates_and_zero_counts(session, office):
    # a case in October only: November has nothing to divide by
    office.case(bj("2026-10-10"), steps=(("accept", bj("2026-10-10", "10:00:00")),))
    assert figures(session) == {
        "cases_reported": 0,
        "case_response_rate": None,
        "case_on_time_rate": None,
        "case_resolution_rate": None,
        "case_satisfaction_rate": None,
        "case_median_days": None,
        "disputes_mediated": 0,
        "mediation_success_rate": None,
    }


def test_response_rate_counts_decisions_within_24_hours_of_the_report(session, office):
    # 四千米: accepted after 6 h; accepted after exactly 24 h (still within); accepted
    # 24 h and one second later (not within); declined after 1 h (a decision too); not
    # decided yet (reported, not responded): 3 of 5 = 60%
    office.case(bj("2026-11-02"), steps=(("accept", bj("2026-11-02", "15:00:00")),))
    office.case(bj("2026-11-03"), steps=(("accept", bj("2026-11-04", "09:00:00")),))
    office.case(bj("2026-11-05"), steps=(("accept", bj("2026-11-06", "09:00:01")),))
    office.case(bj("2026-11-06", "10:00:00"), steps=(("decline", bj("2026-11-06", "11:00:00")),))
    office.case(bj("2026-11-07"))
    # 前进: accepted after 2 h
    office.case(
        bj("2026-11-08"),
        community=office.b,
        steps=(("accept", bj("2026-11-08", "11:00:00")),),
    )
    mine = figures(session, [office.a.community_id])
    assert mine["cases_reported"] == 5
    assert mine["case_response_rate"] == pytest.approx(3 / 5)
    street = figures(session)
    assert street["cases_reported"] == 6
    assert street["case_response_rate"] == pytest.approx(4 / 6)


def test_reports_count_in_the_period_of_their_beijing_day(session, office):
    # 23:50 on 31 October in Beijing (15:50 UTC) is October's; 00:10 on 1 November
    # (16:10 UTC on 31 October) is November's
    office.case(bj("2026-10-31", "23:50:00"))
    office.case(bj("2026-11-01", "00:10:00"), category="help")
    office.case(bj("2026-11-30", "23:59:00"), category="help")
    office.case(bj("2026-12-01", "00:00:00"))
    assert figures(session)["cases_reported"] == 2
    months = case_figures.cases_by_month(
        session=session, community_ids=None, start=date(2026, 10, 1), end=date(2027, 1, 1)
    )
    assert months.to_dict("records") == [
        {"month": "2026-10", "case_category": "facilities", "cases": 1},
        {"month": "2026-11", "case_category": "help", "cases": 2},
        {"month": "2026-12", "case_category": "facilities", "cases": 1},
    ]


def test_closing_figures_count_the_cases_first_closed_in_the_period(session, office):
    # reported in October, closed 3 November by its due day (5 Nov), resolved: 14 days
    office.case(
        bj("2026-10-20"),
        closed_at=bj("2026-11-03", "10:00:00"),
        due_on=date(2026, 11, 5),
        resolved=True,
    )
    # closed at 23:30 Beijing time on its due day (15:30 UTC): on time, not resolved: 6 days
    office.case(
        bj("2026-11-04"),
        closed_at=bj("2026-11-10", "23:30:00"),
        due_on=date(2026, 11, 10),
        resolved=False,
    )
    # closed at 00:30 Beijing time the day after its due day (16:30 UTC on the due day):
    # late, resolved: 3 days
    office.case(
        bj("2026-11-11"),
        closed_at=bj("2026-11-14", "00:30:00"),
        due_on=date(2026, 11, 13),
        resolved=True,
    )
    # solved on the spot the day it was reported, no time limit: 0 days
    office.case(bj("2026-11-20", "08:00:00"), closed_at=bj("2026-11-20", "17:00:00"), resolved=True)
    # closed in December: not November's
    office.case(
        bj("2026-11-25"),
        closed_at=bj("2026-12-01", "00:10:00"),
        due_on=date(2026, 11, 30),
        resolved=True,
    )
    # another community's closing: not 四千米's
    office.case(
        bj("2026-11-02"),
        community=office.b,
        closed_at=bj("2026-11-09"),
        due_on=date(2026, 11, 5),
        resolved=False,
    )
    mine = figures(session, [office.a.community_id])
    assert mine["case_resolution_rate"] == pytest.approx(3 / 4)  # 3 of 4 closed resolved
    assert mine["case_on_time_rate"] == pytest.approx(2 / 3)  # 2 of the 3 with a limit
    assert mine["case_median_days"] == 4.5  # 0, 3, 6, 14: (3 + 6) / 2
    street = figures(session)
    assert street["case_resolution_rate"] == pytest.approx(3 / 5)
    assert street["case_on_time_rate"] == pytest.approx(2 / 4)
    assert street["case_median_days"] == 6  # 0, 3, 6, 7, 14


def test_satisfaction_counts_each_call_back_of_the_period(session, office):
    first = office.case(bj("2026-11-01", "10:00:00"))
    office.call_back(first, bj("2026-11-05"), 5)  # 非常满意
    second = office.case(bj("2026-11-02"))
    office.call_back(second, bj("2026-11-06"), 3)  # 基本满意 counts as satisfied
    third = office.case(bj("2026-11-03"))
    office.call_back(third, bj("2026-11-07"), 2)  # 不满意: rectified, then
    office.call_back(third, bj("2026-11-20"), 4)  # 满意: a second call-back, counted too
    earlier = office.case(bj("2026-10-20"))
    office.call_back(earlier, bj("2026-10-31", "23:00:00"), 1)  # October's (Beijing day)
    # 3 of the 4 November call-backs are 基本满意 or better
    assert figures(session)["case_satisfaction_rate"] == pytest.approx(3 / 4)


def test_disputes_mediated_and_their_success_rate(session, office):
    outcomes = [
        (date(2026, 11, 3), "written"),
        (date(2026, 11, 10), "oral"),
        (date(2026, 11, 17), "failed"),
        (date(2026, 11, 30), "written"),
        (date(2026, 11, 20), None),  # being mediated: no outcome yet, not counted
        (date(2026, 10, 31), "written"),  # October's
    ]
    for day, outcome in outcomes:
        case_id = office.case(bj("2026-10-25"), category="neighbour_dispute")
        session.add(
            Mediation(
                case_id=case_id,
                parties="楼上楼下两户",
                source="application",
                mediator_name="调解员",
                mediated_on=day,
                outcome=outcome,
            )
        )
    session.commit()
    got = figures(session)
    assert got["disputes_mediated"] == 4
    assert got["mediation_success_rate"] == pytest.approx(3 / 4)  # written, oral, written
    assert figures(session, [office.b.community_id])["disputes_mediated"] == 0


def test_figures_per_community_and_per_grid(session, office):
    office.case(bj("2026-11-02"), steps=(("accept", bj("2026-11-02", "10:00:00")),))
    office.case(bj("2026-11-03"), grid="第二网格")
    office.case(bj("2026-11-04"), grid=None)
    office.case(
        bj("2026-11-05"),
        community=office.b,
        steps=(("accept", bj("2026-11-05", "10:00:00")),),
    )
    by_community = case_figures.case_figures_by(
        session=session, community_ids=None, by="community", **NOVEMBER
    )
    assert by_community[["community", "cases_reported", "case_response_rate"]].to_dict(
        "records"
    ) == [
        {"community": "四千米社区", "cases_reported": 3, "case_response_rate": 0.333},
        {"community": "前进社区", "cases_reported": 1, "case_response_rate": 1.0},
    ]
    by_grid = case_figures.case_figures_by(
        session=session, community_ids=[office.a.community_id], by="grid", **NOVEMBER
    )
    assert by_grid[["grid", "cases_reported"]].to_dict("records") == [
        {"grid": "第一网格", "cases_reported": 1},
        {"grid": "第二网格", "cases_reported": 1},
        {"grid": "", "cases_reported": 1},  # reported without a grid
    ]
    street_grids = case_figures.case_figures_by(
        session=session, community_ids=None, by="grid", **NOVEMBER
    )
    assert street_grids["grid"].tolist() == [
        "四千米社区 第一网格",
        "四千米社区 第二网格",
        "前进社区 第一网格",
        "",
    ]


def test_open_and_overdue_cases_now(session, office):
    today = date(2026, 11, 24)
    yesterday = today - timedelta(days=1)
    office.case(bj("2026-11-10"), status="dispatched", due_on=yesterday)  # overdue
    office.case(bj("2026-11-10"), status="in_progress", due_on=today)  # due today: not yet
    office.case(bj("2026-11-10"), status="rectifying", rectify_due=yesterday)  # overdue
    # rectified in progress: its own later deadline counts, not the first dispatch's
    office.case(bj("2026-11-01"), status="in_progress", due_on=date(2026, 11, 5), rectify_due=today)
    office.case(bj("2026-11-01"), status="handled", due_on=date(2026, 11, 5))  # open, fed back
    office.case(bj("2026-11-20"), status="reported")  # open
    office.case(bj("2026-11-01"), status="closed", due_on=date(2026, 11, 3))  # closed
    office.case(bj("2026-11-01"), status="satisfied", due_on=date(2026, 11, 3))
    office.case(bj("2026-11-01"), status="declined")
    office.case(bj("2026-11-10"), community=office.b, status="dispatched", due_on=yesterday)
    mine = case_figures.cases_needing_attention(
        session=session, community_ids=[office.a.community_id], today=today
    )
    assert mine == case_figures.CaseAttention(open=6, overdue=2)
    street = case_figures.cases_needing_attention(session=session, community_ids=None, today=today)
    assert street == case_figures.CaseAttention(open=7, overdue=3)


def test_the_monthly_chart_stacks_labelled_categories_in_nine_colours():
    frame = pd.DataFrame(
        {"month": ["2026-11", "2026-11"], "case_category": ["help", "other"], "cases": [2, 1]}
    )
    chart = charts.cases_by_month_chart(frame, lambda key: translate(key))
    assert [r["case_category"] for r in chart.rows] == ["求助", "其他"]
    colours = chart.to_dict()["encoding"]["color"]["scale"]["range"]
    assert len(set(colours)) == len(CaseCategory) == 9
