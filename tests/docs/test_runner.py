"""The doc runner over the sample pages in ``samples/``: order, options, hooks, env, localnlb."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from localnlb.common.supervisor import RunDir, is_supervisor_running
from tests.docs.gather import gather
from tests.docs.runner import DocSession, PageSkipped, default_env

SAMPLES = Path(__file__).with_name("samples")


@dataclass(frozen=True)
class Outcome:
    result: str  # passed | failed | skipped
    message: str = ""


@dataclass
class Run:
    outcomes: dict[str, Outcome]
    record: Path
    close_problems: list[str]

    @property
    def lines(self) -> list[str]:
        return self.record.read_text().splitlines() if self.record.exists() else []


RunSamples = Callable[[str], Run]


@pytest.fixture
def run_samples(tmp_path: Path) -> Iterator[RunSamples]:
    sessions: list[DocSession] = []

    def run(subtree: str) -> Run:
        record = tmp_path / "record.txt"
        session = DocSession(
            scratch=tmp_path / "scratch",
            base_env={**default_env(), "SAMPLE_RECORD": str(record)},
            hook_timeout=30,
        )
        session.scratch.mkdir(exist_ok=True)
        sessions.append(session)
        outcomes: dict[str, Outcome] = {}
        for planned in gather(SAMPLES / subtree):
            try:
                session.run(planned)
            except PageSkipped as skipped:
                outcomes[planned.id] = Outcome("skipped", str(skipped))
            except (AssertionError, ValueError) as failure:
                outcomes[planned.id] = Outcome("failed", str(failure))
            else:
                outcomes[planned.id] = Outcome("passed")
        problems = session.close()
        return Run(outcomes, record, problems)

    try:
        yield run
    finally:
        for session in sessions:
            session.close()


def test_basics_run_in_weight_order_with_the_workshops_block_rules(
    run_samples: RunSamples,
) -> None:
    run = run_samples("basics")
    assert list(run.outcomes) == [
        "expect-error.md",
        "multiline.md",
        "heredoc.md",
        "env.md",
        "env-next-page.md",
        "raw.md",
        "test-false.md",
    ]
    assert {o.result for o in run.outcomes.values()} == {"passed"}, run.outcomes
    assert run.lines == [
        "still here",
        "one|two",
        "1",
        "quoted $HOME stays literal",
        "env ok",
        "next page sees hello",
        "raw",
        "block",
        "test=false skipped",
    ]


def test_pages_and_categories_are_ordered_by_weight_as_the_workshop_does(
    run_samples: RunSamples,
) -> None:
    run = run_samples("ordering")
    # z.md has weight 0, so it runs before the index page (whose own weight counts as 1);
    # prose pages (no $ commands), with or without front matter, are not tests.
    assert list(run.outcomes) == [
        "z.md",
        "index.md",
        "a.md",
        "b.md",
        "deeper/index.md",
        "deeper/page.md",
        "alpha/index.md",
        "alpha/page.md",
    ]
    assert run.lines == ["Z", "Ordering", "A", "B", "Deeper", "Deeper page", "Alpha", "Alpha page"]


def test_exported_variables_do_not_leak_into_another_category(run_samples: RunSamples) -> None:
    run_samples("basics")
    run = run_samples("isolation")
    assert run.outcomes["page.md"].result == "passed"
    assert run.lines[-1] == "isolation sees ''"


def test_hooks_run_around_their_block_and_the_suite(run_samples: RunSamples) -> None:
    run = run_samples("hooks")
    assert run.outcomes == {"introduction.md": Outcome("passed")}
    assert run.close_problems == []
    assert run.lines == [
        "suite before",
        "check before",
        "check after: hello from the block",
        "",  # TEST_OUTPUT is the block's stdout, trailing newline included
        "suite after",
    ]


def test_failures_end_the_page_and_say_where(run_samples: RunSamples) -> None:
    run = run_samples("failing")
    outcomes = run.outcomes
    assert {page: o.result for page, o in outcomes.items()} == {
        "bad-option.md": "failed",
        "fails.md": "failed",
        "hook-fails.md": "failed",
        "no-front-matter.md": "failed",
        "timeout.md": "failed",
    }
    assert "timeout='soon' is not a whole number" in outcomes["bad-option.md"].message
    assert "No Frontmatter found in no-front-matter.md" in outcomes["no-front-matter.md"].message
    fails = outcomes["fails.md"].message
    assert fails.startswith("Error running test case command at line 9 of fails.md")
    assert "Script exit with an error code" in fails
    assert "Script failed to complete within 1 seconds" in outcomes["timeout.md"].message
    hook = outcomes["hook-fails.md"].message
    assert "Error running 'after' hook at" in hook
    assert "hook says no" in hook
    # The failing block stopped at its first failing command, and later blocks never ran.
    assert run.lines == ["first block ran"]
    assert _processes_running("sleep 31415") == []


def test_a_notest_directory_is_reported_as_skipped(run_samples: RunSamples) -> None:
    run = run_samples("notest")
    assert run.outcomes == {
        "page.md": Outcome("skipped", "page.md: its directory has a .notest file")
    }


def test_background_jobs_of_a_category_end_with_it(run_samples: RunSamples) -> None:
    run = run_samples("background")
    assert run.outcomes == {"page.md": Outcome("passed")}
    assert run.close_problems == []
    assert _processes_running("sleep 31416") == []


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_pages_that_ask_for_localnlb_get_a_started_one_and_it_is_stopped_after(
    run_samples: RunSamples,
) -> None:
    run = run_samples("localnlb")
    assert run.outcomes == {
        "index.md": Outcome("passed"),
        "second.md": Outcome("passed"),
        "own/own.md": Outcome("passed"),
    }, run.outcomes
    assert run.close_problems == []
    index, second, own = (line.split(" ", 1) for line in run.lines)
    assert (index[0], second[0], own[0]) == ("index", "second", "own")
    assert index[1] == second[1]  # one instance for the category
    assert own[1] != index[1]  # a page that asks for its own gets its own
    for state_dir in (index[1], own[1]):
        assert (Path(state_dir) / "run").is_dir()
        assert not is_supervisor_running(RunDir(Path(state_dir)))


def _processes_running(cmdline: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if text == cmdline and state != "Z":
            found.append(int(entry.name))
    return found
