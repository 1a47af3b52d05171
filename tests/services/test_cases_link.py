"""A case's link (/cases?case=N): opens for whoever may see the case; for anyone else it
says why (no such case, another community's, not theirs), and nothing of the case."""

from __future__ import annotations

import pytest

from services import case_lists
from tests.services.case_setup import CaseWorld, case_world, report


@pytest.fixture
def w(session) -> CaseWorld:
    return case_world(session)


def test_the_link_opens_for_whoever_may_see_the_case_and_says_why_to_the_rest(session, w):
    case_id = report(session, w)  # wangge's grid, reported by wangge

    def link(actor, case=case_id):
        return case_lists.case_link(session=session, actor=actor, case_id=case)

    assert [link(a) for a in (w.admin, w.shuji, w.wangge)] == [None, None, None]
    assert link(w.other_shuji) == "cases.link.elsewhere"
    assert link(w.wangge2) == "cases.link.not_yours"  # another grid of the community
    assert link(w.zhiyuan) == "cases.link.not_yours"  # a volunteer not given it
    assert link(w.shuji, case_id + 1000) == "cases.link.missing"
    assert link(w.admin, case_id + 1000) == "cases.link.missing"
