{#-
    key_findings holds exactly the findings its yml documents (meta.key_findings): every documented
    (finding, measure) in its documented unit, the documented headline flagged and no other, and
    nothing undocumented. One row per difference.
-#}

{%- set documented = [] -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'key_findings' -%}
{%- for finding_id, finding in node.config.meta.key_findings.items() -%}
{%- for measure, unit in finding.measures.items() -%}
{%- do documented.append((finding_id, measure, unit, measure == finding.headline)) -%}
{%- endfor -%}
{%- endfor -%}
{%- endfor %}

with

documented as (

    {%- for finding_id, measure, unit, is_headline in documented %}
    select
        '{{ finding_id }}' as finding_id,
        '{{ measure }}' as measure,
        '{{ unit }}' as unit,
        {{ is_headline }} as is_headline
    {{ 'union all' if not loop.last }}
    {%- else %}
    select
        'none' as finding_id,
        'none' as measure,
        'none' as unit,
        false as is_headline
    where false
    {%- endfor %}

),

built as (

    select
        finding_id,
        measure,
        unit,
        is_headline
    from {{ ref('key_findings') }}

)

select
    coalesce(documented.finding_id, built.finding_id) as finding_id,
    coalesce(documented.measure, built.measure) as measure,
    case
        when built.finding_id is null then 'documented, not built'
        when documented.finding_id is null then 'built, not documented'
        else 'unit or headline differs from the documentation'
    end as problem

from documented
full outer join built
    on documented.finding_id = built.finding_id
        and documented.measure = built.measure
where built.finding_id is null
    or documented.finding_id is null
    or documented.unit != built.unit
    or documented.is_headline != built.is_headline
