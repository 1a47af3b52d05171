"""Shared benchmark harness: timers that print and record figures, and page runs.

Each bench/bench_<area>.py defines `run(size) -> Database`; bench/run.py runs them.
Server time of a page = one AppTest run of that page (the script's work on the server),
measured after a warm-up run, median of several. A page's target is a multiple of the
floor: the same kind of run of a trivial page (bench/floor_page.py) in the same process,
so the ratio says how much heavier the page is, whatever the machine's speed and load.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "bench" / "output"
# Timed runs after the warm-up one; `run.py --repeat 3` for a quick check.
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
PAGE_RATIO = 10  # every page: within 10x the floor
DASHBOARD_RATIO = 15  # the dashboard pages, also right after a write
GROWTH_RATIO = 2  # a page on the district demo against the same page on the street demo
# The ratios to the floor are targets on the street size (issue 16); a district page's
# target is its growth (bench/run.py), its ratio printed for information. run.py sets
# this for the size it measures.
FLOOR_TARGETS = True


def server_script_cache() -> None:
    """One compiled copy of each script for every run, as a server keeps (its Runtime's
    ScriptCache). AppTest makes a new cache for each run, so each run would compile
    app.py and the page again, through Streamlit's "magic" rewrite of the syntax tree:
    ~35 ms for the dashboard, next to nothing for the floor's few lines, a cost no
    server pays after its first run."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def quiet_streamlit() -> None:
    """Rendering pages outside `streamlit run` makes Streamlit warn on every run ("No
    runtime found", "missing ScriptRunContext"); the figures are what this prints."""
    import logging

    import streamlit.testing.v1  # noqa: F401 (creates the loggers of the runtime it drives)
    from streamlit.logger import _loggers

    # AppTest resets the log level on each run; a filter stays.
    for logger in _loggers.values():
        logger.addFilter(lambda record: record.levelno >= logging.ERROR)


@dataclass
class Result:
    """One figure. A page's target is `max_ratio` times the floor, a service's `target_ms`;
    `growth` (district / street median) is set by bench/run.py when both were run."""

    label: str
    median_ms: float
    worst_ms: float
    runs: int  # timed runs the median is of
    target_ms: float | None = None
    floor_ms: float | None = None
    max_ratio: float | None = None
    growth: float | None = None

    @property
    def is_page(self) -> bool:
        return self.floor_ms is not None

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.floor_ms if self.floor_ms else None

    @property
    def target(self) -> str:
        if self.max_ratio is not None:
            return f"{self.max_ratio:g}x floor"
        return f"{self.target_ms:,.0f} ms" if self.target_ms is not None else ""

    @property
    def over(self) -> list[str]:
        """The targets this figure misses (empty when none)."""
        missed = []
        if self.max_ratio is not None and self.ratio is not None and self.ratio > self.max_ratio:
            missed.append(self.target)
        if self.target_ms is not None and self.median_ms > self.target_ms:
            missed.append(self.target)
        if self.is_page and self.growth is not None and self.growth > GROWTH_RATIO:
            missed.append(f"growth {GROWTH_RATIO}x")
        return missed

    @property
    def verdict(self) -> str:
        if self.over:
            return "over " + ", ".join(self.over)
        return "ok" if self.target or (self.is_page and self.growth is not None) else ""

    def line(self) -> str:
        ratio = f"{self.ratio:5.1f}x" if self.ratio is not None else " " * 6
        growth = f"  growth {self.growth:.1f}x" if self.growth is not None else ""
        target = f"(target {self.target})" if self.target else ""
        return (
            f"{self.label:<62} median {self.median_ms:8.1f} ms  worst {self.worst_ms:8.1f} ms"
            f"  {ratio}  {target} {self.verdict}{growth}"
        )

    def as_json(self) -> dict:
        return {
            **asdict(self),
            "ratio": self.ratio,
            "target": self.target,
            "verdict": self.verdict,
        }


RESULTS: list[Result] = []


def measure(
    fn: Callable[[], object],
    *,
    before: Callable[[], object] | None = None,
    repeat: int = REPEAT,
) -> tuple[float, float, int]:
    """Median and worst milliseconds of fn over `repeat` runs after a warm-up run;
    `before` runs ahead of each run, untimed (a write the page is then opened after)."""
    samples = []
    for n in range(repeat + 1):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        if n:
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), len(samples)


def timed(
    label: str,
    fn: Callable[[], object],
    *,
    target_ms: float | None = None,
    before: Callable[[], object] | None = None,
) -> Result:
    """A service figure: prints and records fn's time."""
    return _record(Result(label, *measure(fn, before=before), target_ms=target_ms))


def timed_page(
    label: str,
    fn: Callable[[], object],
    *,
    max_ratio: float = PAGE_RATIO,
    before: Callable[[], object] | None = None,
) -> Result:
    """A page figure: prints and records fn's time with its ratio to the floor measured
    alongside it: three runs of the floor before each run of the page. On a shared host
    the machine's speed drifts within a minute (the floor measured 8 to 14 ms at the
    start of three runs in one half hour, the same dashboard 116 to 197 ms later in
    them), so a ratio to a floor measured once, at the start, said more of the drift
    than of the page."""
    floor_result()  # the run's floor line, printed first
    floor = _floor_app()
    samples: list[float] = []
    floors: list[float] = []
    for n in range(REPEAT + 1):
        if before is not None:
            before()
        for _ in range(3):
            started = time.perf_counter()
            floor.run()
            if n:
                floors.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        fn()
        if n:
            samples.append((time.perf_counter() - started) * 1000)
    result = Result(
        label,
        statistics.median(samples),
        max(samples),
        len(samples),
        floor_ms=statistics.median(floors),
        max_ratio=max_ratio if FLOOR_TARGETS else None,
    )
    return _record(result)


def _record(result: Result) -> Result:
    RESULTS.append(result)
    print(result.line(), flush=True)
    return result


@cache
def _floor_app():
    """The floor's AppTest, made and run once (its warm-up)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "bench" / "floor_page.py"), default_timeout=60)
    at.run()
    if at.exception:
        raise RuntimeError(f"the floor page failed: {at.exception}")
    return at


@cache
def floor_result() -> Result:
    """The floor, measured once per run on first use: AppTest runs of bench/floor_page.py.
    The run's floor line; each page's ratio is to the floor measured alongside it."""
    figures = measure(_floor_app().run, repeat=3 * REPEAT)
    result = Result("floor: a title, a 10-row table, one Altair chart", *figures)
    print(result.line(), flush=True)
    return result


def page_runner(
    page: str, username: str, *, session_state: dict | None = None
) -> Callable[[], object]:
    """A function that renders `page` for `username` once, as the server would (AppTest).

    Reads are not served from the read cache between runs: each run clears it, so the
    figure is the cold server time of the page. A page with tabs runs its first tab
    unless `session_state` opens another.
    """
    from streamlit.testing.v1 import AppTest

    from services import auth
    from services.db import get_engine, transaction
    from services.demo import DEMO_PASSWORD

    with transaction(get_engine()) as session:
        token = auth.sign_in(session=session, username=username, password=DEMO_PASSWORD).token

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["auth_token"] = token
    for key, value in (session_state or {}).items():
        at.session_state[key] = value
    at.run()

    def render() -> AppTest:
        """One run of app.py on the page, as the server does for each interaction."""
        from ui.actions import clear_reads

        clear_reads()
        at.switch_page(page).run()
        if at.exception or any("抱歉" in e.value for e in at.error):
            raise RuntimeError(f"{page} failed: {at.exception} {[e.value for e in at.error]}")
        return at

    return render
