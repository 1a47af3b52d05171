"""One rule of the visit-interval table, edited in place: the same row on the elders
page and on the organisation page.

Its widgets carry the rule and whose it is (the street's, or one community's), so a
value typed for one community is never saved for another; its message shows beside it.
"""

from __future__ import annotations

import streamlit as st

from services import visit_policy
from services.access import Actor
from ui.actions import flash, show_flash, write
from ui.i18n import t
from ui.records import record_key


def policy_row(
    actor: Actor, row: visit_policy.PolicyRow, community_id: int | None, *, scope: str
) -> None:
    rid = f"{community_id or 'street'}_{row.rule}"
    label = t(f"elders.rule.{row.rule}")
    with st.container(key=record_key(scope, "rule_row", rid)):
        a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
        a.write(
            f"**{label}**"
            + (
                f"  \n{t('elders.street_value', n=row.street_days)}"
                if community_id and row.street_days
                else ""
            )
        )
        current = (row.community_days if community_id else row.street_days) or 0
        days = b.number_input(
            t("elders.every_n_days"),
            0,
            366,
            current,
            key=record_key(scope, "rule", rid),
            help=t("elders.zero_removes"),
        )
        if c.button(t("common.save"), key=record_key(scope, "rule_save", rid)) and write(
            visit_policy.policy_set,
            actor=actor,
            community_id=community_id,
            rule=row.rule,
            days=int(days) or None,
        ):
            flash(t("elders.rule_saved", rule=label), anchor=record_key(scope, "rule_msg", rid))
            st.rerun()
        show_flash(record_key(scope, "rule_msg", rid))
