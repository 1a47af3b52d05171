"""The board on a phone: tap targets, the number pad, tap-to-call and map links, the
bottom bar, and Streamlit's own English said in the reader's language.

Volunteers, agents and grid workers use the board on phones (DESIGN.md). What Streamlit
draws is sized for a mouse, so below PHONE_WIDTH the CSS gives every control a tap
target of at least 44 px (Apple's and WCAG 2.5.5's size), hides the tables' hover
toolbar (24 px icons) and the headings' link icons, and pins the role's bottom bar.

Streamlit has no parameter for an input's keyboard, and its own words (the tables'
toolbar, a date picker's months and days, "Choose options", "Press Enter ...") come
in English whatever the page's language. One small script, sent once a page
(`page_setup`), watches the page (a MutationObserver, so it also covers what a rerun
redraws) and sets inputmode="tel" on phone fields (a widget whose key names a phone:
`..._phone...`) and replaces those English words by their translation (keys st.*,
locales/*/rhythm_phone.po); a page switched back to English gets Streamlit's words
back. tests/browser/test_phone_journey.py checks on the phone pages that none of its
ENGLISH list is left. Not covered: the charts' own menu and descriptions (Vega), on
the staff's dashboard.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from urllib.parse import urlencode

import streamlit as st

from services import places
from services.access import page_spec
from services.i18n import translate as translate_to
from ui.actions import read
from ui.i18n import t
from ui.text import plain

PHONE_WIDTH = 640  # px: at most this wide, the page is laid out for a phone
BAR_KEY = "phone_bar"
MAP_SEARCH = "https://uri.amap.com/search"

_NOT_DIAL = re.compile(r"[^0-9+]")


def dial_number(phone: str) -> str | None:
    """The number to dial, or None for a masked phone (138****5678) or no number."""
    if "*" in phone:
        return None
    digits = _NOT_DIAL.sub("", phone)
    return digits if sum(ch.isdigit() for ch in digits) >= 3 else None


def call_link(phone: str) -> str:
    """A phone as Markdown: a tel: link that dials it when tapped, for readers allowed to
    call; a masked phone (or anything that is not a number) stays plain text."""
    number = dial_number(phone)
    if number is None:
        return plain(phone)
    return f"[{plain(phone.strip())}](tel:{number})"


def map_url(place: str, area: str = "") -> str:
    """A map search (高德地图) for `place` within `area` (a district or a city)."""
    query = {"keyword": place.strip()}
    if area.strip():
        query["city"] = area.strip()
    return f"{MAP_SEARCH}?{urlencode(query)}"


def map_area(community_id: int | None) -> str:
    """The area a map search of the community's places is limited to (its district)."""
    if community_id is None:
        return ""
    return read(places.community_districts).get(community_id, "")


def map_link(place: str, area: str = "") -> str:
    """The place as Markdown, followed by a link that opens it on a map (a new tab)."""
    if not place.strip():
        return plain(place)
    return f"{plain(place)} [{t('phone.map')}]({map_url(place, area)})"


# --- the page's CSS -------------------------------------------------------------------

PHONE_CSS = f"""<style>
@media (max-width: {PHONE_WIDTH}px) {{
  [data-testid="stSidebarNavLink"], [data-testid="stPageLink"] a,
  [data-testid="stMain"] button, [data-testid="stSidebar"] button,
  [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button,
  [data-testid="stBaseButton-headerNoPadding"] {{
    min-height: 44px;
    min-width: 44px;
  }}
  [data-testid="stRadio"] label, [data-testid="stCheckbox"] label {{
    min-height: 44px;
    align-items: center;
  }}
  [data-testid="stFeedback"] button, [data-testid="stButtonGroup"] button {{
    min-height: 44px;
    min-width: 44px;
  }}
  [data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"],
  [data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
  [data-testid="stDateInputField"], [data-testid="stTimeInputTimeDisplay"] {{
    min-height: 44px;
  }}
  [data-testid="stTextInputField"], [data-testid="stNumberInputField"] {{
    min-height: 42px;
  }}
  [data-testid="stMarkdownContainer"] a[href^="tel:"],
  [data-testid="stMarkdownContainer"] a[href^="{MAP_SEARCH}"] {{
    display: inline-block;
    min-height: 44px;
    min-width: 44px;
    line-height: 44px;
    padding: 0 4px;
  }}
  [data-testid="stElementToolbar"], [data-testid="stHeaderActionElements"] {{
    display: none;
  }}
  .st-key-{BAR_KEY} {{
    position: fixed;
    left: 0;
    right: 0;
    bottom: 0;
    z-index: 999990;
    background: #ffffff;
    border-top: 1px solid #d5d7db;
    padding: 4px 8px calc(4px + env(safe-area-inset-bottom));
    justify-content: space-around;
  }}
  .st-key-{BAR_KEY} [data-testid="stPageLink"] a {{
    min-height: 48px;
    justify-content: center;
  }}
  [data-testid="stMain"] {{
    padding-bottom: 80px;
  }}
}}
@media (min-width: {PHONE_WIDTH + 1}px) {{
  .st-key-{BAR_KEY} {{
    display: none;
  }}
}}
</style>"""

# --- the page's script ----------------------------------------------------------------

# Streamlit's own English (text, aria-label, title, placeholder) -> the message key of
# what a reader of the board sees instead. Exact matches: a person's text is never touched.
STREAMLIT_WORDS = {
    "Choose an option": "st.choose_option",
    "Choose options": "st.choose_options",
    "No results": "st.no_results",
    "Clear all": "st.clear_all",
    "Clear value": "st.clear_value",
    "Remove": "st.remove",
    "Selected values": "st.selected_values",
    "Open": "st.open",
    "Show password": "st.show_password",
    "Hide password": "st.hide_password",
    "Close": "st.close",
    "Show/hide columns": "st.columns",
    "Download as CSV": "st.download_csv",
    "Search": "st.search",
    "Fullscreen": "st.fullscreen",
    "Close fullscreen": "st.close_fullscreen",
    "Copy to clipboard": "st.copy",
    "Link to heading": "st.heading_link",
    "Skip to main content": "st.skip",
    "Sidebar": "st.sidebar",
    "App pages": "st.app_pages",
    "progress": "st.progress",
    "Expand sidebar": "st.expand_sidebar",
    "Collapse sidebar": "st.collapse_sidebar",
    "Scroll tabs left": "st.tabs_left",
    "Scroll tabs right": "st.tabs_right",
    "Increment": "st.increment",
    "Decrement": "st.decrement",
    "Press Enter to apply": "st.enter_apply",
    "Press Enter to submit form": "st.enter_submit",
    "Choose date": "st.choose_date",
    "Choose date range": "st.choose_date_range",
    "Date range": "st.date_range",
    "Past Week": "st.past.week",
    "Past Month": "st.past.month",
    "Past 3 Months": "st.past.3_months",
    "Past 6 Months": "st.past.6_months",
    "Past Year": "st.past.year",
    "Past 2 Years": "st.past.2_years",
    "Select...": "st.select",
    "Quick select a date range": "st.quick_range",
    "Clear date": "st.clear_date",
    "Clear dates": "st.clear_dates",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": "st.calendar_keys",
    "Previous month.": "st.previous_month",
    "Next month.": "st.next_month",
    "Previous month": "st.previous_month",
    "Next month": "st.next_month",
    "Calendar.": "st.calendar",
    "Month.": "st.month",
    "Year.": "st.year",
    "Drag and drop file here": "st.drop_file",
    "Drag and drop files here": "st.drop_files",
    "Browse files": "st.browse",
    "Upload": "st.upload",
    "file upload": "st.file_upload",
    "Take Photo": "st.take_photo",
    "Clear photo": "st.clear_photo",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

_SCRIPT = """<script>
(() => {
  window.__boardPhone = %(config)s;
  if (window.__boardPhoneObserver) {  // a later run (the language may have changed)
    if (!window.__boardPhone.translate) window.__boardPhoneRestore();
    window.__boardPhoneApply(document.body);
    return;
  }
  const ATTRS = ["aria-label", "title", "placeholder"];
  const SKIP = '[data-testid="stMarkdownContainer"], [data-testid="stText"], pre, code, textarea';
  function said(text) {
    const c = window.__boardPhone;
    const key = text.trim();
    if (!key) return null;
    if (Object.prototype.hasOwnProperty.call(c.words, key)) return c.words[key];
    if (!c.translate) return null;
    const help = key.match(/^Help for (.+)$/);
    if (help) return c.help.replace("{label}", help[1]);
    // a day of the date picker: "Choose Sunday, December 6th 2026. It's available."
    const day = key.match(/^(Selected\\. |Choose )?(\\w+), (\\w+) (\\d+)\\w\\w (\\d{4})\\.( It's (not )?available\\.)?$/);
    if (day && c.months[day[3]] && c.weekdays[day[2]]) {
      return c.day.replace("{year}", day[5]).replace("{month}", c.months[day[3]])
        .replace("{day}", day[4]).replace("{weekday}", c.weekdays[day[2]]);
    }
    if (c.months[key]) return c.monthNames[key];
    if (c.weekdayShort[key]) return c.weekdayShort[key];
    const part = key.match(/^(year|month|day), (.+)$/);
    if (part) return c.part[part[1]].replace("{label}", said(part[2]) || part[2]);
    const chosen = key.match(/^(Choose date range|Choose date), (.+)$/);
    if (chosen) return said(chosen[1]) + "，" + chosen[2];
    const range = key.match(/^(.+) (start|end) date$/);
    if (range) return c[range[2]].replace("{label}", range[1]);
    const remove = key.match(/^Remove (.+)$/);
    if (remove) return c.words["Remove"] + " " + remove[1];
    const full = key.match(/^Fullscreen: (.+)$/);
    if (full) return said("Fullscreen") + "：" + full[1];
    const limit = key.match(/^(?:Limit )?(\\d+\\s?[KMG]?B) per file(.*)$/);
    if (limit) return c.limit.replace("{size}", limit[1]) + limit[2];
    return null;
  }
  const originals = new Map();  // text node -> its English, to give back in English
  function restore() {
    for (const el of document.querySelectorAll(ATTRS.map((a) => `[data-board-${a}]`).join())) {
      for (const name of ATTRS) {
        const value = el.getAttribute(`data-board-${name}`);
        if (value === null) continue;
        el.removeAttribute(`data-board-${name}`);
        el.setAttribute(name, value);
      }
    }
    for (const [node, english] of originals) if (node.isConnected) node.nodeValue = english;
    originals.clear();
  }
  function within(root, selector) {
    const found = [...root.querySelectorAll(selector)];
    return root.matches(selector) ? [root, ...found] : found;
  }
  function apply(root) {
    const c = window.__boardPhone;
    if (!root || !root.querySelectorAll) return;
    for (const input of within(root, c.phoneInputs)) {
      if (input.getAttribute("inputmode") !== "tel") input.setAttribute("inputmode", "tel");
    }
    // an icon beside words (:material/call:) is decoration: not read out as "call icon"
    for (const icon of within(root, 'span[role="img"][translate="no"][aria-label$=" icon"]')) {
      icon.removeAttribute("aria-label");
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    }
    if (!c.translate) return;
    for (const el of within(root, "[aria-label], [title], [placeholder]")) {
      for (const name of ATTRS) {
        const value = el.getAttribute(name);
        const shown = value && said(value);
        if (!shown || shown === value) continue;
        el.setAttribute(`data-board-${name}`, value);
        el.setAttribute(name, shown);
      }
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const change = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!el || (el.closest(SKIP) && !el.closest("button")) || !/[A-Za-z]/.test(node.nodeValue)) continue;
      const shown = said(node.nodeValue);
      if (shown && shown !== node.nodeValue.trim()) change.push([node, shown]);
    }
    for (const [node, shown] of change) {
      originals.set(node, node.nodeValue);
      node.nodeValue = shown;
    }
  }
  window.__boardPhoneApply = apply;
  window.__boardPhoneRestore = restore;
  window.__boardPhoneObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") apply(r.target.parentElement);
      else if (r.type === "attributes") apply(r.target.parentElement || r.target);
      else for (const n of r.addedNodes) apply(n.nodeType === 1 ? n : n.parentElement);
    }
  });
  window.__boardPhoneObserver.observe(document.body, {
    childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ATTRS,
  });
  apply(document.body);
})();
</script>"""

# A widget whose key names a phone (programme_phone_3, merchants_phone, org_c_phone_2):
# Streamlit puts the key in a class of the widget's box.
PHONE_INPUTS = '[class*="st-key-"][class*="phone"] input[type="text"]'


def _config(lang: str, translate: bool) -> dict[str, object]:
    def tr(key: str, /, **params: object) -> str:
        return translate_to(key, lang, **params)

    words = {english: tr(key) for english, key in STREAMLIT_WORDS.items()} if translate else {}
    return {
        "translate": translate,
        "phoneInputs": PHONE_INPUTS,
        "words": {k: v for k, v in words.items() if k != v},
        "help": tr("st.help_for", label="{label}"),
        "day": tr("st.day", year="{year}", month="{month}", day="{day}", weekday="{weekday}"),
        "limit": tr("st.limit", size="{size}"),
        "part": {p: tr(f"st.part.{p}", label="{label}") for p in ("year", "month", "day")},
        "start": tr("st.start_date", label="{label}"),
        "end": tr("st.end_date", label="{label}"),
        "months": {m: str(n) for n, m in enumerate(MONTHS, start=1)},
        "monthNames": {m: tr(f"st.month.{n}") for n, m in enumerate(MONTHS, start=1)},
        "weekdays": {d: tr(f"st.weekday.{n}") for n, d in enumerate(WEEKDAYS)},
        "weekdayShort": {d[:2]: tr(f"st.weekday_short.{n}") for n, d in enumerate(WEEKDAYS)},
    }


@lru_cache(maxsize=8)
def phone_script(lang: str) -> str:
    """The page's script (see the module's docstring): translating only for a reader
    whose language is not English. The same for every page in one language: made once
    (its sixty-odd translations were looked up on every run)."""
    config = json.dumps(_config(lang, translate=not lang.startswith("en")), ensure_ascii=False)
    # a "</" inside the data would end the script early
    return _SCRIPT % {"config": config.replace("</", "<\\/")}


def page_setup(lang: str) -> None:
    """The phone's CSS and script, once a page (in the sidebar: no gap in the page)."""
    st.html(PHONE_CSS)
    st.sidebar.html(phone_script(lang), unsafe_allow_javascript=True)


def bottom_bar(keys: tuple[str, ...]) -> None:
    """The role's two or three pages, pinned to the bottom of a phone's screen (hidden on
    wider screens): one tap between them, each at least 48 px high."""
    if not keys:
        return
    with st.container(key=BAR_KEY, horizontal=True, gap="small"):
        for key in keys:
            spec = page_spec(key)
            st.page_link(spec.path, label=t(spec.title_key), icon=spec.icon)
