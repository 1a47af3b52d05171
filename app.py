"""The board's router: page config, the sign-in gate, and st.navigation from the role."""

import streamlit as st

from services import auth, org
from services.access import PAGES, PUBLIC_PAGES, page_spec, pages_for
from services.db import read_session
from services.landing import landing
from ui.actions import read
from ui.bell import bell
from ui.errors import friendly_errors
from ui.i18n import lang, language_switch, t
from ui.phone import bottom_bar, page_setup
from ui.session import complete_handoff, current_actor, sign_out
from ui.style import apply_board_style
from ui.text import plain

st.set_page_config(page_title=t("app.title"), page_icon=":material/diversity_3:", layout="wide")
# Streamlit's own English hints under text inputs ("Press Enter to apply") are not ours.
st.html("<style>[data-testid='InputInstructions']{display:none}</style>")
page_setup(lang())  # tap targets, the number pad, Streamlit's own words translated
apply_board_style()  # captions readable (WCAG AA), headings sized by where they sit

actor = current_actor()
if actor is None:
    with read_session() as session:
        first_start = auth.needs_setup(session=session)
    gate = "setup" if first_start else "login"
    # Public pages (the events programme) are open to anyone the community sends the link.
    public = [] if first_start else [page_spec(key) for key in PUBLIC_PAGES]
    # Any other page's link (a task's QR code in the WeChat group) shows the sign-in form at
    # that same address, so the board opens there once signed in.
    behind_sign_in = [] if first_start else [s for s in PAGES if s.key not in PUBLIC_PAGES]
    navigation = st.navigation(
        [
            st.Page(
                f"views/{gate}.py", title=t(f"nav.{gate}"), icon=":material/login:", url_path=gate
            ),
            *[
                st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.key)
                for spec in public
            ],
            *[
                st.Page(
                    f"views/{gate}.py",
                    title=t(f"nav.{gate}"),
                    url_path=spec.key,
                    visibility="hidden",
                )
                for spec in behind_sign_in
            ],
        ]
    )
elif actor.must_change_password:
    # A handed-out password (a new account, a reset): nothing opens until it is changed.
    navigation = st.navigation(
        [st.Page("views/password.py", title=t("nav.password"), icon=":material/key:")]
    )
    complete_handoff(navigation.url_path)
else:
    # The street admin of a new office goes through the first-start steps first.
    first_steps = actor.is_street_admin and read(org.setup_pending)
    # A volunteer lands on My tasks, one with open proxy requests on their queue.
    lands = read(landing, actor=actor)
    sections: dict[str, list[st.Page]] = {}
    if first_steps:
        sections[t("nav.section.setup")] = [
            st.Page(
                "views/setup.py",
                title=t("nav.setup_steps"),
                icon=":material/flag:",
                url_path="setup",
                default=True,
            )
        ]
    for spec in pages_for(actor.role):
        home = spec.key == lands.home and not first_steps
        section = sections.setdefault(t(spec.section_key), [])
        # The home page is served at "/", under a path of its own that is never shown ...
        section.append(
            st.Page(
                spec.path,
                title=t(spec.title_key),
                icon=spec.icon,
                url_path="start" if home else spec.key,
                default=home,
            )
        )
        if home:  # ... and at its usual address too: a task's link is /open_tasks?task=N
            section.append(
                st.Page(spec.path, title=t(spec.title_key), url_path=spec.key, visibility="hidden")
            )
    navigation = st.navigation(sections, expanded=True)  # no English "View N more"
    complete_handoff(navigation.url_path)
    current = navigation.url_path or lands.home  # the default page has no path
    if current != "meeting":  # the projector shows no one's name
        with st.sidebar:
            st.caption(
                t(
                    "nav.signed_in_as",
                    name=plain(actor.display_name),
                    role=t(f"role.{actor.role}"),
                )
            )
            bell(actor)  # unread messages, a link to 消息
            if st.button(t("nav.sign_out"), key="nav_sign_out", icon=":material/logout:"):
                sign_out()
                st.stop()
        bottom_bar(lands.bar)  # on a phone: one tap between the role's two or three pages

language_switch()
with friendly_errors():
    navigation.run()
