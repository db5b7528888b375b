"""A throwaway PostgreSQL server on 127.0.0.1 for the tests, from the binaries of the `pgserver` wheel
(a dev dependency): `make test` needs no system package and no running service.

PostgreSQL refuses to run as root: under root the cluster belongs to `nobody`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED_USER = "nobody"


@dataclass(frozen=True)
class LocalPostgres:
    folder: Path
    port: int
    user: str | None  # the system user the server runs as (None: this process's)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        import pgserver

        pgserver.pg_ctl(["-m", "immediate", "stop"], pgdata=self.folder / "data", user=self.user)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> LocalPostgres:
    """initdb a fresh cluster in a new folder of /tmp and start it on a free port."""
    import pgserver  # at use: importing it sets up its own runtime folders

    user = UNPRIVILEGED_USER if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="cchc-postgres-"))
    folder.chmod(0o755)  # the server's user must reach its data folder
    data = folder / "data"
    data.mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    pgserver.initdb(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                    pgdata=data, user=user)
    port = free_port()
    # TCP on 127.0.0.1 only, no Unix socket; durability is not what tests measure
    options = f"-h 127.0.0.1 -p {port} -k '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    pgserver.pg_ctl(["-w", "-o", options, "-l", str(data / "server.log"), "start"], pgdata=data,
                    user=user, timeout=60)
    return LocalPostgres(folder, port, user)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
