"""The visit tiers, edited in place: the same editor on the elders page and on the
organisation page, and the words that say why an elder is in a tier.

Every widget carries the tier's id and whose set it is (the street's, or one
community's), so a value typed for one tier is never saved for another; the outcome of
a save shows beside the tier.
"""

from __future__ import annotations

import streamlit as st

from models.elders import LIVING_SITUATIONS
from services import visit_policy
from services.access import Actor
from ui.actions import flash, read, show_flash, write
from ui.i18n import t
from ui.records import action_button, record_key
from ui.text import plain

SETS_SHOWN = 3  # condition sets a tier's form offers (blank ones are dropped)


def situation_label(situation: str) -> str:
    return t(f"elders.situation.{situation}")


def conditions_text(conditions: visit_policy.Conditions | None) -> str:
    """One condition set in words (None: the default tier, everyone else)."""
    if conditions is None:
        return t("elders.cond.everyone")
    parts = []
    if conditions.age is not None:
        parts.append(t("elders.cond.age", n=conditions.age))
    if conditions.situations:
        parts.append("/".join(situation_label(s) for s in conditions.situations))
    if conditions.care is not None:
        parts.append(t("elders.cond.care", n=conditions.care))
    return t("elders.cond.and").join(parts)


def tier_text(tier: visit_policy.Tier) -> str:
    sets = [conditions_text(c) for c in tier.condition_sets] or [conditions_text(None)]
    return t("elders.cond.or").join(sets)


def policy_editor(actor: Actor, community_id: int | None, *, scope: str) -> None:
    """The tiers in force for the street (None) or one community, editable where the
    service says so."""
    view = read(visit_policy.policy_view, actor=actor, community_id=community_id)
    rid = community_id or "street"
    show_flash(record_key(scope, "tiers_msg", rid))
    if view.can_start_own:
        st.caption(t("elders.tiers_street_used"))
        if action_button(
            t("elders.tiers_start_own"),
            scope=scope,
            action="tiers_own",
            record_id=rid,
            icon=":material/tune:",
        ) and write(visit_policy.own_tiers_start, actor=actor, community_id=community_id):
            flash(t("elders.tiers_own_started"), anchor=record_key(scope, "tiers_msg", rid))
            st.rerun()
    for tier in view.tiers:
        if view.editable:
            tier_form(actor, community_id, tier, scope=scope)
        else:
            st.markdown(
                f"**{plain(tier.name)}** · {t('elders.every_n', n=tier.interval_days)}  \n"
                f"{tier_text(tier)}"
            )
    if view.editable:
        with st.expander(t("elders.tier_add"), icon=":material/add:"):
            tier_form(actor, community_id, None, scope=scope)
    if (
        view.can_go_back
        and action_button(
            t("elders.tiers_go_back"),
            scope=scope,
            action="tiers_back",
            record_id=rid,
            icon=":material/undo:",
        )
        and write(visit_policy.own_tiers_drop, actor=actor, community_id=community_id)
    ):
        flash(t("elders.tiers_back_done"), anchor=record_key(scope, "tiers_msg", rid))
        st.rerun()


def tier_form(
    actor: Actor, community_id: int | None, tier: visit_policy.Tier | None, *, scope: str
) -> None:
    """One tier's form (tier None: a new tier): name, interval, condition sets."""
    rid = f"{community_id or 'street'}_{tier.id if tier else 'new'}"
    key = lambda part: record_key(scope, f"tier_{part}", rid)  # noqa: E731
    with st.container(border=True, key=record_key(scope, "tier_box", rid)):
        with st.form(record_key(scope, "tier", rid)):
            a, b = st.columns([3, 2])
            name = a.text_input(t("elders.tier_name"), tier.name if tier else "", key=key("name"))
            days = b.number_input(
                t("elders.every_n_days"),
                1,
                366,
                tier.interval_days if tier else 30,
                key=key("days"),
            )
            st.caption(t("elders.tier_sets_hint"))
            existing = list(tier.condition_sets) if tier else []
            sets = []
            for n in range(max(SETS_SHOWN, len(existing) + 1)):
                given = existing[n] if n < len(existing) else visit_policy.Conditions()
                c1, c2, c3 = st.columns([1, 3, 1])
                age = c1.number_input(
                    t("elders.cond.age_at_least"), 0, 120, given.age or 0, key=key(f"age{n}")
                )
                situations = c2.multiselect(
                    t("elders.cond.any_of"),
                    LIVING_SITUATIONS,
                    default=list(given.situations),
                    format_func=situation_label,
                    placeholder=t("common.choose_any"),
                    key=key(f"sit{n}"),
                )
                care = c3.number_input(
                    t("elders.cond.care_at_least"), 0, 4, given.care or 0, key=key(f"care{n}")
                )
                sets.append(
                    visit_policy.Conditions(
                        age=int(age) or None, situations=tuple(situations), care=int(care) or None
                    )
                )
            if st.form_submit_button(t("common.save"), type="primary") and write(
                visit_policy.tier_save,
                actor=actor,
                community_id=community_id,
                tier_id=tier.id if tier else None,
                name=name,
                interval_days=int(days),
                condition_sets=sets,
            ):
                flash(t("elders.tier_saved", name=plain(name.strip())), anchor=key("msg"))
                st.rerun()
        if (
            tier is not None
            and not tier.is_default
            and tier.id is not None
            and action_button(
                t("elders.tier_remove"),
                scope=scope,
                action="tier_remove",
                record_id=tier.id,
                icon=":material/delete:",
            )
            and write(visit_policy.tier_remove, actor=actor, tier_id=tier.id)
        ):
            # the tier leaves the list: say it above the tiers
            flash(
                t("elders.tier_removed", name=plain(tier.name)),
                anchor=record_key(scope, "tiers_msg", community_id or "street"),
            )
            st.rerun()
        show_flash(key("msg"))
