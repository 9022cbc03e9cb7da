"""Fixtures for the CocoPay query tests: connections as the application role.

``app`` / ``app_url``: the test's fresh database (``db_url``), as ``chaindb_app`` — the role
applications log in as — so every generated query is also proven to need no more than the
app's grants. ``conn`` (tests/python/conftest.py) stays the superuser, for checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from chaindb import db

APP_ROLE = "chaindb_app"


@pytest.fixture
def app(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with db.connect(db_url, role=APP_ROLE, autocommit=True) as connection:
        yield connection
