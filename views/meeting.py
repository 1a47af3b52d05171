"""Meeting mode (会议模式) for the projector at residents' meetings: full width, large type,
high contrast, one screen at a time (the key figures, then one chart per screen), next and
previous, optional rotation. Aggregate figures only: no names, phones or addresses; the
residents' cases screen shows their figures and counts, never a case's description."""

import time
from datetime import timedelta

import streamlit as st

from services import charts, dashboard
from ui.figures import chart_frames, figure_tiles, key_figures
from ui.filters import scope_filters, today
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("meeting")

st.html(
    """<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
    [data-testid="stHeader"] { display: none !important; }
    .block-container, [data-testid="stMainBlockContainer"] {
        max-width: 100% !important; padding: 1.2rem 2.5rem !important; }
    [data-testid="stApp"] { background: #FFFFFF; color: #000000; }
    h1 { font-size: 3rem !important; color: #000000; }
    [data-testid="stMetricValue"] { font-size: 4rem !important; color: #000000; }
    [data-testid="stMetricLabel"] p { font-size: 1.6rem !important; color: #000000; }
    [data-testid="stMetricDelta"] { font-size: 1.4rem !important; }
    [data-testid="stCaptionContainer"] { font-size: 1.3rem !important; color: #000000; }
    .stButton button { min-height: 3.6rem; }
    .stButton button p { font-size: 1.6rem !important; }
    [data-testid="stMetric"] { min-height: 11rem; }
    </style>"""
)

with st.expander(t("meeting.settings"), icon=":material/tune:"):
    scope = scope_filters(actor, prefix="meeting")
    rotate = st.toggle(t("meeting.rotate"), key="meeting_rotate")
    seconds = st.slider(t("meeting.rotate_seconds"), 10, 120, 20, 5, key="meeting_seconds")
if scope is None:
    st.stop()

screens = ["figures", *[spec.key for spec in dashboard.CHARTS]]
st.session_state.setdefault("meeting_screen", 0)


def _step(by: int) -> None:
    st.session_state["meeting_screen"] = (st.session_state["meeting_screen"] + by) % len(screens)
    st.session_state["meeting_changed_at"] = time.monotonic()


def _rotation_due() -> bool:
    """True once the current screen has been up for the chosen time. Any rerun (a click on
    next or previous, a filter change) reruns this fragment too, so the decision rests on
    the time the screen last changed, not on the rerun itself; the tolerance absorbs timer
    jitter of the scheduled reruns."""
    changed_at = st.session_state.setdefault("meeting_changed_at", time.monotonic())
    return time.monotonic() - changed_at >= seconds - 1


def cases_screen(subtitle: str) -> None:
    """需求与调解: the case figures above their chart of cases per month by category."""
    st.title(t("case_figures.title"))
    st.caption(subtitle)
    figures = key_figures(
        dashboard.CASE_FIGURES,
        community_ids=scope.community_ids,
        period=scope.period,
        today=today(),
    )
    figure_tiles(figures, per_row=4, help_text=lambda f: t(f"dashboard.def.{f.key}"))
    frames = chart_frames(community_ids=scope.community_ids, period=scope.period)
    chart = charts.cases_by_month_chart(frames["cases"], t, True).properties(height=320)
    st.vega_lite_chart(chart.to_dict(), width="stretch", theme=None)


@st.fragment(run_every=timedelta(seconds=seconds) if rotate else None)
def screen() -> None:
    if rotate and _rotation_due():
        _step(1)
    index = st.session_state["meeting_screen"] % len(screens)
    key = screens[index]
    subtitle = t("dashboard.scope", scope=scope.label(markdown=True), period=scope.period.label())
    if key == "figures":
        st.title(t("meeting.figures_title"))
        st.caption(subtitle)
        figures = key_figures(
            dashboard.FIGURES,
            community_ids=scope.community_ids,
            period=scope.period,
            today=today(),
        )
        if not any(figure.value for figure in figures):  # a new board, or a quiet period
            st.info(t("meeting.nothing_yet"), icon=":material/lightbulb:")
        figure_tiles(
            figures,
            per_row=3,
            help_text=lambda f: t(f"dashboard.def.{f.key}") if f.defined else None,
        )
    elif key == "cases":
        cases_screen(subtitle)
    else:
        spec = next(s for s in dashboard.CHARTS if s.key == key)
        frames = chart_frames(community_ids=scope.community_ids, period=scope.period)
        st.caption(subtitle)
        st.vega_lite_chart(spec.build(frames[key], t, True).to_dict(), width="stretch", theme=None)

    prev_col, where, next_col = st.columns([1, 3, 1], vertical_alignment="center")
    prev_col.button(
        t("meeting.previous"),
        icon=":material/arrow_back:",
        on_click=_step,
        args=(-1,),
        key="meeting_prev",
        width="stretch",
    )
    where.progress(
        (index + 1) / len(screens), text=t("meeting.position", n=index + 1, total=len(screens))
    )
    next_col.button(
        t("meeting.next"),
        icon=":material/arrow_forward:",
        on_click=_step,
        args=(1,),
        key="meeting_next",
        width="stretch",
    )


screen()
if actor.role != "display" and st.button(
    t("meeting.exit"), key="meeting_exit", icon=":material/close:"
):
    st.switch_page("views/dashboard.py")
