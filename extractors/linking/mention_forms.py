"""The registry's blocks as forms, kept night by night: what a night's closure and forms read.

A stored mention's blocking keys depend only on its form (text, label, source, scan surname:
`blocks.block_keys`), so every mention of a form sits in the same blocks. raw.link_name_forms
keeps one row per block and form, with the form's mentions counted and its first mention (by
article and offsets): the rows a `group by` of raw.link_mentions by form and blocking key
would give, bounded by the distinct names rather than by every mention ever loaded. A night
subtracts the mentions of the articles it removes (recounting from raw.link_mentions only the
forms that lost a mention) before it reads, and adds its own after, so that what it reads
holds the earlier articles' mentions only, as `steady_blocks` needs. `moved_links` subtracts
from them, in memory, the mentions of the earlier articles it relinks.
"""

from __future__ import annotations

from extractors.linking.blocks import StoredMention
from extractors.linking.store import Store
from extractors.records import stable_id

FORM_COLUMNS = ("form_id", "block", "mention_text", "label", "source", "scan_surname", "n",
                "first_article_id", "first_start", "first_end")
_IDENTITY = ("mention_text", "label", "source", "scan_surname")


def form_id(s: StoredMention) -> str:
    m = s.mention
    return stable_id("form", m.text, m.label, m.source, s.scan_surname or "")


def _rows(stored: list[StoredMention]) -> list[tuple]:
    """One row per block and form of these mentions: count and first mention."""
    counted: dict[str, list] = {}
    for s in stored:
        m = s.mention
        first = (m.article_id, m.start_char, m.end_char)
        row = counted.get(form_id(s))
        if row is None:
            counted[form_id(s)] = [s, 1, first]
        else:
            row[1] += 1
            row[2] = min(row[2], first)
    return [(fid, block, s.mention.text, s.mention.label, s.mention.source, s.scan_surname, n, *first)
            for fid, (s, n, first) in sorted(counted.items()) for block in s.blocks]


def add_forms(store: Store, stored: list[StoredMention]) -> None:
    """Count these mentions (a night's, after it has read the forms) in raw.link_name_forms."""
    rows = _rows(stored)
    if not rows:
        return
    store.execute("create or replace temp table form_delta as select * from raw.link_name_forms limit 0")
    store.insert_rows("form_delta", FORM_COLUMNS, rows)
    store.execute("""create or replace temp table form_merged as
        select form_id, block, any_value(mention_text) as mention_text, any_value(label) as label,
               any_value(source) as source, any_value(scan_surname) as scan_surname, sum(n)::integer as n,
               min({'a': first_article_id, 's': first_start, 'e': first_end}) as f1
        from (select * from raw.link_name_forms where form_id in (select form_id from form_delta)
              union all select * from form_delta)
        group by form_id, block""")
    store.execute("delete from raw.link_name_forms where form_id in (select form_id from form_delta)")
    store.execute(f"""insert into raw.link_name_forms ({', '.join(FORM_COLUMNS)})
        select form_id, block, mention_text, label, source, scan_surname, n, f1.a, f1.s, f1.e
        from form_merged""")


def remove_forms(store: Store, removed: list[StoredMention]) -> None:
    """Recount the forms the removed mentions had (already gone from raw.link_mentions): their
    remaining mentions, or no row when none remains. Only nights that remove articles (new
    versions of files) scan raw.link_mentions here."""
    ids = {form_id(s) for s in removed}
    if not ids:
        return
    store.temp_ids("form_recount", ids)
    store.execute("""create or replace temp table form_lost as
        select distinct form_id, block, mention_text, label, source, scan_surname
        from raw.link_name_forms where form_id in (select id from form_recount)""")
    store.execute("delete from raw.link_name_forms where form_id in (select id from form_recount)")
    on = " and ".join(f"l.{c} is not distinct from m.{c}" for c in _IDENTITY)
    store.execute(f"""insert into raw.link_name_forms ({', '.join(FORM_COLUMNS)})
        with counted as (
            select l.form_id, count(*)::integer as n,
                   min({{'a': m.article_id, 's': m.start_char, 'e': m.end_char}}) as f1
            from (select distinct form_id, {', '.join(_IDENTITY)} from form_lost) l
            join raw.link_mentions m on {on}
            group by l.form_id)
        select l.form_id, l.block, l.mention_text, l.label, l.source, l.scan_surname, c.n,
               c.f1.a, c.f1.s, c.f1.e
        from form_lost l join counted c using (form_id)""")


def store_all_forms(store: Store, stored: list[StoredMention]) -> None:
    """raw.link_name_forms from every stored mention (a full relink)."""
    store.insert_rows("raw.link_name_forms", FORM_COLUMNS, _rows(stored))
