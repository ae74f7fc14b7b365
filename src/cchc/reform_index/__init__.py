"""The Decision 766 reform index scored the portal's way: sub-indicators, each with its own rule,
summed into six groups (CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL; 100 points).

- `rules`: the versioned rule table (`dbt_project/seeds/rules/ref_reform_index_rules.csv`), the
  one place a rule is written; the marts read the same file as a dbt seed.
- `scorer`: numerators and denominators -> scores, and what numerator would reach full points.
"""
