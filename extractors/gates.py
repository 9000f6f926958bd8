"""Data-quality gates: Great Expectations suites run over DataFrames read from DuckDB.

Each suite is a JSON file in `expectations/<gate>/`. Its `meta.query` is the SQL that builds the
DataFrame the suite validates; the query may use `$run_id` (this run's id) and the suite may use
`{"$PARAMETER": name}` for settings such as the quarantine threshold. The database is opened
read-only. GX has no DuckDB dialect, which is why the DataFrames are read here and handed over.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractors.warehouse import connect


class GateFailed(RuntimeError):
    """A gate found data that breaks an expectation; the run must not publish."""


@dataclass
class GateResult:
    gate: str
    passed: bool = True
    failures: list[str] = field(default_factory=list)
    n_expectations: int = 0

    @property
    def message(self) -> str:
        if self.passed:
            return f"{self.gate}: {self.n_expectations} expectations passed"
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


def run_gate(gate: str, suites_dir: Path, database: Path, run_id: str, parameters: dict[str, Any]) -> GateResult:
    """Validate every suite of one gate; never raises for bad data, only reports it."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(gate)
    result = GateResult(gate)
    suite_files = sorted(suites_dir.glob("*.json"))
    if not suite_files:
        raise FileNotFoundError(f"no expectation suites in {suites_dir}")
    with connect(database, read_only=True) as con:
        for suite_file in suite_files:
            spec = json.loads(suite_file.read_text(encoding="utf-8"))
            query = spec["meta"]["query"]
            frame = con.execute(query, {"run_id": run_id} if "$run_id" in query else None).df()
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
