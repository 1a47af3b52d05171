"""The demo loader: deterministic for a seed, refuses a database that holds data."""

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, SQLModel, select

import models
from services import demo
from services.db import make_engine
from tests.conftest import DEMO_TODAY


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            name: s.exec(select(func.count()).select_from(table)).one()
            for name, table in SQLModel.metadata.tables.items()
            if name != "authsession"
        }


def test_community_demo_is_deterministic(demo_template, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'again.db'}")
    SQLModel.metadata.create_all(engine)
    demo.load_demo(engine, size="community", seed=42, today=DEMO_TODAY)
    template = make_engine(f"sqlite:///{demo_template}")
    assert _counts(engine) == _counts(template)
    with Session(engine) as s, Session(template) as t:
        names = [c.name for c in s.exec(select(models.Community).order_by(models.Community.id))]
        assert names == [
            c.name for c in t.exec(select(models.Community).order_by(models.Community.id))
        ]
    assert names[:5] == ["四千米社区", "前进社区", "金润社区", "义和巷社区", "大召社区"]


def test_demo_accounts_exist_with_their_roles(demo_template):
    engine = make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        roles = {a.username: a.role for a in s.exec(select(models.Account))}
    assert roles["admin"] == "admin" and roles["shuji"] == "secretary"
    assert roles["wangge"] == "grid_worker" and roles["zhiyuan"] == "volunteer"
    assert roles["huiyi"] == "display"


def test_demo_refuses_a_database_with_data(demo_template):
    engine = make_engine(f"sqlite:///{demo_template}")
    with pytest.raises(RuntimeError):
        demo.load_demo(engine, size="community")


def test_demo_loads_on_the_test_engine_and_new_rows_get_fresh_ids(engine):
    """On PostgreSQL (CI) too: the loader's explicit ids must not collide with new rows."""
    demo.load_demo(engine, size="community", seed=1, today=DEMO_TODAY)
    with Session(engine) as s:
        community = models.Community(name="新建社区", street="大学西路街道", district="赛罕区")
        s.add(community)
        s.commit()
        assert community.id == s.exec(select(func.max(models.Community.id))).one()
        assert s.exec(select(func.count()).select_from(models.Visit)).one() > 1000


# --- the demo holds only what the services would accept ------------------------------------
# Each query counts demo rows that a service refuses (services/visits.py visit_record,
# services/elders.py elder_create / elder_deactivate); every count must be 0.

DEMO_REFUSED = {
    # visit_record: "visits.elder_inactive" (no visit once the elder has left care; a
    # visit on the day of deactivation was recorded before it)
    "visit after the elder was deactivated": """
        SELECT count(*) FROM visit JOIN elder ON elder.id = visit.elder_id
        WHERE elder.deactivated_on IS NOT NULL AND visit.visited_on > elder.deactivated_on""",
    # visit_record: "visits.before_registration"
    "visit before the elder was registered": """
        SELECT count(*) FROM visit JOIN elder ON elder.id = visit.elder_id
        WHERE visit.visited_on < elder.registered_on""",
    # visit_record: "visits.future"
    "visit in the future": "SELECT count(*) FROM visit WHERE visited_on > :today",
    # visit_record: "visits.mode_invalid", "visits.wellbeing_invalid", "visits.item_invalid"
    "visit with a mode, wellbeing or hazard outside the choices": """
        SELECT count(*) FROM visit
        WHERE mode NOT IN ('上门', '电话', '视频')
           OR wellbeing NOT IN ('', 'good', 'fair', 'poor')
           OR replace(replace(replace(replace(replace(
                hazards, 'gas', ''), 'electricity', ''), 'falls', ''), 'fire', ''), ',', '')
              != ''""",
    # visit_record / visit_content.stored: "visits.item_invalid" (each area's own items),
    # "visits.family_contradiction" (rarely in touch, yet visits or calls)
    "visit with an item outside its area or a contradicting family answer": """
        SELECT count(*) FROM visit
        WHERE replace(replace(replace(replace(replace(
                health, 'unwell', ''), 'medication', ''), 'doctor', ''), 'low_mood', ''),
                'memory', '') GLOB '*[^,]*'
           OR replace(replace(replace(replace(
                economy, 'hardship', ''), 'benefits', ''), 'bills', ''), 'fraud', '')
                GLOB '*[^,]*'
           OR replace(replace(replace(replace(
                family, 'visits', ''), 'calls', ''), 'rarely', ''), 'neglect', '')
                GLOB '*[^,]*'
           OR replace(replace(replace(replace(
                needs, 'care', ''), 'rehab', ''), 'company', ''), 'adaptation', '')
                GLOB '*[^,]*'
           OR (family LIKE '%rarely%' AND (family LIKE '%visits%' OR family LIKE '%calls%'))""",
    # referrals.refer (with the visit, by staff or a grid worker who may open the elder, a
    # service and a need named, due from that day to 90 days on) and referral_close (done
    # or not possible, with a note, on a day from the referral's to today, by whom)
    "referral the services refuse": """
        SELECT count(*) FROM referral r
        JOIN visit ON visit.id = r.visit_id
        JOIN elder ON elder.id = r.elder_id
        JOIN account ON account.id = r.created_by
        WHERE visit.elder_id != r.elder_id OR r.created_on < visit.visited_on
           OR r.created_on > :today
           OR (elder.deactivated_on IS NOT NULL AND r.created_on > elder.deactivated_on)
           OR account.role NOT IN ('admin', 'secretary', 'grid_worker')
           OR (account.role != 'admin' AND account.community_id != elder.community_id)
           OR trim(r.service) = '' OR trim(r.need) = ''
           OR r.due_on < r.created_on OR r.due_on > date(r.created_on, '+90 days')
           OR r.state NOT IN ('open', 'done', 'not_possible')
           OR (r.state = 'open' AND (r.closed_on IS NOT NULL OR r.closed_by IS NOT NULL
               OR r.closure_note != ''))
           OR (r.state != 'open' AND (r.closed_on IS NULL OR r.closed_by IS NULL
               OR trim(r.closure_note) = '' OR r.closed_on < r.created_on
               OR r.closed_on > :today))""",
    # visit_record: "visits.duplicate" (the same visitor, day, mode, need and follow-up)
    "visit recorded twice": """
        SELECT count(*) FROM (
            SELECT 1 FROM visit
            GROUP BY elder_id, visitor_account_id, visited_on, mode, needs_raised, follow_up
            HAVING count(*) > 1)""",
    # visit_record writes the actor as the visitor, with the actor's display name
    "visit without its visitor's account and name": """
        SELECT count(*) FROM visit LEFT JOIN account ON account.id = visit.visitor_account_id
        WHERE account.id IS NULL OR visit.visitor_name != account.display_name""",
    # visible_elder: field staff of the elder's community, or a volunteer assigned to them
    "visit by someone who may not open the elder": """
        SELECT count(*) FROM visit
        JOIN elder ON elder.id = visit.elder_id
        JOIN account ON account.id = visit.visitor_account_id
        WHERE NOT (
                account.role = 'admin'
             OR (account.role IN ('secretary', 'grid_worker')
                 AND account.community_id = elder.community_id)
             OR (account.role = 'volunteer' AND EXISTS (
                    SELECT 1 FROM eldervisitor ev
                    WHERE ev.elder_id = elder.id AND ev.account_id = account.id)))""",
    # elder_create registers on the day it is called: never in the future, and the birth
    # date is on or before that day and at most 120 years back ("elders.birth_invalid")
    "elder registered in the future or before birth": """
        SELECT count(*) FROM elder
        WHERE registered_on > :today OR birth_date > registered_on
           OR birth_date < date(registered_on, '-121 years')""",
    # elder_deactivate: on the day it is called, with a reason ("elders.reason_required");
    # an elder is deactivated only after being registered
    "elder deactivated before registration, in the future, or without a date or reason": """
        SELECT count(*) FROM elder
        WHERE (active AND (deactivated_on IS NOT NULL OR deactivated_reason != ''))
           OR (NOT active AND (deactivated_on IS NULL OR trim(deactivated_reason) = ''
               OR deactivated_on < registered_on OR deactivated_on > :today))""",
    # elder_create: "elders.duplicate" (the same name and birth date, active, in a community)
    "the same active elder registered twice": """
        SELECT count(*) FROM (
            SELECT 1 FROM elder WHERE active
            GROUP BY community_id, name, birth_date HAVING count(*) > 1)""",
    # elder_create / _set_visitors: "volunteers.grid_invalid", "elders.visitor_invalid"
    "elder with a grid or visitor of another community": """
        SELECT count(*) FROM elder
        LEFT JOIN grid ON grid.id = elder.grid_id
        WHERE (elder.grid_id IS NOT NULL AND grid.community_id IS NOT elder.community_id)
           OR EXISTS (
                SELECT 1 FROM eldervisitor ev JOIN account ON account.id = ev.account_id
                WHERE ev.elder_id = elder.id AND account.community_id IS NOT elder.community_id)""",
    # services/capacity.py, the waitlist rule: after every operation no waiting party fits
    "a waiting party that fits in the free places of its event or open task": """
        SELECT (SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
                WHERE r.status = 'waitlisted' AND e.status = 'published'
                  AND r.party_size <= e.capacity - e.taken)
             + (SELECT count(*) FROM signup s JOIN task t ON t.id = s.task_id
                WHERE s.status = 'waitlisted' AND t.status = 'open' AND t.taken < t.capacity)""",
    # signup_set_hours: 补录 keeps who and why ("signups.hours_reason_required")
    "hours entered by staff without who entered them or why": """
        SELECT count(*) FROM signup
        WHERE hours_source = 'staff' AND (hours_entered_by IS NULL OR trim(hours_reason) = '')""",
}


@pytest.mark.parametrize("refused", list(DEMO_REFUSED))
def test_the_demo_holds_nothing_the_services_refuse(demo_template, refused):
    engine = make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        count = s.connection().execute(text(DEMO_REFUSED[refused]), {"today": DEMO_TODAY}).scalar()
    assert count == 0, f"{count} × {refused}"


def test_the_demo_has_inactive_elders_and_their_visits_before_they_left(demo_template):
    """The rule above is not met by leaving the cases out: the demo still shows elders who
    left care, with the visits they had while in care."""
    engine = make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        inactive, visited = (
            s.connection()
            .execute(
                text(
                    """SELECT count(DISTINCT elder.id), count(DISTINCT visit.elder_id)
                FROM elder LEFT JOIN visit ON visit.elder_id = elder.id WHERE NOT elder.active"""
                )
            )
            .one()
        )
    assert inactive >= 2 and visited >= 1


def test_the_demo_shows_content_areas_and_referrals_open_overdue_and_closed(demo_template):
    engine = make_engine(f"sqlite:///{demo_template}")
    with Session(engine) as s:
        found = (
            s.connection()
            .execute(
                text(
                    """SELECT sum(health != ''), sum(family != ''), sum(needs != ''),
                          sum(economy != '') FROM visit"""
                )
            )
            .one()
        )
        states = dict(
            s.connection()
            .execute(
                text(
                    """SELECT CASE WHEN state = 'open' AND due_on < :today THEN 'overdue'
                              ELSE state END, count(*) FROM referral GROUP BY 1"""
                ),
                {"today": DEMO_TODAY},
            )
            .all()
        )
    assert all(n > 0 for n in found), found
    assert {"open", "overdue", "done"} <= set(states), states
