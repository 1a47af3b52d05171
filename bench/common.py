"""Shared benchmark harness: the street-sized demo database and a timer that prints.

Each bench/bench_<area>.py defines `run(ctx: BenchContext)`; bench/run.py runs them all.
Server time of a page = one AppTest run of that page (the script's work on the server),
measured after a warm-up run, median of several.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUTPUT = ROOT / "bench" / "output"
STREET_DB = OUTPUT / "street.db"
SEED = 7


def quiet_streamlit() -> None:
    """Rendering pages outside `streamlit run` makes Streamlit warn on every run ("No
    runtime found", "missing ScriptRunContext"); the figures are what this prints."""
    import logging

    import streamlit.testing.v1  # noqa: F401 (creates the loggers of the runtime it drives)
    from streamlit.logger import _loggers

    # AppTest resets the log level on each run; a filter stays.
    for logger in _loggers.values():
        logger.addFilter(lambda record: record.levelno >= logging.ERROR)


def street_database() -> str:
    """The street-sized demo (20 communities, 150,000 visits, ...), built once and reused."""
    from services import demo, migrate
    from services.db import make_engine

    OUTPUT.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{STREET_DB}"
    if not STREET_DB.exists():
        print(f"Building the street-sized demo into {STREET_DB} …", flush=True)
        started = time.perf_counter()
        partial = STREET_DB.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        partial_url = f"sqlite:///{partial}"
        migrate.upgrade(partial_url)
        engine = make_engine(partial_url)
        demo.load_demo(engine, size="street", seed=SEED)
        engine.dispose()
        partial.rename(STREET_DB)
        print(f"  built in {time.perf_counter() - started:.1f}s", flush=True)
    os.environ["DATABASE_URL"] = url
    quiet_streamlit()
    return url


@dataclass
class Result:
    label: str
    median_ms: float
    worst_ms: float
    target_ms: float | None

    def line(self) -> str:
        verdict = ""
        if self.target_ms is not None:
            verdict = "ok" if self.median_ms <= self.target_ms else "OVER TARGET"
            verdict = f"(target {self.target_ms:.0f} ms) {verdict}"
        return f"{self.label:<52} median {self.median_ms:8.1f} ms  worst {self.worst_ms:8.1f} ms  {verdict}"


RESULTS: list[Result] = []


def timed(
    label: str, fn: Callable[[], object], *, repeat: int = 7, target_ms: float | None = None
) -> Result:
    """Runs fn once to warm up, then `repeat` times; prints and records the figures."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    result = Result(label, statistics.median(samples), max(samples), target_ms)
    RESULTS.append(result)
    print(result.line(), flush=True)
    return result


def page_runner(
    page: str, username: str, *, session_state: dict | None = None
) -> Callable[[], object]:
    """A function that renders `page` for `username` once, as the server would (AppTest).

    Reads are not served from Streamlit's cache between runs: each run clears it, so the
    figure is the cold server time of the page.
    """
    import streamlit as st
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
        st.cache_data.clear()
        at.switch_page(page).run()
        if at.exception or any("抱歉" in e.value for e in at.error):
            raise RuntimeError(f"{page} failed: {at.exception} {[e.value for e in at.error]}")
        return at

    return render
