"""
### Quotewire nightly

Raw news articles in the landing folder -> cleaned text, entities, quotes and speakers (spaCy)
-> DuckDB raw tables -> links across articles (entity registry, claims, reprinted copy)
-> dbt marts -> Great Expectations gates -> atomic publish of
`warehouse/quotewire.duckdb` -> an HTML report of the published marts.

Settings come from `QUOTEWIRE_*` environment variables (see `extractors/settings.py`). Tasks
that write DuckDB run in the one-slot pool `quotewire_duckdb_writer`; extraction is mapped over
batches and writes Parquet files to the staging area, which one task loads. Under the
CeleryExecutor extraction goes to the `extract` queue (any number of workers) and every other
task to the `warehouse` queue (the one worker holding the DuckDB files).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from extractors.settings import extract_queue, warehouse_queue

WRITER_POOL = "quotewire_duckdb_writer"


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "queue": warehouse_queue()},
    tags=["quotewire"],
    doc_md=__doc__,
    # Trigger with {"reprocess": true} to extract again, from the stored text, the articles an
    # older spaCy pipeline or older rules extracted (`make reprocess` does it).
    params={"reprocess": Param(False, type="boolean",
                               description="re-extract articles extracted by an older model or older rules")},
)
def quotewire_nightly():
    # A missing pool, model, landing folder or a broken dbt project is not cured by waiting:
    # fail at once, with the message naming what to fix.
    @task(retries=0)
    def preflight(run_id=None, dag_run=None):
        from extractors import pipeline

        return pipeline.preflight(run_id, dag_run.logical_date or dag_run.run_after)

    @task
    def discover(run_id=None):
        from extractors import pipeline

        return pipeline.discover(run_id)

    @task(max_active_tis_per_dagrun=2, queue=extract_queue())
    def extract(batch, run_id=None):
        from extractors import pipeline

        return pipeline.extract(batch, run_id)

    @task(pool=WRITER_POOL)
    def load(batches, run_id=None, params=None):
        from extractors import pipeline

        return pipeline.load(batches, run_id, reprocess=bool(params.get("reprocess")))

    @task(pool=WRITER_POOL)
    def link(run_id=None):
        from extractors import pipeline

        return pipeline.link(run_id)

    # Gates and dbt tests fail on data, not on chance: retrying would not change the verdict.
    @task(retries=0)
    def raw_gate(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.raw_gate(run_id)

    @task(pool=WRITER_POOL, retries=0)
    def dbt_build(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.dbt_build(run_id)

    @task(retries=0)
    def mart_gate(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.mart_gate(run_id)

    @task(pool=WRITER_POOL)
    def publish(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.publish(run_id)

    # Reads the published file only. A failed report fails this task, and so the DAG run, but
    # the night stays published and the previous report stays in place.
    @task(retries=0)
    def report(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.report(run_id)

    @task(pool=WRITER_POOL, trigger_rule="all_done", retries=0)
    def run_summary(run_id=None):
        from extractors import pipeline_release

        return pipeline_release.summarize(run_id)

    batches = preflight() >> discover()
    loaded = load(extract.expand(batch=batches))
    published = loaded >> link() >> raw_gate() >> dbt_build() >> mart_gate() >> publish()
    published >> run_summary()
    published >> report()


quotewire_nightly()
