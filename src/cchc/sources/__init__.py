"""Extractors of the two external sources: one-stop exports (files) and the portal API."""
