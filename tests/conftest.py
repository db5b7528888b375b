"""Fixtures shared by test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_server.LocalPostgres]:
    """One PostgreSQL server for the session (tests keep to their own schemas or databases)."""
    server = postgres_server.start()
    try:
        yield server
    finally:
        server.stop()
