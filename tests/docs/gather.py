"""Which docs pages run, and in which order: the workshop gatherer's rules, over a directory.

Every directory is a category. Its index page (``index.md``, ``_index.md``, ``index.en.md``) gives
the category its title, weight and front matter, and runs first (its own weight counts as 1).
Within a category the pages run first, then the child categories, each sorted by ascending weight
(``weight``, else ``sidebar_position``, else 0; equal weights by file name). A ``.notest`` file in
a directory keeps its pages from running: they are reported as skipped, never left out silently.
A page whose bash blocks hold no ``$`` command is not a test. A page with commands that cannot
be read (no front matter, as the workshop requires) is a failing test, not a missing one; pages
without commands (prose such as ``architecture.md``) need no front matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.docs.pages import INDEX_NAMES, Block, Page, PageError, parse_page

NOTEST = ".notest"
SUITE_HOOK = "tests/hook-suite.sh"


@dataclass(frozen=True, slots=True)
class Category:
    path: Path
    front_matter: Mapping[str, Any] = field(default_factory=dict)

    @property
    def suite_hook(self) -> Path | None:
        hook = self.path / SUITE_HOOK
        return hook if hook.exists() else None


@dataclass(frozen=True, slots=True)
class PlannedPage:
    path: Path
    root: Path
    categories: tuple[Category, ...]  # from the root down to the page's directory
    page: Page | None  # None when it could not be parsed: ``error`` says why
    error: str | None = None
    notest: bool = False

    @property
    def id(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def is_index(self) -> bool:
        return self.path.name in INDEX_NAMES


def gather(root: Path) -> list[PlannedPage]:
    """Pages of ``root`` (recursively) that are tests, in the order they run."""
    planned, _ = _category(root, root, parents=(), notest=False)
    return planned


def _category(
    directory: Path, root: Path, *, parents: tuple[Category, ...], notest: bool
) -> tuple[list[PlannedPage], int]:
    """(pages in run order, this category's weight)."""
    notest = notest or (directory / NOTEST).exists()
    parsed = {path: _parse(path, root) for path in sorted(directory.glob("*.md"))}
    index = next((p for p in parsed if p.name in INDEX_NAMES), None)
    index_page = parsed[index][0] if index is not None else None
    category = Category(directory, index_page.front_matter if index_page is not None else {})
    chain = (*parents, category)
    weight = index_page.weight if index_page is not None else 0
    pages: list[tuple[int, str, PlannedPage]] = []
    for path, (page, error) in parsed.items():
        if page is not None and not page.blocks:
            continue
        planned = PlannedPage(path, root, chain, page, error=error, notest=notest)
        page_weight = 1 if path == index else (page.weight if page is not None else 0)
        pages.append((page_weight, path.name, planned))
    ordered = [planned for _, _, planned in sorted(pages, key=lambda item: item[:2])]
    children: list[tuple[int, str, list[PlannedPage]]] = []
    for child in sorted(p for p in directory.iterdir() if p.is_dir() and p.name != "tests"):
        child_pages, child_weight = _category(child, root, parents=chain, notest=notest)
        if child_pages:
            children.append((child_weight, child.name, child_pages))
    for _, _, child_pages in sorted(children, key=lambda item: item[:2]):
        ordered.extend(child_pages)
    return ordered, weight


def _parse(path: Path, root: Path) -> tuple[Page | None, str | None]:
    text = path.read_text()
    try:
        return parse_page(text, name=str(path.relative_to(root))), None
    except PageError as exc:
        try:
            runnable = parse_page(f"---\n---\n{text}").blocks
        except PageError:
            runnable = (Block(command="?", line=0),)
        if not runnable:
            return _PROSE, None  # no commands: prose, front matter or not
        return None, str(exc)


_PROSE = Page(title="", weight=0, front_matter={}, blocks=())
