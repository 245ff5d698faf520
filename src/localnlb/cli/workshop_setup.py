"""What ``localnlb up`` prepares, as the workshop's ``prepare-environment`` does: the base
application's ``ui`` component deployed with one replica, and ``INBOUND_CIDRS`` in ``DIR/env``
so that the workshop's ``kubectl kustomize … | envsubst | kubectl apply -f -`` step works.

The manifests are the EKS Workshop's own (``eks-workshop/manifests/base-application/ui``),
applied in place with ``kubectl apply -k`` — never a copy — from ``$LOCALNLB_WORKSHOP_DIR``, else
the ``shared/fixtures/eks-workshop`` folder beside this checkout. A cluster that already has the
``ui`` Deployment is left as it is, so a second ``up`` never undoes a scale. The folder found
is exported as ``LOCALNLB_WORKSHOP_DIR`` so that the tutorial's commands can name the modules.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import localnlb
from localnlb.common import statedir

WORKSHOP_DIR_VARIABLE = "LOCALNLB_WORKSHOP_DIR"
# Every client on this machine: the load balancers only ever see loopback sources.
INBOUND_CIDRS = "127.0.0.0/8"
UI_KUSTOMIZATION = Path("manifests/base-application/ui")


def find_workshop_dir() -> Path | None:
    candidates = []
    if os.environ.get(WORKSHOP_DIR_VARIABLE):
        candidates.append(Path(os.environ[WORKSHOP_DIR_VARIABLE]))
    checkout = Path(localnlb.__file__).resolve().parents[2]
    candidates += [
        checkout.parent / "shared/fixtures/eks-workshop",
        Path.cwd().parent / "shared/fixtures/eks-workshop",
    ]
    for candidate in candidates:
        if (candidate / UI_KUSTOMIZATION / "kustomization.yaml").is_file():
            return candidate
    return None


def _kubectl(state_dir: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **statedir.read_env(state_dir)}
    return subprocess.run(
        ["kubectl", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def prepare_workshop(state_dir: Path, *, timeout: float = 90.0) -> str:
    """Set the workshop up; returns a line saying what was done (or why not)."""
    workshop = find_workshop_dir()
    variables = {"INBOUND_CIDRS": INBOUND_CIDRS}
    if workshop is not None:
        variables[WORKSHOP_DIR_VARIABLE] = str(workshop)
    statedir.update_env(state_dir, variables)
    present = _kubectl(state_dir, "get", "deployment", "ui", "-n", "ui", timeout=30)
    if present.returncode == 0:
        return "the workshop's ui application is already deployed"
    if workshop is None:
        return (
            "the EKS Workshop manifests were not found (set LOCALNLB_WORKSHOP_DIR to the folder"
            " holding manifests/base-application/ui); no sample application deployed"
        )
    applied = _kubectl(state_dir, "apply", "-k", str(workshop / UI_KUSTOMIZATION), timeout=60)
    if applied.returncode != 0:
        return f"kubectl apply -k of the ui application failed: {applied.stderr.strip()}"
    waited = _kubectl(
        state_dir,
        "wait",
        "--for=condition=available",
        "deployment/ui",
        "-n",
        "ui",
        f"--timeout={int(timeout)}s",
        timeout=timeout + 10,
    )
    if waited.returncode != 0:
        return f"the ui application did not become available: {waited.stderr.strip()}"
    return "deployed the workshop's ui application (namespace ui, 1 replica)"
