"""A ``mysql:8.0`` stand-in (``public.ecr.aws/docker/library/mysql``), as a local app.

The workshop's catalog keeps its data in a MySQL StatefulSet. This image speaks the MySQL wire
protocol (mysql-mimic) on port 3306 of the pod IP, so the mysql CLI, PyMySQL or a Go driver
connect as to the real server, and keeps each database as one SQLite file in the data directory,
``/var/lib/mysql`` as the real image's (the pod's volume), translating MySQL's SQL to SQLite's
with sqlglot. What the official image's entrypoint reads is honoured: ``MYSQL_ROOT_PASSWORD``
(or ``MYSQL_ALLOW_EMPTY_PASSWORD``), ``MYSQL_DATABASE``, ``MYSQL_USER`` and ``MYSQL_PASSWORD``.
An empty data directory is initialized on first start; a non-empty one is used as it is, so data
outlive the pod when its volume does. Not a database engine: no users' GRANTs beyond "the
configured users may do anything", SQLite's semantics where MySQL's differ.

Run: ``MYSQL_ROOT_PASSWORD=pw python -m localnlb.cluster.images.mysql``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from mysql_mimic import (
    IdentityProvider,
    MysqlServer,
    NativePasswordAuthPlugin,
    Session,
    User,
)
from mysql_mimic.errors import ErrorCode, MysqlError
from sqlglot import exp

from localnlb.cluster.images.mounttest import host_path
from localnlb.cluster.images.serving import bind_host, log, port_from_env

DATA_DIR = "/var/lib/mysql"
SERVER_VERSION = "8.0.40"
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_$]{1,64}$")
SYSTEM_DATABASES = frozenset({"information_schema", "mysql", "performance_schema", "sys"})


class SetupError(RuntimeError):
    """What the official entrypoint refuses too (no root password choice, a bad name)."""


def users_from(env: Mapping[str, str]) -> dict[str, str]:
    """user → password, as the official image's entrypoint creates them."""
    if env.get("MYSQL_ROOT_PASSWORD"):
        users = {"root": env["MYSQL_ROOT_PASSWORD"]}
    elif env.get("MYSQL_ALLOW_EMPTY_PASSWORD"):
        users = {"root": ""}
    else:
        raise SetupError(
            "Database is uninitialized and password option is not specified\n"
            "    You need to specify one of the following as an environment variable:\n"
            "    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n"
            "    - MYSQL_RANDOM_ROOT_PASSWORD"
        )
    if env.get("MYSQL_USER"):
        if env["MYSQL_USER"] == "root":
            raise SetupError(
                'MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a'
                " regular user and cannot be used for the root user"
            )
        users[env["MYSQL_USER"]] = env.get("MYSQL_PASSWORD", "")
    return users


class Databases:
    """The data directory: one SQLite file per database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        if not _DATABASE_NAME.match(name) or name.lower() in SYSTEM_DATABASES:
            raise KeyError(name)
        return self.directory / f"{name}.sqlite3"

    def names(self) -> list[str]:
        return sorted(p.name.removesuffix(".sqlite3") for p in self.directory.glob("*.sqlite3"))

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).exists()
        except KeyError:
            return False

    def create(self, name: str) -> None:
        sqlite3.connect(self.path(name)).close()

    def drop(self, name: str) -> None:
        self.path(name).unlink()

    def open(self, name: str) -> sqlite3.Connection:
        return sqlite3.connect(self.path(name), isolation_level=None)


class Users(IdentityProvider):
    def __init__(self, passwords: Mapping[str, str]) -> None:
        self._passwords = dict(passwords)

    def get_plugins(self) -> list[NativePasswordAuthPlugin]:
        return [NativePasswordAuthPlugin()]

    async def get_user(self, username: str) -> User | None:
        if username not in self._passwords:
            return None
        password = self._passwords[username]
        auth = NativePasswordAuthPlugin.create_auth_string(password) if password else None
        return User(name=username, auth_string=auth, auth_plugin=NativePasswordAuthPlugin.name)


class SqliteSession(Session):
    def __init__(self, databases: Databases) -> None:
        super().__init__()
        self._databases = databases
        self._open: tuple[str, sqlite3.Connection] | None = None

    async def use(self, database: str) -> None:
        if not self._databases.exists(database):
            raise _mysql_error(1049, f"Unknown database '{database}'")
        await super().use(database)

    def _sqlite(self) -> sqlite3.Connection:
        """The current database's file, opened on first use (a handshake may name the database
        without a USE)."""
        if self.database is None:
            raise _mysql_error(1046, "No database selected")
        if self._open is None or self._open[0] != self.database:
            if not self._databases.exists(self.database):
                raise _mysql_error(1049, f"Unknown database '{self.database}'")
            if self._open is not None:
                self._open[1].close()
            self._open = (self.database, self._databases.open(self.database))
        return self._open[1]

    async def close(self) -> None:
        if self._open is not None:
            self._open[1].close()
            self._open = None
        await super().close()

    async def query(self, expression: exp.Expression, sql: str, attrs: dict[str, str]) -> Any:
        kind = str(expression.args.get("kind") or "").upper()
        if isinstance(expression, exp.Create) and kind in ("DATABASE", "SCHEMA"):
            return self._create_database(expression)
        if isinstance(expression, exp.Drop) and kind in ("DATABASE", "SCHEMA"):
            name = expression.this.name
            if self._databases.exists(name):
                self._databases.drop(name)
            elif not expression.args.get("exists"):
                raise _mysql_error(1008, f"Can't drop database '{name}'; database doesn't exist")
            return [], []
        connection = self._sqlite()
        try:
            cursor = connection.execute(expression.sql(dialect="sqlite"))
        except sqlite3.Error as error:
            raise _mysql_error(1064, f"{error}") from None
        columns = [d[0] for d in cursor.description or ()]
        return cursor.fetchall(), columns

    def _create_database(self, expression: exp.Create) -> Any:
        name = expression.this.name
        if self._databases.exists(name):
            if not expression.args.get("exists"):
                raise _mysql_error(1007, f"Can't create database '{name}'; database exists")
            return [], []
        try:
            self._databases.create(name)
        except KeyError:
            raise _mysql_error(1102, f"Incorrect database name '{name}'") from None
        return [], []

    async def schema(self) -> dict[str, dict[str, dict[str, str]]]:
        found: dict[str, dict[str, dict[str, str]]] = {}
        for name in self._databases.names():
            tables: dict[str, dict[str, str]] = {}
            with self._databases.open(name) as connection:
                listed = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
                for (table,) in listed.fetchall():
                    info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
                    tables[table] = {row[1]: (row[2] or "TEXT") for row in info}
            found[name] = tables
        return found


def _mysql_error(code: int, message: str) -> MysqlError:
    # MySQL's own error numbers; mysql-mimic's enum names only a few, the wire takes any.
    return MysqlError(message, code=cast(ErrorCode, code))


def data_directory(env: Mapping[str, str]) -> Path:
    """``/var/lib/mysql`` as the pod sees it (its volume); never the host's own: without a
    volume there, a directory of this container's own in the temp dir stands in."""
    mapped = host_path(DATA_DIR, env)
    if mapped != DATA_DIR or os.path.ismount(DATA_DIR):
        return Path(mapped)
    name = env.get("HOSTNAME") or str(os.getpid())
    return Path(tempfile.gettempdir()) / f"localnlb-mysql-{name}"


def initialize(databases: Databases, env: Mapping[str, str]) -> None:
    """First start on an empty data directory: the entrypoint's MYSQL_DATABASE."""
    database = env.get("MYSQL_DATABASE")
    if database and not databases.exists(database):
        databases.create(database)
        log(f"[Entrypoint]: Creating database {database}")


async def serve(env: Mapping[str, str]) -> None:
    started = time.monotonic()
    users = users_from(env)
    directory = data_directory(env)
    directory.mkdir(parents=True, exist_ok=True)
    databases = Databases(directory)
    fresh = not databases.names()
    if fresh:
        log("[Entrypoint]: Initializing database files")
    initialize(databases, env)
    host, port = bind_host(env), port_from_env(3306, "MYSQL_TCP_PORT", env=env)
    server = MysqlServer(
        session_factory=lambda: SqliteSession(databases), identity_provider=Users(users)
    )
    await server.start_server(host=host, port=port)
    log(
        f"[Server] /usr/sbin/mysqld: ready for connections. Version: '{SERVER_VERSION}'"
        f"  socket: '/var/run/mysqld/mysqld.sock'  port: {port}  MySQL Community Server - GPL."
        f" (localnlb stand-in, data in {directory}, up in {time.monotonic() - started:.2f}s)"
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log("[Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld.")
    loop.set_exception_handler(_quiet_about_cancelled_sessions)
    server.close()
    await server.wait_closed()


def _quiet_about_cancelled_sessions(
    loop: asyncio.AbstractEventLoop, context: dict[str, Any]
) -> None:
    # Closing the server cancels each open session, and asyncio reports every cancelled
    # session's callback as an error: a shutdown says nothing about those.
    if not isinstance(context.get("exception"), asyncio.CancelledError):
        loop.default_exception_handler(context)


def main() -> int:
    try:
        asyncio.run(serve(os.environ))
    except SetupError as error:
        log(f"[ERROR] [Entrypoint]: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
