{#- Decision 766 points of one sub-indicator, the way cchc.reform_index.scorer.score computes them
    (a test proves the two equal): linear, or full points from a threshold ratio; an empty
    denominator scores what the rule says (full or zero); rounded half up to 2 decimals.
    `rule` is the alias of a ref_reform_index_rules row. Null when the denominator is unknown. -#}
{% macro reform_index_score(rule, numerator, denominator) -%}
    round(
        case
            when ({{ denominator }}) is null or ({{ numerator }}) is null then null
            when ({{ denominator }}) = 0
                then case when {{ rule }}.empty_denominator_scores = 'full' then {{ rule }}.max_points else 0 end
            when {{ rule }}.scoring_rule = 'full_from'
                then {{ rule }}.max_points * least(
                    1, ({{ numerator }})::numeric / ({{ denominator }}) / {{ rule }}.full_points_from
                )
            else {{ rule }}.max_points * least(1, ({{ numerator }})::numeric / ({{ denominator }}))
        end,
        2
    )
{%- endmacro %}
