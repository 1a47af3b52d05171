"""First start without demo data.

Signed out, on an empty database: create the street admin account, once. Then, signed in
as that admin, the first-start steps: the street's name and district, its communities,
each community's grids, the first accounts. Each step can be skipped; all of it can be
done later on the organisation page (views/organisation.py).
"""

import streamlit as st

from models.accounts import Role
from models.org import SETUP_STEPS
from services import auth, org
from ui.actions import flash, read, show_flash, write
from ui.i18n import t
from ui.session import current_actor, signed_in
from ui.street_form import street_form
from ui.text import plain

ORGANISATION_PAGE = "views/organisation.py"


def create_admin() -> None:
    st.title(t("setup.title"))
    st.info(t("setup.intro"), icon=":material/info:")
    with st.form("setup_form", enter_to_submit=False):
        username = st.text_input(t("login.username"), key="setup_username", max_chars=40)
        display_name = st.text_input(t("setup.display_name"), key="setup_display_name")
        password = st.text_input(t("login.password"), key="setup_password", type="password")
        confirm = st.text_input(t("setup.confirm"), key="setup_confirm", type="password")
        submitted = st.form_submit_button(t("setup.submit"), type="primary")
    if not submitted:
        return
    if password != confirm:
        st.error(t("setup.mismatch"), icon=":material/error:")
    elif write(auth.setup_admin, username=username, password=password, display_name=display_name):
        signed_in(write(auth.sign_in, username=username, password=password).value)


def skip_button(step: str) -> None:
    if st.button(t("org.setup.skip"), key=f"setup_skip_{step}", icon=":material/skip_next:") and (
        write(org.setup_skip, actor=actor, step=step)
    ):
        if step == SETUP_STEPS[-1]:  # the steps are over: this page leaves the navigation
            st.switch_page(ORGANISATION_PAGE)
        st.rerun()


def step_street(street: org.StreetRow) -> None:
    st.subheader(t("org.setup.street_title"))
    st.caption(t("org.setup.street_intro"))
    street_form(actor, street, prefix="setup", submit=t("org.setup.save_next"))
    skip_button("street")


def step_communities() -> None:
    st.subheader(t("org.setup.communities_title"))
    st.caption(t("org.setup.communities_intro"))
    existing = read(org.community_list, actor=actor)
    if existing:
        st.write(t("org.existing_communities", names="、".join(plain(c.name) for c in existing)))
    with st.form("setup_communities", enter_to_submit=False):
        names = st.text_area(
            t("org.community_names"),
            key="setup_community_names",
            placeholder=t("org.community_names_placeholder"),
            height=160,
        )
        if st.form_submit_button(t("org.setup.add_next"), type="primary") and (
            done := write(org.communities_create, actor=actor, names=names)
        ):
            flash(t("org.communities_added", n=len(done.value)))
            st.rerun()
    skip_button("communities")


def _regenerate(key: str, count_key: str) -> None:
    st.session_state[key] = "\n".join(org.grid_names_generate(st.session_state[count_key]))


def step_grids() -> None:
    st.subheader(t("org.setup.grids_title"))
    st.caption(t("org.setup.grids_intro"))
    tree = [c for c in read(org.org_tree, actor=actor) if c.active]
    if not tree:
        st.info(t("org.setup.no_communities_yet"), icon=":material/info:")
    names = {}
    for community in tree:
        with st.container(border=True, key=f"setup_grids_box_{community.id}"):
            st.markdown(f"**{plain(community.name)}**")
            if community.grids:
                st.caption(
                    t("org.has_grids", names="、".join(plain(g.name) for g in community.grids))
                )
                continue
            key, count_key = f"setup_grids_{community.id}", f"setup_grid_count_{community.id}"
            st.session_state.setdefault(count_key, 3)
            st.session_state.setdefault(key, "\n".join(org.grid_names_generate(3)))
            left, right = st.columns([1, 3])
            left.number_input(
                t("org.grid_count"),
                min_value=1,
                max_value=99,
                key=count_key,
                on_change=_regenerate,
                args=(key, count_key),
            )
            names[community.id] = right.text_area(
                t("org.grid_names"), key=key, height=120, help=t("org.grid_names_help")
            )
    if (
        tree
        and st.button(t("org.setup.create_grids_next"), key="setup_grids_submit", type="primary")
        and (done := write(org.grids_create_many, actor=actor, names_by_community=names))
    ):
        flash(t("org.grids_added", n=done.value))
        st.rerun()
    skip_button("grids")


def account_form(community: org.CommunityInfo, role: Role) -> None:
    """One account of a community: a secretary, or a grid worker with the grids they run."""
    # A fresh set of widgets after each account (the generation in their keys), so the
    # next one starts empty; after a refusal the same widgets keep what was typed.
    base = f"setup_{role.value}_{community.id}"
    gen = st.session_state.get(f"{base}_gen", 0)
    prefix = f"{base}_{gen}"
    st.session_state.setdefault(f"{prefix}_password", org.suggest_password())
    a, b, c = st.columns(3)
    username = a.text_input(t("login.username"), key=f"{prefix}_username", max_chars=40)
    name = b.text_input(t("accounts.display_name"), key=f"{prefix}_name")
    password = c.text_input(
        t("org.first_password"), key=f"{prefix}_password", help=t("org.first_password_help")
    )
    grid_ids = []
    if role == Role.grid_worker:
        grids = [g for g in community.grids if g.active]
        grid_ids = st.multiselect(
            t("org.worker_grids"),
            [g.id for g in grids],
            format_func={g.id: g.name for g in grids}.get,
            key=f"{prefix}_grids",
            placeholder=t("org.pick_grids") if grids else t("org.no_grids_yet"),
        )
    if st.button(t(f"org.create_{role.value}"), key=f"{base}_create") and write(
        org.staff_account_create,
        actor=actor,
        role=role,
        community_id=community.id,
        username=username,
        display_name=name,
        password=password,
        grid_ids=grid_ids,
    ):
        st.session_state[f"{base}_gen"] = gen + 1
        flash(t("org.account_created", username=plain(username.strip()), password=plain(password)))
        st.rerun()


def step_accounts() -> None:
    st.subheader(t("org.setup.accounts_title"))
    st.caption(t("org.setup.accounts_intro"))
    tree = [c for c in read(org.org_tree, actor=actor) if c.active]
    if not tree:
        st.info(t("org.setup.no_communities_yet"), icon=":material/info:")
    for community in tree:
        with st.container(border=True, key=f"setup_accounts_box_{community.id}"):
            st.markdown(f"**{plain(community.name)}**")
            st.caption(
                t(
                    "org.accounts_so_far",
                    secretaries=community.secretaries,
                    workers=len(community.workers),
                )
            )
            st.markdown(t("org.secretary_heading"))
            account_form(community, Role.secretary)
            st.markdown(t("org.worker_heading"))
            account_form(community, Role.grid_worker)
    if st.button(t("org.setup.finish"), key="setup_finish", type="primary") and write(
        org.setup_accounts_done, actor=actor
    ):
        flash(t("org.setup.finished"))
        st.switch_page(ORGANISATION_PAGE)
    skip_button("accounts")


actor = current_actor()
if actor is None:
    create_admin()
    st.stop()
if not actor.is_street_admin:
    st.error(t("access.denied"))
    st.stop()

street = read(org.street_get)
st.title(t("org.setup.title"))
show_flash()
step = min(street.setup_step, len(SETUP_STEPS) - 1)
st.progress(
    (step + 1) / len(SETUP_STEPS),
    text=t(
        "org.setup.progress",
        n=step + 1,
        total=len(SETUP_STEPS),
        step=t(f"org.setup.step.{SETUP_STEPS[step]}"),
    ),
)
{
    "street": lambda: step_street(street),
    "communities": step_communities,
    "grids": step_grids,
    "accounts": step_accounts,
}[SETUP_STEPS[step]]()
st.divider()
st.caption(t("org.setup.later"))
if st.button(t("org.setup.skip_all"), key="setup_skip_all") and write(
    org.setup_skip, actor=actor, step="all"
):
    st.switch_page(ORGANISATION_PAGE)
