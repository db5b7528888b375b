"""DuckDB's postgres extension, loaded from its PyPI wheel (never downloaded at run time), and the
server's address as it may be shown."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb


class PostgresUnavailable(RuntimeError):
    """The extension is missing, or the server refused the connection."""


def extension_path() -> Path:
    """The extension file of the wheel duckdb-extension-postgres-scanner, built for this DuckDB."""
    import duckdb_extension_postgres_scanner as wheel

    path = (Path(wheel.__file__).parent / "extensions" / f"v{duckdb.__version__}"
            / "postgres_scanner.duckdb_extension")
    if not path.is_file():
        raise PostgresUnavailable(
            f"no postgres extension for DuckDB {duckdb.__version__} in {path.parent.parent}: install the"
            f" duckdb-extension-postgres-scanner of the same version as duckdb")
    return path


def attach(connection: duckdb.DuckDBPyConnection, url: str, alias: str = "pg") -> None:
    """ATTACH the server (a libpq URL or key=value string) to the connection as `alias`."""
    connection.execute(f"LOAD '{extension_path()}'")
    try:
        connection.execute(f"ATTACH {literal(url)} AS {alias} (TYPE postgres)")
    except duckdb.Error as error:
        # Not chained: DuckDB's error holds the URL as given, password included.
        raise PostgresUnavailable(f"cannot connect to {redacted(url)}: {reason(error)}") from None


def execute(connection: duckdb.DuckDBPyConnection, sql: str, alias: str = "pg") -> None:
    """Run SQL on the server as written, in one round trip (several statements: one transaction)."""
    connection.execute(f"CALL postgres_execute('{alias}', {literal(sql)})")


def redacted(url: str) -> str:
    """The URL without its password, fit for logs and messages."""
    url = re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", url)


def reason(error: Exception) -> str:
    """The first line of a DuckDB or server error, fit for a message: without the password, nor the
    address the extension repeats ('Unable to connect to Postgres at "<url>": ')."""
    return redacted(re.sub(r'Unable to connect to Postgres at ".*?": ', "", _first_line(error)))


def quoted(identifier: str) -> str:
    """An SQL identifier, quoted (DuckDB and PostgreSQL alike)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal (DuckDB and PostgreSQL alike)."""
    return "'" + text.replace("'", "''") + "'"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
