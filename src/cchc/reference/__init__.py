"""Reference data: Vietnam's administrative units (before and after the 2025 reorganisation) and
the working-day calendar.

`build_seeds` writes the committed dbt seeds from the field's packages; `admin_units` and
`calendar` read those seeds (never the packages), so Python code and dbt see the same data.
"""
