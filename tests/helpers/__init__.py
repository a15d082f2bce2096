"""Helpers shared by the tests: plain functions and constants (one module per area) and the fixture plugins
(`fixtures_*.py`) that tests/conftest.py loads with `pytest_plugins`. Never import from a conftest."""
