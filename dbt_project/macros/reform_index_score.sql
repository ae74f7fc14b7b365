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
            {# multiply before dividing: 6 x 114 / 288 is exactly 2.375 (scores 2.38), where
               6 x (114 / 288) is 2.37499... in numeric's digits (scores 2.37) #}
            when {{ rule }}.scoring_rule = 'full_from'
                then least(
                    {{ rule }}.max_points,
                    {{ rule }}.max_points * ({{ numerator }})::numeric
                    / (({{ denominator }}) * {{ rule }}.full_points_from)
                )
            else least(
                {{ rule }}.max_points, {{ rule }}.max_points * ({{ numerator }})::numeric / ({{ denominator }})
            )
        end,
        2
    )
{%- endmacro %}
