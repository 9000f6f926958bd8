{% test at_least(model, column_name, value) %}
-- Rows whose column is null or below the given value.
select *
from {{ model }}
where {{ column_name }} is null or {{ column_name }} < {{ value }}
{% endtest %}
