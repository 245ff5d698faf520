"""Docs pages as tests, the way the EKS Workshop's "markdown.sh" reads them (pure, no I/O).

A page must open with YAML front matter. Its fenced ```bash blocks are tests; the meta string of
a fence (```bash timeout=300 hook=add-lb) is split on spaces into key=value options. Unless
``raw=true``, commands are the lines starting with ``$ `` (stripped), plus the lines that follow
while the previous one ends with ``\\`` or while inside a heredoc; other lines are the command's
output and are ignored, and an empty line ends the block's extraction.

One refinement over the workshop: a heredoc may use any delimiter (``<<'YAML'``, ``<<-EOF``) and
ends at the line that is exactly its delimiter, as in bash; the workshop only knows ``EOF`` and
ends at any line that contains it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

DEFAULT_TIMEOUT = 120
KNOWN_OPTIONS = frozenset({"timeout", "wait", "hook", "hookTimeout", "expectError", "test", "raw"})
INDEX_NAMES = frozenset({"_index.md", "index.en.md", "index.md"})

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)\1")


class PageError(ValueError):
    """The page cannot be a test as written (the workshop refuses it too)."""


@dataclass(frozen=True, slots=True)
class Block:
    command: str
    line: int  # 1-based line of the opening fence
    timeout: int = DEFAULT_TIMEOUT
    wait: int = 0
    hook: str | None = None
    hook_timeout: int = 0  # 0: the runner's global hook timeout
    expect_error: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    weight: int
    front_matter: Mapping[str, Any]
    blocks: tuple[Block, ...]
    skipped_blocks: int = 0  # test=false


def parse_page(text: str, *, name: str = "page") -> Page:
    front_matter, body_start = split_front_matter(text, name=name)
    blocks: list[Block] = []
    skipped = 0
    lines = text.splitlines()
    index = body_start
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening["fence"]
        body_end = index + 1
        while body_end < len(lines) and not lines[body_end].strip().startswith(fence):
            body_end += 1
        info = opening["info"].strip().split()
        if info and info[0] == "bash":
            block = parse_block(info[1:], lines[index + 1 : body_end], line=index + 1)
            if block is None:
                skipped += 1
            elif block.command:
                blocks.append(block)
        index = body_end + 1
    weight = front_matter.get("weight", front_matter.get("sidebar_position", 0))
    return Page(
        title=str(front_matter.get("title", name)),
        weight=_as_int(weight, "weight", name),
        front_matter=front_matter,
        blocks=tuple(blocks),
        skipped_blocks=skipped,
    )


def split_front_matter(text: str, *, name: str) -> tuple[dict[str, Any], int]:
    """The YAML front matter and the index of the first body line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise PageError(f"No Frontmatter found in {name}")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                data = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                raise PageError(f"Front matter of {name} is not YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise PageError(f"Front matter of {name} is not a mapping")
            return data, end + 1
    raise PageError(f"No Frontmatter found in {name} (no closing ---)")


def parse_block(options: list[str], body: list[str], *, line: int) -> Block | None:
    """One ```bash block; None when it says test=false."""
    values: dict[str, str] = {}
    warnings: list[str] = []
    for option in options:
        key, _, value = option.partition("=")
        if key not in KNOWN_OPTIONS:
            warnings.append(f"Warning: Unrecognized param {key} in code block at line {line}")
            continue
        values[key] = value
    if values.get("test") == "false":
        return None
    raw = values.get("raw") == "true"
    command = "\n".join(body) if raw else extract_commands(body)
    return Block(
        command=command,
        line=line,
        timeout=_as_int(values.get("timeout", DEFAULT_TIMEOUT), "timeout", f"line {line}"),
        wait=_as_int(values.get("wait", 0), "wait", f"line {line}"),
        hook=values.get("hook") or None,
        hook_timeout=_as_int(values.get("hookTimeout", 0), "hookTimeout", f"line {line}"),
        expect_error=values.get("expectError") == "true",
        warnings=tuple(warnings),
    )


def extract_commands(body: list[str]) -> str:
    commands: list[str] = []
    continuing = False
    heredoc: str | None = None
    for text in body:
        if not text:
            break  # as in the workshop: an empty line ends the block's commands
        if heredoc is not None:
            commands.append(text)
            if text.strip() == heredoc:
                heredoc = None
            continue
        if continuing:
            commands.append(text)
        elif text.startswith("$"):
            text = text[2:]
            commands.append(text)
        else:
            continue  # output shown on the page
        continuing = text.endswith("\\")
        opened = _HEREDOC.search(text)
        if opened is not None:
            heredoc = opened["word"]
    return "\n".join(commands)


def _as_int(value: object, what: str, where: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise PageError(f"{what}={value!r} is not a whole number ({where})") from None
