"""Every column of the built work database is documented in dbt's YAML, and no YAML column is stale.

The documented columns are those of dbt's manifest from the seed run (models, seeds, sources);
the real columns are those of that run's work database.
"""

from __future__ import annotations

import json

SCHEMAS = ("raw", "ops", "staging", "intermediate", "marts", "reference")


def _documented(seeded) -> dict[str, dict[str, str]]:
    manifest = json.loads(
        (seeded.work_db.parent / "state" / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8"))
    documented: dict[str, dict[str, str]] = {}
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["resource_type"] in {"model", "seed", "source"}:
            relation = f"{node['schema']}.{node.get('identifier') or node['alias']}"
            documented[relation] = {name: column.get("description", "") for name, column in node["columns"].items()}
    return documented


def _real(seeded) -> set[str]:
    rows = seeded.query(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()"
        " where schema_name in (select unnest($schemas))", {"schemas": list(SCHEMAS)}, database=seeded.work_db)
    return {r[0] for r in rows}


def test_every_column_is_documented(seeded):
    documented = _documented(seeded)
    undocumented = sorted(
        column for column in _real(seeded)
        if not documented.get(column.rsplit(".", 1)[0], {}).get(column.rsplit(".", 1)[1], "").strip())
    assert not undocumented, "columns without a description in dbt_project YAML: " + ", ".join(undocumented)


def test_no_documented_column_is_missing(seeded):
    real = _real(seeded)
    stale = sorted(f"{relation}.{name}" for relation, columns in _documented(seeded).items() for name in columns
                   if f"{relation}.{name}" not in real)
    assert not stale, "columns documented in YAML but absent from the work database: " + ", ".join(stale)
