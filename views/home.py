"""Home: who you are, what the office holds, and the pages your role uses."""

import streamlit as st

from services.access import pages_for
from services.overview import overview
from ui.actions import read
from ui.i18n import t
from ui.session import page_guard
from ui.text import plain

actor = page_guard("home")

st.title(t("home.title", name=plain(actor.display_name)))
st.caption(t(f"role.{actor.role}.about"))

figures = read(overview, actor=actor)
cols = st.columns(3)
for i, (key, value) in enumerate(
    [
        ("home.volunteers", figures.volunteers),
        ("home.elders", figures.elders),
        ("home.open_tasks", figures.open_tasks),
        ("home.merchants", figures.merchants),
        ("home.open_requests", figures.open_requests),
        ("home.upcoming_events", figures.upcoming_events),
    ]
):
    cols[i % 3].metric(t(key), f"{value:,}", border=True)

st.subheader(t("home.your_pages"))
for spec in pages_for(actor.role):
    if spec.key != "home":
        st.page_link(spec.path, label=t(spec.title_key), icon=spec.icon)
