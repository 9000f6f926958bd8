-- Every registry entity shows the evidence of its merge: at least one row in entity_aliases.
select entities.entity_id, entities.canonical_name
from {{ ref('entities') }} as entities
where not exists (
    select 1 from {{ ref('entity_aliases') }} as aliases
    where aliases.entity_id = entities.entity_id
)
