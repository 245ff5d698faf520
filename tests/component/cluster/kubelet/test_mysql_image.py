"""The built-in mysql:8.0 stand-in: a real MySQL client (PyMySQL) connects on the pod IP with the
entrypoint's users, and the data live in the data directory, so they outlive the process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from localnlb.cluster.images.mounttest import PATH_MAP_VARIABLE
from tests.helpers.octets import random_octet
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LOCALNLB_POD_IP": f"127.{random_octet()}.1.33",
        PATH_MAP_VARIABLE: json.dumps({"/var/lib/mysql": str(tmp_path / "data")}),
        "MYSQL_ROOT_PASSWORD": "my-secret-pw",
        "MYSQL_DATABASE": "catalog",
        "MYSQL_USER": "catalog",
        "MYSQL_PASSWORD": "dYmNfWV4uEvTzoFu",
        "HOSTNAME": "catalog-mysql-0",
    }


def start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "localnlb.cluster.images.mysql"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def mysqld(environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = start(environment)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


def listening(address: str) -> bool:
    try:
        socket.create_connection((address, 3306), timeout=1).close()
    except OSError:
        return False
    return True


def connect(
    env: dict[str, str], *, user: str = "catalog", password: str | None = None
) -> pymysql.Connection[pymysql.cursors.Cursor]:
    address = env["LOCALNLB_POD_IP"]
    wait_until(lambda: listening(address), timeout=20, what="mysqld to listen on 3306")
    return pymysql.connect(
        host=address,
        port=3306,
        user=user,
        password=env["MYSQL_PASSWORD"] if password is None else password,
        database="catalog",
        connect_timeout=5,
    )


def test_a_client_creates_writes_and_reads_and_the_data_outlive_the_process(
    environment: dict[str, str], mysqld: subprocess.Popen[str]
) -> None:
    with connect(environment) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE products (id VARCHAR(36) PRIMARY KEY, price INT)")
        cursor.execute("INSERT INTO products VALUES ('a1', 10), ('b2', 25)")
        cursor.execute("SELECT id, price FROM products WHERE price > %s ORDER BY id", (5,))
        assert cursor.fetchall() == (("a1", 10), ("b2", 25))
    mysqld.send_signal(signal.SIGTERM)
    out, _ = mysqld.communicate(timeout=10)
    assert "ready for connections" in out
    assert "[Entrypoint]: Creating database catalog" in out
    again = start(environment)
    try:
        with connect(environment) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM products")
            assert cursor.fetchone() == (2,)
    finally:
        again.send_signal(signal.SIGTERM)
        assert "Creating database" not in again.communicate(timeout=10)[0]


def test_a_wrong_password_is_access_denied(
    environment: dict[str, str], mysqld: subprocess.Popen[str]
) -> None:
    connect(environment).close()  # up
    with pytest.raises(pymysql.err.OperationalError) as denied:
        connect(environment, password="wrong")
    assert denied.value.args[0] == 1045
    with (
        connect(environment, user="root", password="my-secret-pw") as root,
        root.cursor() as cursor,
    ):
        cursor.execute("SELECT DATABASE()")
        assert cursor.fetchone() == ("catalog",)


def test_without_a_root_password_choice_the_entrypoint_refuses(
    environment: dict[str, str],
) -> None:
    del environment["MYSQL_ROOT_PASSWORD"]
    refused = subprocess.run(
        [sys.executable, "-m", "localnlb.cluster.images.mysql"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode == 1
    assert "password option is not specified" in refused.stdout
