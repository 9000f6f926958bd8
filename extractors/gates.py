"""Data-quality gates: Great Expectations suites run over DataFrames read from DuckDB.

Each suite is a JSON file in `expectations/<gate>/`. Its DataFrame comes from one of two places:

- `meta.query`: DuckDB SQL run on the gate's database, opened read-only. The query may use
  `$exposed_after` (the time the last published run finished: rows loaded later are exposed by
  this publish for the first time) and `$texts_since` (`raw_gate_parameters`). GX has no DuckDB
  dialect, which is why the DataFrames are read here and handed over.
- `meta.frame: "candidate_file"`: one row per table of the candidate file or of the work
  database's marts, with row counts read through a DuckDB 1.x reader (the duckdb-cli beside
  the Python interpreter), so the gate sees the file that will be published as readers will.

A suite may use `{"$PARAMETER": name}` for settings such as the quarantine threshold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from extractors.publish import PUBLISHED_OPS_TABLES, PUBLISHED_SCHEMAS
from extractors.warehouse import connect


class GateFailed(RuntimeError):
    """A gate found data that breaks an expectation; the run must not publish."""


@dataclass
class GateResult:
    gate: str
    passed: bool = True
    failures: list[str] = field(default_factory=list)
    n_expectations: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.passed:
            return f"{self.gate}: {self.n_expectations} expectations passed" + "".join(f"; {n}" for n in self.notes)
        return f"{self.gate} failed: " + "; ".join(self.failures)


def _describe_failure(suite: str, outcome) -> str:
    config = outcome.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    result = outcome.result or {}
    detail = ""
    if "unexpected_count" in result:
        examples = result.get("partial_unexpected_list") or []
        detail = f" ({result['unexpected_count']} unexpected, e.g. {examples[:3]})"
    elif "observed_value" in result:
        detail = f" (observed {result['observed_value']})"
    return f"{suite}.{config.type}({json.dumps(kwargs, default=str)}){detail}"


# The earliest load of an article holding entities or quotes the raw gate has not seen (rows of
# runs none of whose articles had been loaded by `$exposed_after`: a night's new articles, or
# older ones a reprocess extracted again).
_FIRST_UNSEEN_ARTICLE = """
    with seen_runs as (
        select distinct run_id from raw.articles
        where ingested_at <= coalesce(cast($exposed_after as timestamptz), '-infinity'::timestamptz)
    )
    select min(ingested_at) from raw.articles
    where article_id in (
        select article_id from raw.entities where run_id not in (select run_id from seen_runs)
        union
        select article_id from raw.quotes where run_id not in (select run_id from seen_runs))
"""


def raw_gate_parameters(work_db: Path, exposed_after: datetime | None) -> dict[str, Any]:
    """The raw gate's query parameters: `$exposed_after`, and `$texts_since`, the load time of the
    oldest article whose text the gate compares with unseen rows (None when there is none).

    The suites read article texts from `$texts_since` on: a constant the scan compares with each
    row group's load times, so DuckDB skips the older groups instead of decompressing every text
    ever loaded (about 1 GB at 100,000 articles) to join the night's rows with their articles.
    """
    with connect(work_db, read_only=True) as con:
        (since,) = con.execute(_FIRST_UNSEEN_ARTICLE, {"exposed_after": exposed_after}).fetchone()
    return {"exposed_after": exposed_after, "texts_since": since}


def last_published_at(work_db: Path) -> datetime | None:
    """When the last published run finished; None before the first publish.

    Everything loaded after it (this run's rows, and rows of runs that stopped after loading)
    reaches readers for the first time with the next publish, so the raw gate checks it.
    """
    with connect(work_db, read_only=True) as con:
        return con.execute("select max(finished_at) from ops.runs where status = 'published'").fetchone()[0]


def duckdb_1x_cli() -> Path:
    """The duckdb-cli (1.x) installed beside this interpreter: the reader the published file must suit."""
    cli = Path(sys.executable).with_name("duckdb")
    if not cli.exists():
        raise FileNotFoundError(f"no DuckDB CLI at {cli}: install the pinned duckdb-cli")
    return cli


def _cli_json(cli: Path, database: Path, sql: str) -> tuple[list[dict], str | None]:
    done = subprocess.run([str(cli), "-readonly", "-json", str(database), "-c", sql],
                          capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return [], lines[0] if lines else f"exit status {done.returncode}"
    text = done.stdout.strip()
    return (json.loads(text) if text else []), None


def candidate_file_frame(candidate: Path, work_db: Path):
    """One row per published table: present in the candidate, and its rows as a 1.x reader counts them."""
    import pandas as pd

    with connect(work_db, read_only=True) as con:
        names = [f"{schema}.{table}" for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() order by all").fetchall()
            if schema in PUBLISHED_SCHEMAS or f"{schema}.{table}" in {f"ops.{t}" for t in PUBLISHED_OPS_TABLES}]
        work_rows = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in names}
    cli = duckdb_1x_cli()
    listed, error = _cli_json(cli, candidate, "select schema_name || '.' || table_name as name from duckdb_tables()")
    in_candidate = {row["name"] for row in listed}
    candidate_rows: dict[str, int] = {}
    if in_candidate and error is None:
        counts = " union all ".join(
            f"select '{name}' as name, count(*) as n from {name}" for name in sorted(in_candidate))
        rows, error = _cli_json(cli, candidate, counts)
        candidate_rows = {row["name"]: row["n"] for row in rows}
    # marts.runs is added by the publish step itself, after this gate: no count to compare it with.
    frame = pd.DataFrame({"table_name": sorted(set(work_rows) | (in_candidate - {"marts.runs"}))})
    frame["in_candidate"] = frame.table_name.isin(in_candidate)
    frame["work_rows"] = frame.table_name.map(work_rows)
    frame["candidate_rows"] = frame.table_name.map(candidate_rows)
    frame["rows_match"] = frame.work_rows.eq(frame.candidate_rows)
    frame["reader_error"] = error
    return frame


def _frame(spec: dict, database: Path, work_db: Path | None, query_parameters: dict[str, Any]):
    meta = spec["meta"]
    if meta.get("frame") == "candidate_file":
        if work_db is None:
            raise ValueError(f"suite {spec['name']} compares the candidate with the work database: pass work_db")
        return candidate_file_frame(database, work_db)
    query = meta["query"]
    used = {k: v for k, v in query_parameters.items() if f"${k}" in query}
    with connect(database, read_only=True) as con:
        return con.execute(query, used or None).df()


def run_gate(gate: str, suites_dir: Path, database: Path, parameters: dict[str, Any],
             query_parameters: dict[str, Any] | None = None, work_db: Path | None = None,
             state_dir: Path | None = None) -> GateResult:
    """Validate every suite of one gate; never raises for bad data, only reports it.

    With `state_dir`, a passing verdict on the very same frames and suites is reused without
    running GX (extractors/gate_verdict.py), and the result's message says so and from when."""
    from extractors import gate_verdict

    suite_files = sorted(suites_dir.glob("*.json"))
    if not suite_files:
        raise FileNotFoundError(f"no expectation suites in {suites_dir}")
    specs = [json.loads(f.read_text(encoding="utf-8")) for f in suite_files]
    frames = [_frame(spec, database, work_db, query_parameters or {}) for spec in specs]
    key = gate_verdict.verdict_key(gate, specs, frames, parameters) if state_dir is not None else None
    kept = gate_verdict.reusable_verdict(state_dir, gate, key) if key is not None else None
    if kept is not None:
        return GateResult(gate, True, [], kept["n_expectations"], [
            f"verdict reused from {kept['checked_at']} (the same suites passed on the same data then)"])
    result = _validate(gate, specs, frames, parameters)
    if key is not None:
        gate_verdict.keep_verdict(state_dir, gate, key, result.passed, result.n_expectations)
    return result


def _validate(gate: str, specs: list[dict], frames: list, parameters: dict[str, Any]) -> GateResult:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(gate)
    result = GateResult(gate)
    for spec, frame in zip(specs, frames):
        suite = ExpectationSuite(**spec)
        asset = source.add_dataframe_asset(name=suite.name)
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": frame}
        )
        validation = batch.validate(suite, expectation_parameters=parameters)
        result.n_expectations += len(validation.results)
        for outcome in validation.results:
            if not outcome.success:
                result.passed = False
                result.failures.append(_describe_failure(suite.name, outcome))
    return result


def check_canary(result: GateResult, spacy_model: str, state_dir: Path | None = None) -> None:
    """Add the extraction-quality check to a gate's result: the canary articles
    (expectations/canary/), extracted with the live spaCy model, rules and attribution model,
    must keep their attributed F1; a failure names the canary quotes that broke.

    With `state_dir`, the last passing verdict kept there is reused when nothing that decides it
    changed (extractors/canary_verdict.py), and the result's message says so and from when."""
    from extractors.canary_verdict import keep_verdict, reusable_verdict, verdict_key

    key = verdict_key(spacy_model) if state_dir is not None else None
    kept = reusable_verdict(state_dir, key) if key is not None else None
    result.n_expectations += 1
    if kept is not None:
        result.notes.append(f"canary verdict reused from {kept['checked_at']} (attributed F1 "
                            f"{kept['attributed_f1']:.2f}; spaCy, pipeline, rules, attribution model, code "
                            "and canary files unchanged)")
        return

    from extractors.attribution.canary import MIN_ATTRIBUTED_F1
    from extractors.attribution.canary import check_canary as score_canary
    from extractors.extract import load_pipeline
    from extractors.rules import load_rules

    canary = score_canary(load_pipeline(spacy_model), load_rules())
    if key is not None:
        keep_verdict(state_dir, key, canary.passed, canary.attributed_f1)
    if not canary.passed:
        result.passed = False
        result.failures.append(
            f"canary attributed F1 {canary.attributed_f1:.2f} is below {MIN_ATTRIBUTED_F1}; broken: "
            + "; ".join(canary.broken))
