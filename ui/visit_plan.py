"""The visit plan as staff read it: the overdue (or due-this-week) table, shown on the
elders page and, its first rows, at the top of the dashboard."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services import visit_plan
from ui.fmt import day
from ui.i18n import t


def visitors_text(visitors: str) -> str:
    """The assigned visitors, or the flag for an elder no one is assigned to visit."""
    return visitors or "⚠ " + t("elders.unassigned")


def plan_table(plan: visit_plan.PlanList, *, due: bool) -> None:
    frame = plan.rows
    if frame.empty:
        st.success(
            t("elders.none_due" if due else "elders.none_overdue"), icon=":material/task_alt:"
        )
        return
    if plan.total > len(frame):
        st.caption(t("elders.showing", n=len(frame), total=plan.total))
    st.dataframe(
        pd.DataFrame(
            {
                t("elders.name"): frame["name"],
                t("elders.age"): frame["age"],
                t("elders.community"): frame["community"] + " " + frame["grid"].fillna(""),
                t("elders.last_visit"): [
                    day(d) if d else t("elders.never") for d in frame["last_visit"]
                ],
                (t("elders.due_in") if due else t("elders.days_overdue")): (
                    frame["due_in"] if due else frame["overdue_by"]
                ),
                t("elders.visitors"): frame["visitors"].map(visitors_text),
                t("elders.phone"): frame["phone"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
