"""Cross-article linking, run once per night over everything loaded so far.

- `entities`: one registry of people and organisations across articles ("Mr Peskov",
  "Dimitry Peskov" and "Dmitry Peskov" are one person), every merge with its rule; its parts
  are `names` (aliases), `name_matching` (full names), `people` (surnames) and `name_scan`
  (names the NER missed).
- `claims`: quote occurrences grouped into claims (the same statement by the same speaker),
  with the wording variants of each claim and whether a variant changed a word.
- `overlaps`: article pairs that share long verbatim passages (reprinted copy).

Each part is pure logic over plain records. `nightly` runs them: in full over every current
article (`full=True`), or, by default, for the night's new and replaced articles only, against
linking state kept in DuckDB (`incremental_entities` with `blocks` and `label_blocks`,
`incremental_claims`, `incremental_overlaps`; reads and writes through `store`).
"""
