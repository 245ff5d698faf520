"""Every docs page with ``$`` commands in its ```bash blocks runs as a test, in page order.

This is the project's copy of the EKS Workshop's doc tests (see ``pages.py``, ``gather.py``,
``runner.py``): exit codes decide, output is never compared. A page gets a time budget from its
blocks' own timeouts and waits; a page that cannot be read fails, one under ``.notest`` is
reported skipped, none is left out silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docs.gather import PlannedPage, gather
from tests.docs.runner import GLOBAL_HOOK_TIMEOUT, DocSession, PageSkipped
from tests.docs.scopes import START_TIMEOUT, STOP_TIMEOUT

DOCS = Path(__file__).resolve().parents[2] / "docs"


def budget(planned: PlannedPage) -> int:
    """Seconds the page may take: its blocks, hooks and waits, plus starting/stopping localnlb."""
    total = START_TIMEOUT + STOP_TIMEOUT + 30
    for block in planned.page.blocks if planned.page is not None else ():
        total += block.timeout + block.wait
        if block.hook:
            total += 2 * (block.hook_timeout or GLOBAL_HOOK_TIMEOUT)
    return int(total)


def _params() -> list[Any]:
    pages = gather(DOCS) if DOCS.is_dir() else []
    return [pytest.param(p, id=p.id, marks=pytest.mark.timeout(budget(p))) for p in pages]


@pytest.fixture(scope="module")
def doc_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocSession]:
    session = DocSession(scratch=tmp_path_factory.mktemp("docs"))
    try:
        yield session
    finally:
        problems = session.close()
        if problems:
            pytest.fail("tearing down the docs pages failed:\n" + "\n".join(problems))


@pytest.mark.slow
@pytest.mark.parametrize("planned", _params())
def test_docs_page(planned: PlannedPage, doc_session: DocSession) -> None:
    try:
        doc_session.run(planned)
    except PageSkipped as skipped:
        pytest.skip(str(skipped))
