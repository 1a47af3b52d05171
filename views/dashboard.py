"""The staff dashboard: key figures against the previous period, the charts, the
comparison between communities, and the exports (PNG, PDF, Excel)."""

from collections.abc import Callable
from functools import cache, partial
from typing import Any

import pandas as pd
import streamlit as st

from services import case_figures, charts, dashboard, exports, org, visit_plan
from services.access import page_spec
from services.i18n import translator
from ui.actions import read
from ui.figures import chart_frames as read_chart_frames
from ui.figures import delta_color, figure_tiles, format_delta, format_value, key_figures
from ui.filters import scope_filters, today
from ui.i18n import lang, t
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.visit_plan import plan_table

actor = page_guard("dashboard")

head, switch = st.columns([4, 1], vertical_alignment="bottom")
head.title(t("dashboard.title"))
if switch.button(t("dashboard.meeting_mode"), icon=":material/slideshow:", key="dashboard_meeting"):
    st.switch_page("views/meeting.py")


def visit_alerts() -> None:
    """The overdue list comes first: who has waited longest for a visit, today, whatever
    period the figures below cover."""
    plan = read(visit_plan.plan_lists, actor=actor, today=today(), limit=5, due_rows=False)
    overdue, week = plan.overdue, plan.due_this_week  # the week's list: only its count
    with st.container(border=True):
        if overdue.total == 0:
            st.success(t("dashboard.alerts_none", week=week.total), icon=":material/task_alt:")
        else:
            st.error(
                t("dashboard.alerts", n=overdue.total, week=week.total),
                icon=":material/notification_important:",
            )
            plan_table(overdue, due=False)
        st.page_link(
            "views/elders.py", label=t("dashboard.alerts_open"), icon=":material/arrow_forward:"
        )


def case_alerts() -> None:
    """Residents' cases open and past their time limit, today, beside the elders."""
    mine = None if actor.is_street_admin else [actor.community_id]
    now = read(case_figures.cases_needing_attention, community_ids=mine, today=today())
    with st.container(border=True):
        if now.overdue:
            text = t("case_figures.attention", open=now.open, overdue=now.overdue)
            st.warning(text, icon=":material/pending_actions:")
        else:
            st.info(t("case_figures.attention_none", open=now.open), icon=":material/task_alt:")
        st.caption(t("case_figures.attention_help"))
        cases_page = page_spec("cases")
        if actor.role in cases_page.roles:
            st.page_link(
                cases_page.path, label=t(cases_page.title_key), icon=":material/arrow_forward:"
            )


visit_alerts()
case_alerts()
scope = scope_filters(actor, prefix="dashboard")
if scope is None:
    st.stop()
st.caption(t("dashboard.scope", scope=scope.label(markdown=True), period=scope.period.label()))

figures = key_figures(
    dashboard.FIGURES, community_ids=scope.community_ids, period=scope.period, today=today()
)
for row_start in range(0, len(figures), 3):
    cols = st.columns(3)
    for col, figure in zip(cols, figures[row_start : row_start + 3], strict=False):
        with col.container(border=True):
            st.metric(
                t(f"dashboard.fig.{figure.key}"),
                format_value(figure.value, figure.fmt),
                delta=format_delta(figure),
                delta_color=delta_color(figure),
                help=t("dashboard.vs_previous"),
            )
            if figure.defined:
                st.caption(t(f"dashboard.def.{figure.key}"))
            spec = page_spec(figure.page_key) if figure.page_key else None
            if spec and actor.role in spec.roles:
                st.page_link(spec.path, label=t(spec.title_key), icon=":material/arrow_forward:")


@cache  # for this run (the page's script runs afresh each time): nine exports ask
def scope_name() -> str:
    """Who the exports cover: the community, the street's name for all of them, or how
    many communities were chosen."""
    if scope.community_ids is None and len(scope.communities) > 1:
        return read(org.street_get).name or t("accounts.whole_street")
    return scope.label()


def file_name(what: str, ext: str) -> str:
    """What, whom, the period and today, without spaces:
    数据看板_四千米社区_2026-11_2026-12-06.pdf."""
    return exports.export_file_name(what, scope_name(), today(), ext, period=scope.period)


def chart_frames() -> dict[str, pd.DataFrame]:
    return read_chart_frames(community_ids=scope.community_ids, period=scope.period)


def built_charts(frames: dict[str, pd.DataFrame]) -> dict[str, charts.VegaLite]:
    return {spec.key: spec.build(frames[spec.key], t, False) for spec in dashboard.CHARTS}


def charts_tab() -> None:
    built = built_charts(chart_frames())
    keys = list(built)
    for pair_start in range(0, len(keys), 2):
        cols = st.columns(2)
        for col, key in zip(cols, keys[pair_start : pair_start + 2], strict=False):
            with col.container(border=True):
                st.vega_lite_chart(built[key].to_dict(), width="stretch")
                col.download_button(
                    t("dashboard.download_png"),
                    data=lambda chart=built[key]: exports.chart_png(chart),
                    file_name=file_name(t(f"dashboard.chart.{key}"), "png"),
                    mime="image/png",
                    icon=":material/image:",
                    key=f"dashboard_png_{key}",
                )


def cases_tab() -> None:
    """需求与调解: the case figures (each defined in its help), the cases per month by
    category, and the same figures per community (several) or per grid (one)."""
    cases = key_figures(
        dashboard.CASE_FIGURES,
        community_ids=scope.community_ids,
        period=scope.period,
        today=today(),
    )
    figure_tiles(
        cases,
        per_row=4,
        help_text=lambda f: f"{t(f'dashboard.def.{f.key}')}\n\n{t('dashboard.vs_previous')}",
    )
    chart = charts.cases_by_month_chart(chart_frames()["cases"], t)
    st.vega_lite_chart(chart.to_dict(), width="stretch")
    by = "community" if len(scope.communities) > 1 else "grid"
    table = read(
        case_figures.case_figures_by,
        community_ids=scope.community_ids,
        start=scope.period.start,
        end=scope.period.end,
        by=by,
    )
    st.header(t(f"case_figures.by_{by}"))
    if table.empty:
        st.info(t("case_figures.none"))
        return
    specs = dashboard.CASE_FIGURES
    readable = table.assign(
        **{
            s.key: [format_value(None if pd.isna(v) else v, s.fmt) for v in table[s.key]]
            for s in specs
        },
        **{by: [name or t("case_figures.no_grid") for name in table[by]]},
    )
    label = t("dashboard.col.community") if by == "community" else t("case_figures.col.grid")
    shown = readable.rename(
        columns={by: label} | {s.key: t(f"dashboard.fig.{s.key}") for s in specs}
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def compare_tab() -> None:
    if len(scope.communities) < 2:
        st.info(t("dashboard.compare_needs_two"))
        return
    if not st.toggle(t("dashboard.compare_show"), key="dashboard_compare"):
        return
    table = read(
        dashboard.community_comparison,
        communities=[(c.id, c.name) for c in scope.communities],
        period=scope.period,
        today=today(),
    )
    readable = table.assign(
        **{
            s.key: [format_value(None if pd.isna(v) else v, s.fmt) for v in table[s.key]]
            for s in dashboard.FIGURES
        }
    )
    shown = readable.rename(
        columns={"community": t("dashboard.community")}
        | {s.key: t(f"dashboard.fig.{s.key}") for s in dashboard.FIGURES}
    )
    figure_key = st.selectbox(
        t("dashboard.compare_figure"),
        [s.key for s in dashboard.FIGURES],
        format_func=lambda key: t(f"dashboard.fig.{key}"),
        key="dashboard_compare_figure",
    )
    st.vega_lite_chart(dashboard.comparison_chart(table, figure_key, t).to_dict(), width="stretch")
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        t("common.download_excel"),
        data=partial(exports.frame_excel, {t("dashboard.tab.compare"): shown}),
        file_name=file_name(t("dashboard.tab.compare"), "xlsx"),
        key="dashboard_compare_excel",
    )


def figure_lines(shown: list[dashboard.Figure]) -> list[exports.FigureLine]:
    """The figures as the report prints them, each with the definition the page shows."""
    return [
        exports.FigureLine(
            label=t(f"dashboard.fig.{f.key}"),
            value=format_value(f.value, f.fmt),
            change=format_delta(f) or ("—" if f.delta is None else "0"),
            definition=t(f"dashboard.def.{f.key}") if f.defined else None,
        )
        for f in shown
    ]


def report_pdf(tr: Callable[..., str], frames: dict[str, pd.DataFrame], **bound: Any) -> bytes:
    """The PDF report. Streamlit makes it when the button is pressed, outside the page's
    run, where the session (its language) is unknown and nothing is read: the texts and
    figures are bound when the page is drawn, and `tr` builds the charts in that run's
    language."""
    charts = [spec.build(frames[spec.key], tr, False) for spec in dashboard.CHARTS]
    return exports.dashboard_pdf(t=tr, charts=charts, **bound)


def export_tab() -> None:
    """The frames are read here; the charts are built only when the PDF is asked for."""
    frames = chart_frames()
    st.write(t("dashboard.export_intro"))
    language = lang()

    tr = translator(language)

    cases = key_figures(
        dashboard.CASE_FIGURES,
        community_ids=scope.community_ids,
        period=scope.period,
        today=today(),
    )
    st.download_button(
        t("dashboard.download_pdf"),
        data=partial(
            report_pdf,
            tr,
            frames,
            title=t("dashboard.pdf_title", scope=scope_name()),
            scope=scope_name(),
            period=scope.period,
            printed=today(),
            sections=[
                (t("dashboard.figures_sheet"), figure_lines(figures)),
                (t("case_figures.tab"), figure_lines(cases)),
            ],
        ),
        file_name=file_name(t("pdf.dashboard.file"), "pdf"),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="dashboard_pdf",
        type="primary",
    )
    sheets = {t("dashboard.figures_sheet"): exports.figures_frame(figures, t)}
    for spec in dashboard.CHARTS:
        sheets[t(f"dashboard.chart.{spec.key}")] = dashboard.chart_table(frames[spec.key], t)
    st.download_button(
        t("dashboard.download_excel_all"),
        data=partial(exports.frame_excel, sheets),
        file_name=file_name(t("pdf.dashboard.file"), "xlsx"),
        icon=":material/table:",
        key="dashboard_excel",
    )


# Lazy tabs (ui/tabs.py): the charts are read and built only when a tab shows them.
lazy_tabs(
    "dashboard_tab",
    [
        (t("dashboard.tab.charts"), charts_tab),
        (t("case_figures.tab"), cases_tab),
        (t("dashboard.tab.compare"), compare_tab),
        (t("dashboard.tab.export"), export_tab),
    ],
)
