-- Library imports that no seed classifies stay below var unclassified_library_share_warn of all
-- library imports (conf/pipeline.yaml quality.warn.unclassified_library_share): above it, the
-- application and LLM figures miss a noticeable part of the usage. A warning, never a failure.
{{ config(severity='warn') }}

select sum(share_of_source_events) as unclassified_share
from {{ ref('unclassified_libraries') }}
where source_type = 'library'
having sum(share_of_source_events) > {{ var('unclassified_library_share_warn') }}
