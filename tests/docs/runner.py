"""Run docs pages in order as the workshop's markdown.sh does: per block the before-hook, the
commands (with ``set -e``), the after-hook (with TEST_OUTPUT), then ``wait``; the first failure
ends the page. Scopes (see :mod:`tests.docs.scopes`) open and close as the pages move through
the category tree, so suite hooks and a page's localnlb run exactly around the pages that need
them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from localnlb.common import statedir
from tests.docs.gather import PlannedPage
from tests.docs.pages import Block, PageError
from tests.docs.scopes import Scope, close_scope, open_scope, requirement
from tests.docs.shell import ShellError, run_block, run_hook

GLOBAL_HOOK_TIMEOUT = 300


class PageSkipped(Exception):
    """The page is not run, for a reason the report shows (``.notest``)."""


@dataclass(slots=True)
class _Open:
    scope: Scope
    suite_hook: Path | None = None


@dataclass
class DocSession:
    scratch: Path
    hook_timeout: int = GLOBAL_HOOK_TIMEOUT
    base_env: dict[str, str] = field(default_factory=lambda: default_env())
    _stack: list[_Open] = field(default_factory=list)

    def run(self, planned: PlannedPage) -> None:
        """Run one page; raises on failure (AssertionError/PageError) or PageSkipped."""
        leaving = self._leave_to(planned)
        if leaving:
            raise AssertionError(
                "tearing down the previous category failed:\n" + "\n".join(leaving)
            )
        if planned.notest:
            raise PageSkipped(f"{planned.id}: its directory has a .notest file")
        if planned.page is None:
            raise PageError(planned.error or f"cannot read {planned.id}")
        self._enter(planned)
        page_scope = None
        if not planned.is_index and requirement(planned.page.front_matter) is not None:
            page_scope = open_scope(
                planned.path,
                parent=self._scope,
                base_env=self.base_env,
                scratch=self.scratch,
                wants=requirement(planned.page.front_matter),
            )
        scope = page_scope or self._scope
        try:
            for setup_failed in (s.scope.error for s in self._stack):
                if setup_failed:
                    raise AssertionError(f"setting up failed:\n{setup_failed}")
            if scope.error:
                raise AssertionError(f"setting up the page failed:\n{scope.error}")
            for block in planned.page.blocks:
                self._run_block(block, planned, scope)
        finally:
            if page_scope is not None:
                problems = close_scope(page_scope, scratch=self.scratch)
                if problems:
                    raise AssertionError("tearing down the page failed:\n" + "\n".join(problems))

    def close(self) -> list[str]:
        return self._leave_to(None)

    @property
    def _scope(self) -> Scope:
        return self._stack[-1].scope

    def _run_block(self, block: Block, planned: PlannedPage, scope: Scope) -> None:
        for warning in block.warnings:
            print(warning, file=sys.stderr)
        hook = planned.path.parent / "tests" / f"hook-{block.hook}.sh" if block.hook else None
        hook_timeout = block.hook_timeout or self.hook_timeout
        where = f"Error running test case command at line {block.line} of {planned.id}"
        if hook is not None:
            run_hook(
                hook,
                "before",
                timeout=hook_timeout,
                env=scope.env,
                cwd=scope.cwd,
                groups=scope.groups,
            )
        try:
            result = run_block(
                block.command,
                timeout=block.timeout,
                env=scope.env,
                cwd=scope.cwd,
                groups=scope.groups,
            )
        except ShellError as failure:
            if not block.expect_error:
                raise AssertionError(f"{where} - {failure}") from None
            output = failure.output
        except AssertionError as failure:  # ShellTimeout
            raise AssertionError(f"{where} - {failure}") from None
        else:
            output = result.output
            scope.env.update(result.exported)
        if hook is not None:
            run_hook(
                hook,
                "after",
                timeout=hook_timeout,
                env={**scope.env, "TEST_OUTPUT": output},
                cwd=scope.cwd,
                groups=scope.groups,
            )
        if block.wait > 0:
            time.sleep(block.wait)  # the page asks for it (wait=N), as in the workshop

    def _leave_to(self, planned: PlannedPage | None) -> list[str]:
        keep = {c.path for c in planned.categories} if planned is not None else set()
        problems: list[str] = []
        while self._stack and self._stack[-1].scope.key not in keep:
            closing = self._stack.pop()
            if closing.suite_hook is not None and closing.scope.error is None:
                try:
                    run_hook(
                        closing.suite_hook,
                        "after",
                        timeout=self.hook_timeout,
                        env=closing.scope.env,
                        cwd=closing.scope.cwd,
                        groups=closing.scope.groups,
                    )
                except AssertionError as failure:
                    problems.append(str(failure))
            problems += close_scope(closing.scope, scratch=self.scratch)
        return problems

    def _enter(self, planned: PlannedPage) -> None:
        open_keys = {o.scope.key for o in self._stack}
        for category in planned.categories:
            if category.path in open_keys:
                continue
            scope = open_scope(
                category.path,
                parent=self._stack[-1].scope if self._stack else None,
                base_env=self.base_env,
                scratch=self.scratch,
                wants=requirement(category.front_matter),
            )
            opened = _Open(scope, category.suite_hook)
            self._stack.append(opened)
            if category.suite_hook is not None and scope.error is None:
                try:
                    run_hook(
                        category.suite_hook,
                        "before",
                        timeout=self.hook_timeout,
                        env=scope.env,
                        cwd=scope.cwd,
                        groups=scope.groups,
                    )
                except AssertionError as failure:
                    scope.error = str(failure)
                    opened.suite_hook = None


def default_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The blocks' starting environment: ours, with this interpreter's bin dir (localnlb, aws)
    first on PATH and no state dir of a developer's own."""
    env = dict(os.environ if environ is None else environ)
    env.pop(statedir.STATE_DIR_VARIABLE, None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env
