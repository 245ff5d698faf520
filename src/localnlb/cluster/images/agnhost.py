"""An agnhost-like test image (``registry.k8s.io/e2e-test-images/agnhost``), as a local app.

Kubernetes' own e2e tests use agnhost to see where traffic lands; so do localnlb's. Subcommands:

- ``netexec --http-port=8080 --udp-port=8081 [--tcp-port=N]``: HTTP ``/`` (time), ``/hostname``
  (the pod name), ``/clientip`` (the peer ``ip:port`` as seen, which shows whether the client IP
  was preserved), ``/echo?msg=``, ``/healthz``, ``/readyz``, ``/header?key=``, ``/exit?code=``.
  UDP answers ``hostname``, ``clientip`` and ``echo <msg>`` as netexec does and echoes anything
  else back. ``--tcp-port`` (a localnlb addition) is a raw TCP echo server.
- ``serve-hostname [--port=9376] [--http] [--tcp] [--udp]``: the hostname, over HTTP, raw TCP
  (then close) or UDP.
- ``pause``: wait until terminated.
- the client side, to look from inside a pod (:mod:`.agnhost_client`): ``connect <host:port>``,
  ``dns-server-list``, ``dns-suffix``, ``etc-hosts`` as real agnhost has them, and ``resolve
  <name>`` (a localnlb addition).
- ``mounttest --file_content=<path>`` (and ``--file_mode``, ``--file_perm``,
  ``--file_content_in_loop``): what the container sees in its volumes (:mod:`.mounttest`).

Run: ``python -m localnlb.cluster.images.agnhost netexec --http-port=8080``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import cast

from aiohttp import web

from localnlb.cluster.images import agnhost_client, mounttest
from localnlb.cluster.images.serving import bind_host, log, serve_until_terminated

STOP_KEY = web.AppKey("stop", asyncio.Event)
EXIT_CODE_KEY = web.AppKey("exit_code", list)


def hostname() -> str:
    return os.environ.get("HOSTNAME") or socket.gethostname()


def peer_of(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return f"{peer[0]}:{peer[1]}" if peer else "unknown"


async def _now(request: web.Request) -> web.StreamResponse:
    return web.Response(text=f"NOW: {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}")


async def _hostname(request: web.Request) -> web.StreamResponse:
    return web.Response(text=hostname())


async def _clientip(request: web.Request) -> web.StreamResponse:
    return web.Response(text=peer_of(request))


async def _echo(request: web.Request) -> web.StreamResponse:
    return web.Response(text=request.query.get("msg", ""))


async def _ok(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok")


async def _header(request: web.Request) -> web.StreamResponse:
    return web.Response(text=request.headers.get(request.query.get("key", ""), ""))


async def _exit(request: web.Request) -> web.StreamResponse:
    code_text = request.query.get("code", "0")
    if not code_text.isdigit() or int(code_text) > 255:
        return web.Response(status=400, text=f"bad exit code: {code_text}")
    response = web.Response(text=f"exiting with code {code_text}")
    await response.prepare(request)
    await response.write_eof()
    request.app[EXIT_CODE_KEY].append(int(code_text))
    request.app[STOP_KEY].set()
    return response


def netexec_app(stop: asyncio.Event, exit_code: list[int]) -> web.Application:
    app = web.Application()
    app[STOP_KEY] = stop
    app[EXIT_CODE_KEY] = exit_code
    for path, handler in (
        ("/", _now),
        ("/hostname", _hostname),
        ("/clientip", _clientip),
        ("/echo", _echo),
        ("/healthz", _ok),
        ("/readyz", _ok),
        ("/header", _header),
        ("/exit", _exit),
    ):
        app.router.add_route("*", path, handler)
    return app


class UdpResponder(asyncio.DatagramProtocol):
    def __init__(self, answer: Callable[[bytes, tuple[str, int]], bytes]) -> None:
        self._answer = answer
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._transport is not None:
            self._transport.sendto(self._answer(data, addr), addr)


def netexec_udp_answer(data: bytes, addr: tuple[str, int]) -> bytes:
    text = data.decode(errors="replace").strip()
    if text == "hostname":
        return hostname().encode()
    if text == "clientip":
        return f"{addr[0]}:{addr[1]}".encode()
    if text.startswith("echo "):
        return text[len("echo ") :].encode()
    return data


async def _echo_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def _hostname_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(hostname().encode())
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    writer.close()


async def _extra_listeners(
    host: str,
    *,
    udp_port: int | None,
    tcp_port: int | None,
    udp_answer: Callable[[bytes, tuple[str, int]], bytes],
    tcp_handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
) -> Callable[[], None]:
    loop = asyncio.get_running_loop()
    closers: list[Callable[[], None]] = []
    if udp_port is not None and udp_port > 0:
        transport, _ = await loop.create_datagram_endpoint(
            lambda: UdpResponder(udp_answer), local_addr=(host, udp_port)
        )
        closers.append(transport.close)
        log(f"agnhost: udp on {host}:{udp_port}")
    if tcp_port is not None and tcp_port > 0:
        server = await asyncio.start_server(tcp_handler, host, tcp_port)  # type: ignore[arg-type]
        closers.append(server.close)
        log(f"agnhost: tcp on {host}:{tcp_port}")

    def close_all() -> None:
        for close in closers:
            close()

    return close_all


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agnhost")
    commands = parser.add_subparsers(dest="command", required=True)
    netexec = commands.add_parser("netexec")
    netexec.add_argument("--http-port", type=int, default=8080)
    netexec.add_argument("--udp-port", type=int, default=8081)
    netexec.add_argument("--tcp-port", type=int, default=-1)
    netexec.add_argument("--sctp-port", type=int, default=-1)  # accepted, not served
    serve = commands.add_parser("serve-hostname")
    serve.add_argument("--port", type=int, default=9376)
    serve.add_argument("--http", action=argparse.BooleanOptionalAction, default=True)
    serve.add_argument("--tcp", action="store_true")
    serve.add_argument("--udp", action="store_true")
    commands.add_parser("pause")
    mounttest.add_parser(commands)
    agnhost_client.add_parsers(commands)
    return parser


async def _pause() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log("agnhost: paused")
    await stop.wait()


async def _netexec(options: argparse.Namespace, started: float) -> int:
    host = bind_host()
    stop = asyncio.Event()
    exit_code: list[int] = []
    await serve_until_terminated(
        netexec_app(stop, exit_code),
        host=host,
        port=options.http_port,
        name="agnhost netexec",
        started=started,
        stop=stop,
        also=lambda: _extra_listeners(
            host,
            udp_port=options.udp_port,
            tcp_port=options.tcp_port,
            udp_answer=netexec_udp_answer,
            tcp_handler=_echo_stream,
        ),
    )
    return exit_code[0] if exit_code else 0


async def _serve_hostname(options: argparse.Namespace, started: float) -> int:
    host = bind_host()
    if options.tcp or options.udp:
        closer = await _extra_listeners(
            host,
            udp_port=options.port if options.udp else None,
            tcp_port=options.port if options.tcp else None,
            udp_answer=lambda data, addr: hostname().encode(),
            tcp_handler=_hostname_stream,
        )
        try:
            await _pause()
        finally:
            closer()
        return 0
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _hostname)
    await serve_until_terminated(
        app, host=host, port=options.port, name="agnhost serve-hostname", started=started
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    options = _parser().parse_args(argv)
    if options.command in agnhost_client.COMMANDS:
        return agnhost_client.run(options)
    if options.command == "netexec":
        return asyncio.run(_netexec(options, started))
    if options.command == "serve-hostname":
        return asyncio.run(_serve_hostname(options, started))
    if options.command == "mounttest":
        return mounttest.run(options)
    asyncio.run(_pause())
    return 0


if __name__ == "__main__":
    sys.exit(main())
