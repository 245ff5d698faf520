"""Running the real tools (kubectl, curl, aws) from async tests without blocking the loop.

A test that serves an API in its own event loop must not call ``subprocess.run``: the server
could not answer. These helpers run the command as an asyncio subprocess instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

# kubectl arguments that wait for the workshop's ui pods to be Ready.
WAIT_UI_READY = (
    "wait", "--for=condition=Ready", "pod", "-n", "ui",
    "-l", "app.kubernetes.io/name=ui", "--timeout=30s",
)  # fmt: skip


async def run_command(
    *argv: str,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    check: bool = True,
    inherit: bool = True,
) -> str:
    """Run ``argv`` with ``env`` (added to this process's environment unless ``inherit`` is
    False); return its stdout."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        env={**(os.environ if inherit else {}), **(env or {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin.encode())
    if check:
        assert process.returncode == 0, f"{' '.join(argv)} failed: {err.decode()}"
    return out.decode()


async def kubectl_with(kubeconfig: Path, *args: str, stdin: str = "") -> str:
    return await run_command("kubectl", *args, env={"KUBECONFIG": str(kubeconfig)}, stdin=stdin)


async def kubectl_fails_with(kubeconfig: Path, *args: str, stdin: str = "") -> str:
    """A kubectl command that must fail; its error output."""
    process = await asyncio.create_subprocess_exec(
        "kubectl",
        *args,
        env={**os.environ, "KUBECONFIG": str(kubeconfig)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate(stdin.encode())
    assert process.returncode != 0, f"kubectl {' '.join(args)} should have failed"
    return err.decode()
