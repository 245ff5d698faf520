"""The kubeconfig kubectl and client libraries use for the embedded API server, and its token.

The token is made once per state dir (``DIR/apiserver-token``, mode 0600) so that restarts keep
existing kubeconfigs working; ``DIR/kubeconfig`` is rewritten atomically on every start.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import yaml

TOKEN_FILE = "apiserver-token"
KUBECONFIG_FILE = "kubeconfig"
CONTEXT = "localnlb"


def load_or_create_token(state_dir: Path) -> str:
    path = state_dir / TOKEN_FILE
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    state_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    return token


def render(server_url: str, token: str, ca_pem: bytes, *, namespace: str = "default") -> str:
    cluster = {
        "server": server_url,
        "certificate-authority-data": base64.b64encode(ca_pem).decode(),
    }
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": f"{CONTEXT}-admin", "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": f"{CONTEXT}-admin", "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write(state_dir: Path, server_url: str, token: str, ca_pem: bytes) -> Path:
    target = state_dir / KUBECONFIG_FILE
    temporary = target.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(render(server_url, token, ca_pem))
    temporary.replace(target)
    return target
