"""The benchmark: the pipeline against PostgreSQL's COPY floor and the pandas way (issue 7).

Run `python -m bench --help`; bench/README.md says what each figure means.
"""
