"""Organisation (组织架构): the street, its communities and grids, who runs each grid, and
the policy tables. The street admin edits everything; a secretary their own community's
grids and visit intervals."""

import pandas as pd
import streamlit as st

from services import org, stars
from ui.actions import flash, read, show_flash, write
from ui.empty import empty_hint
from ui.i18n import t
from ui.policy_editor import policy_editor
from ui.session import page_guard
from ui.street_form import street_form
from ui.tabs import lazy_tabs
from ui.text import plain

NOBODY = 0  # not None: a selectbox shows None as "nothing chosen"

actor = page_guard("organisation")
st.title(t("nav.organisation"))
show_flash()


def street_section() -> None:
    street = read(org.street_get)
    if street.name:
        st.caption(t("org.street_line", street=plain(street.name), district=plain(street.district)))
    if not actor.is_street_admin:
        return
    with st.expander(t("org.street_edit"), icon=":material/edit:", expanded=not street.name):
        street_form(actor, street, prefix="org", submit=t("common.save"))


def add_communities(expanded: bool) -> None:
    with (
        st.expander(t("org.add_communities"), icon=":material/add:", expanded=expanded),
        st.form("org_add_communities", enter_to_submit=False),
    ):
        names = st.text_area(
            t("org.community_names"),
            key="org_community_names",
            placeholder=t("org.community_names_placeholder"),
        )
        if st.form_submit_button(t("org.add"), type="primary") and (
            done := write(org.communities_create, actor=actor, names=names)
        ):
            flash(t("org.communities_added", n=len(done.value)), clear=("org_community_names",))
            st.rerun()


def overview(tree: list[org.CommunityInfo]) -> None:
    table = pd.DataFrame(
        {
            t("org.community"): [c.name for c in tree],
            t("org.grids"): [sum(g.active for g in c.grids) for c in tree],
            t("org.grid_workers"): [len(c.workers) for c in tree],
            t("org.secretaries"): [c.secretaries for c in tree],
            t("org.status"): [t("common.active" if c.active else "common.inactive") for c in tree],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="org_overview")


def community_actions(community: org.CommunityInfo) -> None:
    """The street admin renames, deactivates or brings back a community."""
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    new_name = a.text_input(
        t("org.rename_community"), value=community.name, key=f"org_c_name_{community.id}"
    )
    if b.button(t("org.rename"), key=f"org_c_rename_{community.id}") and write(
        org.community_rename, actor=actor, community_id=community.id, name=new_name
    ):
        flash(t("common.saved"))
        st.rerun()
    label = "org.deactivate_community" if community.active else "org.reactivate_community"
    if st.button(t(label), key=f"org_c_active_{community.id}") and write(
        org.community_set_active,
        actor=actor,
        community_id=community.id,
        active=not community.active,
    ):
        flash(t("common.saved"))
        st.rerun()


def grid_table(community: org.CommunityInfo) -> None:
    if not community.grids:
        empty_hint(t("org.empty.add_grids"))
        return
    table = pd.DataFrame(
        {
            t("org.grid"): [g.name for g in community.grids],
            t("org.grid_worker"): [g.worker or "—" for g in community.grids],
            t("org.elders"): [g.elders for g in community.grids],
            t("org.volunteers"): [g.volunteers for g in community.grids],
            t("org.status"): [
                t("common.active" if g.active else "common.inactive") for g in community.grids
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key=f"org_grids_{community.id}")


def add_grids(community: org.CommunityInfo) -> None:
    with st.form(f"org_add_grids_{community.id}", enter_to_submit=False):
        names = st.text_area(
            t("org.grid_names"),
            key=f"org_grid_names_{community.id}",
            placeholder=t("org.grid_names_placeholder"),
            help=t("org.grid_names_help"),
        )
        if st.form_submit_button(t("org.add_grids"), type="primary") and (
            done := write(org.grids_create, actor=actor, community_id=community.id, names=names)
        ):
            flash(
                t("org.grids_added", n=len(done.value)), clear=(f"org_grid_names_{community.id}",)
            )
            st.rerun()
    if not community.grids:
        count = st.number_input(t("org.grid_count"), 1, 99, 3, key=f"org_grid_count_{community.id}")
        if st.button(
            t("org.generate_grids", last=org.grid_names_generate(int(count))[-1]),
            key=f"org_generate_{community.id}",
        ) and (
            done := write(
                org.grids_create,
                actor=actor,
                community_id=community.id,
                names=org.grid_names_generate(int(count)),
            )
        ):
            flash(t("org.grids_added", n=len(done.value)))
            st.rerun()


def grid_actions(community: org.CommunityInfo) -> None:
    """Rename, grid worker, move its people, deactivate or remove: one grid at a time."""
    by_id = {g.id: g for g in community.grids}
    grid_id = st.selectbox(
        t("org.pick_grid"),
        list(by_id),
        format_func=lambda i: (
            by_id[i].name + ("" if by_id[i].active else f"（{t('common.inactive')}）")
        ),
        key=f"org_pick_grid_{community.id}",
        placeholder=t("org.pick_grid_placeholder"),
    )
    if grid_id is None:
        return
    grid = by_id[grid_id]
    g = grid.id
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    new_name = a.text_input(t("org.rename_grid"), value=grid.name, key=f"org_g_name_{g}")
    if b.button(t("org.rename"), key=f"org_g_rename_{g}") and write(
        org.grid_rename, actor=actor, grid_id=g, name=new_name
    ):
        flash(t("common.saved"))
        st.rerun()

    workers = {NOBODY: t("org.no_worker"), **dict(community.workers)}
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    worker = a.selectbox(
        t("org.grid_worker"),
        list(workers),
        index=list(workers).index(grid.worker_id) if grid.worker_id in workers else 0,
        format_func=workers.get,
        key=f"org_g_worker_{g}",
    )
    if not community.workers:
        st.caption(t("org.no_workers_hint"))
        st.page_link("views/accounts.py", label=t("nav.accounts"), icon=":material/person_add:")
    if b.button(t("org.assign"), key=f"org_g_assign_{g}") and write(
        org.grid_assign_worker, actor=actor, grid_id=g, account_id=worker or None
    ):
        flash(t("common.saved"))
        st.rerun()

    if grid.has_people:
        st.caption(t("org.grid_people", elders=grid.elders, volunteers=grid.volunteers))
        targets = {x.id: x.name for x in community.grids if x.active and x.id != g}
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        target = a.selectbox(
            t("org.move_to"),
            list(targets),
            format_func=targets.get,
            key=f"org_g_move_to_{g}",
            placeholder=t("org.move_to_placeholder") if targets else t("org.no_other_grid"),
        )
        deactivate = st.checkbox(
            t("org.move_and_deactivate"), value=grid.active, key=f"org_g_move_off_{g}"
        )
        if b.button(t("org.move"), key=f"org_g_move_{g}", disabled=target is None) and (
            done := write(
                org.grid_move_people,
                actor=actor,
                grid_id=g,
                to_grid_id=target,
                deactivate=deactivate,
            )
        ):
            flash(t("org.moved", n=done.value, target=plain(targets[target])))
            st.rerun()

    a, b = st.columns(2)
    label = "org.deactivate_grid" if grid.active else "org.reactivate_grid"
    if a.button(t(label), key=f"org_g_active_{g}") and write(
        org.grid_set_active, actor=actor, grid_id=g, active=not grid.active
    ):
        flash(t("common.saved"))
        st.rerun()
    if grid.has_people:
        b.caption(t("org.remove_only_empty"))
    elif b.button(t("org.remove_grid"), key=f"org_g_remove_{g}", icon=":material/delete:") and (
        write(org.grid_remove, actor=actor, grid_id=g)
    ):
        flash(t("org.grid_removed", name=plain(grid.name)))
        st.rerun()


def contact_form(community: org.CommunityInfo) -> None:
    """Who signs the community's certificates of volunteer service, and its office phone
    (services/certificates.py refuses to issue one until both are set)."""
    c = community.id
    missing = not (community.person_in_charge and community.office_phone)
    with st.expander(
        t("certificates.contact.title"), icon=":material/contact_phone:", expanded=missing
    ):
        st.caption(t("certificates.contact.intro"))
        if missing:
            st.warning(t("certificates.contact.missing"), icon=":material/info:")
        show_flash(f"org_contact_msg_{c}")
        with st.form(f"org_contact_{c}", enter_to_submit=False):
            a, b = st.columns(2)
            person = a.text_input(
                t("certificates.contact.person"),
                value=community.person_in_charge,
                max_chars=org.PERSON_MAX,
                key=f"org_c_person_{c}",
            )
            phone = b.text_input(
                t("certificates.contact.phone"),
                value=community.office_phone,
                max_chars=20,
                help=t("certificates.contact.phone_help"),
                key=f"org_c_phone_{c}",
            )
            if st.form_submit_button(t("certificates.contact.save"), type="primary") and write(
                org.community_set_contact,
                actor=actor,
                community_id=c,
                person_in_charge=person,
                office_phone=phone,
            ):
                flash(t("common.saved"), anchor=f"org_contact_msg_{c}")
                st.rerun()


def webhook_form(community: org.CommunityInfo) -> None:
    """The community's 企业微信 group robot: the webhook URL pasted from the group, where
    reminders of tomorrow's tasks and cancellations go (services/reminders.py)."""
    c = community.id
    label = "messages.webhook_set" if community.wecom_webhook else "messages.webhook_none"
    with st.expander(t(label), icon=":material/forum:"):
        st.caption(t("messages.webhook_help"))
        show_flash(f"org_webhook_msg_{c}")
        with st.form(f"org_webhook_{c}", enter_to_submit=False):
            url = st.text_input(
                t("messages.webhook_label"),
                value=community.wecom_webhook,
                max_chars=300,
                placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
                key=f"org_c_webhook_{c}",
            )
            if st.form_submit_button(t("messages.webhook_save"), type="primary") and write(
                org.community_set_webhook, actor=actor, community_id=c, url=url
            ):
                flash(t("messages.webhook_saved"), anchor=f"org_webhook_msg_{c}")
                st.rerun()


def community_card(community: org.CommunityInfo) -> None:
    st.subheader(plain(community.name))
    if not community.active:
        st.warning(t("org.community_is_inactive"), icon=":material/block:")
    else:
        contact_form(community)
        webhook_form(community)
    grid_table(community)
    if community.active:
        add_grids(community)
    if community.grids:
        grid_actions(community)
    if actor.is_street_admin:
        with st.expander(t("org.community_settings"), icon=":material/settings:"):
            community_actions(community)


def structure_tab() -> None:
    street_section()
    tree = read(org.org_tree, actor=actor)
    if not tree:
        if actor.is_street_admin:
            empty_hint(t("org.empty.first_community"))
        else:
            empty_hint(t("org.empty.ask_admin"))
            return
    if actor.is_street_admin:
        add_communities(expanded=not tree)
    if not tree:
        return
    overview(tree)
    by_id = {c.id: c for c in tree}
    if len(tree) == 1:
        chosen = tree[0].id
    else:
        chosen = st.selectbox(
            t("org.pick_community"),
            list(by_id),
            format_func=lambda i: by_id[i].name,
            key="org_pick_community",
            placeholder=t("org.pick_community_placeholder"),
        )
    if chosen is not None:
        with st.container(border=True, key="org_community_card"):
            community_card(by_id[chosen])


def policy_tab() -> None:
    st.subheader(t("org.policy.visits"))
    st.caption(t("org.policy.visits_intro"))
    communities = read(org.community_list, actor=actor)
    if actor.is_street_admin:
        scope = None
    elif communities:
        scope = communities[0].id
    else:
        empty_hint(t("org.empty.ask_admin"))
        return
    policy_editor(actor, scope, scope="org")
    st.page_link("views/elders.py", label=t("org.policy.more_on_elders"), icon=":material/elderly:")

    st.subheader(t("org.policy.stars"))
    st.caption(t("org.policy.stars_intro"))
    thresholds = read(stars.star_table, actor=actor)
    st.dataframe(
        pd.DataFrame(
            {
                t("org.policy.star"): ["★" * (i + 1) for i in range(len(thresholds))],
                t("org.policy.hours"): list(thresholds),
            }
        ),
        hide_index=True,
        key="org_stars",
    )


lazy_tabs("org_tab", [(t("org.tab.structure"), structure_tab), (t("org.tab.policy"), policy_tab)])
