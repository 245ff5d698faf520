"""A line client for NameBackend through an LB node."""

from __future__ import annotations

import asyncio
import contextlib
from typing import ClassVar


class LineClient:
    opened: ClassVar[list[LineClient]] = []  # closed by the autouse fixture after each test

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        LineClient.opened.append(self)

    @classmethod
    async def connect(cls, address: str, port: int, *, source: str | None = None) -> LineClient:
        reader, writer = await asyncio.open_connection(
            address, port, local_addr=(source, 0) if source else None
        )
        return cls(reader, writer)

    async def ask(self, line: str = "who") -> str:
        self.writer.write(f"{line}\n".encode())
        answer = await asyncio.wait_for(self.reader.readline(), 5)
        if not answer:
            raise ConnectionResetError("closed without an answer")
        return answer.decode().rstrip("\n")

    async def name(self) -> str:
        return (await self.ask()).split()[0]

    async def state(self) -> str:
        """ "open" (answers), "reset" (the LB sent an RST) or "eof" (closed cleanly)."""
        try:
            self.writer.write(b"x\n")
            data = await asyncio.wait_for(self.reader.readline(), 5)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        return "open" if data else "eof"

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.writer.close()

    @classmethod
    async def close_all(cls) -> None:
        for client in cls.opened:
            client.close()
            with contextlib.suppress(OSError, RuntimeError):
                await client.writer.wait_closed()
        cls.opened.clear()
