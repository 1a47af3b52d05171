"""日历 (staff): a week or a month of the community's tasks and events.

Monday first, Chinese weekday names, today marked; previous / today / next move the view
by a week or a month. Each item says its time, title, places taken of its capacity and
its status in words, and links to its task or event page by id (st.page_link keeps the
session). The street admin sees every community, or one picked. Drawn with columns and
Markdown (escaped user text, ui/text.py), so tests see what a person sees.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import streamlit as st

from models.base import local
from services import calendar_view
from services.calendar_view import CalendarItem, Period
from services.org import community_list
from ui.actions import PAGE, read, show_flash
from ui.empty import missing_organisation
from ui.filters import today
from ui.i18n import t
from ui.session import page_guard
from ui.text import plain

DAY = "calendar_day"  # the day the view is on (its week, or its month)
MODE = "calendar_mode"
MONTH_ITEMS = 4  # items listed in a month cell before "+N"
PAGES = {"task": ("views/tasks.py", "task"), "event": ("views/events.py", "event")}


def _move(steps: int) -> None:
    month = st.session_state.get(MODE) == "month"
    st.session_state[DAY] = calendar_view.shift(
        st.session_state.get(DAY, today()), month=month, steps=steps
    )


def _to_today() -> None:
    st.session_state[DAY] = today()


def controls() -> tuple[bool, int | None]:
    """The view (week or month), the street admin's community, and the moves."""
    view, where, prev, now, after = st.columns([3, 3, 1, 1, 1], vertical_alignment="bottom")
    mode = view.radio(
        t("calendar.view"),
        ["week", "month"],
        format_func=lambda m: t(f"calendar.view.{m}"),
        horizontal=True,
        key=MODE,
    )
    community_id = None
    if actor.is_street_admin:
        communities = read(community_list, actor=actor)
        picked = where.selectbox(
            t("calendar.community"),
            [None, *communities],
            format_func=lambda c: t("calendar.all_communities") if c is None else c.name,
            key="calendar_community",
        )
        community_id = picked.id if picked is not None else None
    prev.button(
        t(f"calendar.prev.{mode}"),
        key="calendar_prev",
        on_click=_move,
        args=(-1,),
        width="stretch",
    )
    now.button(t("calendar.today"), key="calendar_today", on_click=_to_today, width="stretch")
    after.button(
        t(f"calendar.next.{mode}"),
        key="calendar_next",
        on_click=_move,
        args=(1,),
        width="stretch",
    )
    return mode == "month", community_id


def _hm(item: CalendarItem) -> str:
    return f"{local(item.starts_at):%H:%M}–{local(item.ends_at):%H:%M}"


def _status(item: CalendarItem) -> str:
    words = t(f"{item.kind}s.status.{item.status}")
    places = t("calendar.places", taken=item.taken, capacity=item.capacity)
    where = f" · {plain(item.community)}" if actor.is_street_admin else ""
    return f"{t(f'calendar.kind.{item.kind}')} · {places} · {words}{where}"


def _day_heading(day: date, *, with_date: bool) -> str:
    text = f"**{t(f'calendar.weekday.{day.weekday()}')}**"
    if with_date:
        text += f" {day:%m-%d}"
    if day == today():
        text += f" :blue-background[{t('calendar.is_today')}]"
    return text


def week_item(item: CalendarItem) -> None:
    page, param = PAGES[item.kind]
    with st.container(border=True, key=f"calendar_{item.kind}_{item.id}"):
        st.markdown(f"**{_hm(item)}**  \n{plain(item.title)}")
        st.caption(_status(item))
        st.page_link(
            page,
            label=t(f"calendar.open.{item.kind}"),
            icon=":material/open_in_new:",
            query_params={param: str(item.id)},
        )


def week_grid(period: Period, by_day: dict[date, list[CalendarItem]]) -> None:
    st.subheader(f"{period.start:%Y-%m-%d} – {period.days[-1]:%Y-%m-%d}")
    for column, day in zip(st.columns(7), period.days, strict=True):
        with column:
            st.markdown(_day_heading(day, with_date=True))
            for item in by_day.get(day, []):
                week_item(item)
            if not by_day.get(day):
                st.caption(t("calendar.nothing"))


def month_cell(day: date, shown_month: int, items: list[CalendarItem]) -> None:
    with st.container(border=True, key=f"calendar_day_{day:%Y%m%d}"):
        number = f"**{day.day}**" if day.month == shown_month else f"{day:%m-%d}"
        if day == today():
            number += f" :blue-background[{t('calendar.is_today')}]"
        st.markdown(number)
        for item in items[:MONTH_ITEMS]:
            page, param = PAGES[item.kind]
            st.page_link(
                page,
                label=f"{local(item.starts_at):%H:%M} {plain(item.title)}",
                query_params={param: str(item.id)},
                help=_status(item),
            )
        if len(items) > MONTH_ITEMS:
            st.caption(t("calendar.more", n=len(items) - MONTH_ITEMS))


# A month cell's links wrap instead of cutting a title to a few characters.
WRAP_LINKS = (
    "<style>[class*='st-key-calendar_day_'] [data-testid='stPageLink'] * "
    "{white-space: normal !important; overflow: visible !important;}</style>"
)


def month_grid(period: Period, shown: date, by_day: dict[date, list[CalendarItem]]) -> None:
    st.html(WRAP_LINKS)
    st.subheader(t("calendar.month_title", year=shown.year, month=shown.month))
    for column, weekday in zip(st.columns(7), range(7), strict=True):
        column.markdown(f"**{t(f'calendar.weekday.{weekday}')}**")
    days = period.days
    for week in range(len(days) // 7):
        for column, day in zip(st.columns(7), days[week * 7 : week * 7 + 7], strict=True):
            with column:
                month_cell(day, shown.month, by_day.get(day, []))


actor = page_guard("calendar")
st.title(t("nav.calendar"))
show_flash(PAGE)
if missing_organisation(actor):
    st.stop()

month, community_id = controls()
shown = st.session_state.setdefault(DAY, today())
period = calendar_view.month_grid(shown) if month else calendar_view.week_of(shown)
items = read(
    calendar_view.calendar_items,
    actor=actor,
    start=period.start,
    end=period.end,
    community_id=community_id,
)
by_day: dict[date, list[CalendarItem]] = defaultdict(list)
for entry in items:
    by_day[entry.day].append(entry)
if not items:
    st.info(t("calendar.empty"), icon=":material/event_busy:")
if month:
    month_grid(period, shown, by_day)
else:
    week_grid(period, by_day)
