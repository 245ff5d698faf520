"""How commands come out of a page's ```bash blocks (pure; mirrors the workshop's gatherer)."""

from __future__ import annotations

import pytest

from tests.docs.pages import PageError, extract_commands, parse_page


def page(*blocks: str, front_matter: str = 'title: "T"') -> str:
    return f"---\n{front_matter}\n---\n\n" + "\n\n".join(blocks) + "\n"


def test_dollar_lines_are_commands_and_other_lines_are_output() -> None:
    body = ["$ kubectl get svc -n ui", "NAME   TYPE", "ui     ClusterIP", "$ echo done"]
    assert extract_commands(body) == "kubectl get svc -n ui\necho done"


def test_backslash_continues_a_command_onto_the_next_lines() -> None:
    body = ["$ curl --head \\", "  --retry 30 \\", "  http://x", "HTTP/1.1 200 OK"]
    assert extract_commands(body) == "curl --head \\\n  --retry 30 \\\n  http://x"


def test_an_empty_line_ends_the_block() -> None:
    assert extract_commands(["$ one", "", "$ two"]) == "one"


def test_heredoc_bodies_are_kept_verbatim_up_to_their_delimiter() -> None:
    body = ["$ cat <<EOF > a.yaml", "$ not a command", "EOF", "$ kubectl apply -f a.yaml"]
    assert extract_commands(body) == (
        "cat <<EOF > a.yaml\n$ not a command\nEOF\nkubectl apply -f a.yaml"
    )


@pytest.mark.parametrize("opening", ["<<'YAML'", '<<"YAML"', "<<-YAML", "<< YAML"])
def test_any_heredoc_delimiter_and_quoting(opening: str) -> None:
    body = [f"$ cat {opening}", "text", "  YAML", "$ next"]
    assert extract_commands(body).splitlines() == [f"cat {opening}", "text", "  YAML", "next"]


def test_block_options_as_the_workshop_reads_them() -> None:
    text = page(
        "```bash timeout=300 wait=30 hook=add-lb hookTimeout=430\n$ true\n```",
        "```bash expectError=true\n$ false\n```",
        "```bash test=false\n$ exit 1\n```",
        "```bash raw=true\nfor i in 1 2; do\n  echo $i\ndone\n```",
        "```yaml\n$ not bash\n```",
        "```bash\nno dollar lines: not a test\n```",
    )
    parsed = parse_page(text)
    first, second, raw = parsed.blocks
    assert (first.timeout, first.wait, first.hook, first.hook_timeout) == (300, 30, "add-lb", 430)
    assert not first.expect_error
    assert second.expect_error
    assert second.timeout == 120
    assert raw.command == "for i in 1 2; do\n  echo $i\ndone"
    assert parsed.skipped_blocks == 1
    assert first.line == 5


def test_unknown_options_warn_like_the_workshop() -> None:
    (block,) = parse_page(page("```bash retries=3\n$ true\n```")).blocks
    assert block.warnings == ("Warning: Unrecognized param retries in code block at line 5",)


def test_weight_then_sidebar_position_then_zero() -> None:
    assert parse_page(page(front_matter="weight: 7\nsidebar_position: 3")).weight == 7
    assert parse_page(page(front_matter="sidebar_position: 3")).weight == 3
    assert parse_page(page(front_matter="title: x")).weight == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# Title\n\n```bash\n$ true\n```\n", "No Frontmatter found"),
        ("---\ntitle: x\n", "no closing ---"),
        ("---\n- a list\n---\n", "not a mapping"),
        ("---\ntitle: [unclosed\n---\n", "not YAML"),
        (page("```bash timeout=soon\n$ true\n```"), "timeout='soon' is not a whole number"),
    ],
)
def test_pages_the_runner_refuses(text: str, message: str) -> None:
    with pytest.raises(PageError, match=message.replace("[", r"\[")):
        parse_page(text)
