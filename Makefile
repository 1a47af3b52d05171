# Everyday commands. `make run` and `make test` work on a fresh machine.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.requirements-stamp
HOST    ?= 0.0.0.0
PORT    ?= 8501
SIZE    ?= community
SEED    ?= 42

.PHONY: setup system-deps run test test-fast test-browser test-postgres lint fmt bench bench-browser seed migrate migration schema clean backup restore

$(STAMP): requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

# Debian packages: CJK fonts for chart export, Chromium for the browser tests.
system-deps:
	@scripts/system-deps.sh fonts-noto-cjk chromium

run: setup
	@scripts/system-deps.sh fonts-noto-cjk
	$(PY) manage.py prepare
	$(VENV)/bin/streamlit run server.py --server.address $(HOST) --server.port $(PORT)

# Both suites spread single tests over workers, each run printing its ten slowest tests:
# the fast suite over two (it keeps both cores busy), the browser journeys over three (a
# browser worker serves the demo from a server of its own, tests/browser/conftest.py, and
# mostly waits for it and Chromium: two workers kept the two cores less than half busy;
# three took 194 s instead of ~260 s).
test: setup system-deps lint test-fast test-browser

test-browser: setup system-deps
	@date +"== %T make test-browser"
	$(VENV)/bin/pytest -m browser -n 3 --dist worksteal --durations=10

test-fast: setup
	@date +"== %T make test-fast"
	$(VENV)/bin/pytest -m "not browser" -n 2 --dist worksteal --durations=10

# Against a throw-away PostgreSQL, a database per worker (tests/conftest.py), the tests
# where the engine matters: concurrent writers (sign-ups, registrations, waitlists, case
# numbers, data versions), SQL that differs by dialect (dates, medians, window functions,
# upserts of the kept figures), the migrations, the database's constraints, every write
# path with odd input (test_input_properties), the demo loader, backup and restore; and
# two app servers on one PostgreSQL in Chromium (tests/browser/test_two_servers.py: no -m
# filter here, so its browser mark does not leave it out; without PostgreSQL it skips).
# The rest (pure Python, or SQL both engines run alike) runs on SQLite only: the whole
# services suite on PostgreSQL took 208 s beside the fast suite and pushed CI over 10 min,
# and the fast suite alone has grown to ~230 s.
POSTGRES_TESTS := $(addprefix tests/services/test_,$(addsuffix .py,\
	backup cases case_figures data_versions demo event_task_months input_properties outbox \
	proxy_median proxy_months registrations reminders signups waitlists visit_dues \
	visit_month_ends visit_plan_rules visit_today)) \
	tests/test_migrations.py tests/test_constraints.py tests/browser/test_two_servers.py

test-postgres: setup system-deps
	scripts/with-postgres.sh $(VENV)/bin/pytest -n 2 --dist worksteal $(POSTGRES_TESTS)

# ruff on everything; mypy on the rules (services/ and models/, see pyproject.toml).
lint: setup
	@date +"== %T make lint"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: setup
	$(PY) manage.py migrate

# Rebuild the initial revision from the models (allowed only until the first release).
schema: setup
	rm -f migrations/versions/0001_initial_schema.py /tmp/board-schema.db
	DATABASE_URL=sqlite:////tmp/board-schema.db $(VENV)/bin/alembic revision --autogenerate -m "initial schema" --rev-id 0001
	rm -f /tmp/board-schema.db

# Autogenerate a revision from the models: make migration MSG="add x"
migration: setup
	$(VENV)/bin/alembic revision --autogenerate -m "$(MSG)"

seed: setup
	$(PY) manage.py seed --size $(SIZE) --seed $(SEED)

# A backup of the database into data/backups (BOARD_BACKUP_DIR), the older ones rotated
# (README: 备份与恢复 / Backup and restore).
backup: setup
	$(PY) manage.py backup

# Restore a backup onto this install, then migrate: make restore FILE=data/backups/…
# (refused when the database holds data; FORCE=1 replaces it, backing it up first).
restore: setup
	@test -n "$(FILE)" || { echo "make restore FILE=path/to/board-backup_…" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

# Server times on the street demo (BENCH_SIZE=district: five times larger; DATABASE_URL:
# on PostgreSQL), then the figures into the README; exits 1 when a figure is over target.
bench: setup
	$(PY) bench/run.py; status=$$?; $(PY) bench/report.py && exit $$status

# Chromium on the community demo (a server of its own), then the README's figures.
bench-browser: setup system-deps
	$(PY) bench/run.py browser; status=$$?; $(PY) bench/report.py && exit $$status

clean:
	rm -rf $(VENV) data/board.db data/board.db-* test-output
