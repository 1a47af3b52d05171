"""Star levels: the thresholds table the street admin edits, a level from approved hours
under it (everywhere stars are shown), and the announcement of a level newly reached."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models.accounts import Role
from models.audit import AuditEntry
from models.volunteers import HoursStatus, Signup, SignupStatus, StarThreshold, Volunteer
from services import stars, volunteers
from services.errors import BoardError
from tests import factories
from tests.conftest import make_account

BEIJING = (100, 200, 500, 800, 1000)


@pytest.mark.parametrize(
    ("hours", "level", "to_next", "following"),
    [
        (0, 0, 100, 100),
        (99.9, 0, 0.1, 100),
        (100, 1, 200, 300),
        (299, 1, 1, 300),
        (300, 2, 300, 600),
        (599.5, 2, 0.5, 600),
        (600, 3, 400, 1000),
        (1000, 4, 500, 1500),
        (1499.99, 4, 0.01, 1500),
        (1500, 5, None, None),
        (4000, 5, None, None),
    ],
)
def test_levels_under_the_default_thresholds(hours, level, to_next, following):
    star = stars.star_level(hours, stars.DEFAULT_THRESHOLDS)
    assert (star.stars, star.hours_to_next, star.next_threshold) == (level, to_next, following)


@pytest.mark.parametrize(
    ("hours", "level", "to_next"),
    [(199, 1, 1), (200, 2, 300), (500, 3, 300), (800, 4, 200), (999, 4, 1), (1000, 5, None)],
)
def test_levels_under_beijing_thresholds(hours, level, to_next):
    star = stars.star_level(hours, BEIJING)
    assert (star.stars, star.hours_to_next) == (level, to_next)


def test_with_no_table_stored_the_defaults_apply(session, w):
    assert stars.star_table(session=session, actor=w.shuji) == (100, 300, 600, 1000, 1500)


def test_the_street_admin_sets_the_thresholds_and_every_change_is_audited(session, w):
    stars.star_thresholds_set(session=session, actor=w.admin, hours=[100, 200, 500, 800, 1000])
    session.commit()
    assert stars.star_table(session=session, actor=w.shuji) == BEIJING
    stars.star_thresholds_set(session=session, actor=w.admin, hours=[100, 250, 500, 800, 1000])
    session.commit()
    entries = session.exec(select(AuditEntry).where(AuditEntry.table_name == "starthreshold")).all()
    assert [e.action for e in entries] == ["create"] * 5 + ["update"]
    assert entries[-1].account_id == w.admin.id
    assert '"hours": [200, 250]' in entries[-1].changes


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ([100, 200, 500, 800], "stars.five_levels"),
        ([100, 200, 500, 800, None], "stars.five_levels"),
        ([0, 200, 500, 800, 1000], "stars.whole_positive"),
        ([-5, 200, 500, 800, 1000], "stars.whole_positive"),
        ([100, 200.5, 500, 800, 1000], "stars.whole_positive"),
        ([100, 100, 500, 800, 1000], "stars.increasing"),
        ([100, 300, 200, 800, 1000], "stars.increasing"),
    ],
)
def test_bad_thresholds_are_refused_and_nothing_is_written(session, w, typed, key):
    with pytest.raises(BoardError) as err:
        stars.star_thresholds_set(session=session, actor=w.admin, hours=typed)
    assert err.value.key == key
    session.rollback()
    assert session.exec(select(StarThreshold)).all() == []


def test_an_increasing_refusal_names_the_level(session, w):
    with pytest.raises(BoardError) as err:
        stars.star_thresholds_set(session=session, actor=w.admin, hours=[100, 300, 200, 800, 900])
    assert err.value.params == {"stars": 3, "lower": 300}


def test_only_the_street_admin_sets_the_thresholds(session, w):
    with pytest.raises(BoardError) as err:
        stars.star_thresholds_set(session=session, actor=w.shuji, hours=list(BEIJING))
    assert err.value.key == "access.denied"


def _approved(session, w, volunteer_id, hours_each, n):
    """n past tasks with approved hours for the volunteer."""
    for i in range(n):
        task_id = factories.task(
            session, w.community_id, starts_in=timedelta(days=-2 - i), title=f"探访{i}"
        )
        session.add(
            Signup(
                task_id=task_id,
                volunteer_id=volunteer_id,
                status=SignupStatus.attended,
                hours=hours_each,
                hours_status=HoursStatus.approved,
            )
        )
    session.commit()


def test_the_list_and_the_profile_count_stars_by_the_table(session, w):
    vid = factories.volunteer(session, w.community_id, "李小梅")
    _approved(session, w, vid, 20, 11)  # 220 h: 1★ by default, 2★ in Beijing
    listed = volunteers.volunteer_list(session=session, actor=w.shuji).rows
    assert list(listed["stars"]) == [1]
    stars.star_thresholds_set(session=session, actor=w.admin, hours=list(BEIJING))
    session.commit()
    listed = volunteers.volunteer_list(session=session, actor=w.shuji).rows
    profile = volunteers.volunteer_profile(session=session, actor=w.shuji, volunteer_id=vid)
    assert list(listed["stars"]) == [2]
    assert (profile.star.stars, profile.star.next_threshold) == (2, 500)


def test_a_new_level_is_announced_until_the_volunteer_dismisses_it(session, w):
    account = make_account(session, "xiaomei", Role.volunteer, w.community_id)
    vid = factories.volunteer(session, w.community_id, "李小梅", account=account)
    _approved(session, w, vid, 20, 4)  # 80 h
    assert stars.star_news(session=session, actor=account) is None
    _approved(session, w, vid, 20, 1)  # 100 h: 1★
    assert stars.star_news(session=session, actor=account) == 1
    assert stars.star_news(session=session, actor=account) == 1  # until dismissed
    stars.star_news_dismiss(session=session, actor=account)
    session.commit()
    assert stars.star_news(session=session, actor=account) is None
    assert session.get(Volunteer, vid).stars_announced == 1
    stars.star_thresholds_set(session=session, actor=w.admin, hours=[50, 100, 500, 800, 1000])
    session.commit()
    assert stars.star_news(session=session, actor=account) == 2  # the street lowered 2★
    assert stars.star_news(session=session, actor=w.shuji) is None  # staff: no record
