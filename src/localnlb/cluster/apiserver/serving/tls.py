"""The API server's TLS: a per-state-dir CA and a serving certificate for loopback.

Kubernetes clients send bearer tokens only over TLS, so the embedded server speaks HTTPS like a
real one. The CA is made once (``DIR/pki/ca.crt``) and embedded in the kubeconfig; the serving
certificate names 127.0.0.1, localhost and the bound host, and is re-issued when the host changes.
The certificates themselves are built by :mod:`localnlb.common.certs`.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localnlb.common import certs

PKI_DIR = "pki"


def _ensure_ca(pki: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = pki / "ca.crt", pki / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return cert, key
    key = certs.new_key()
    cert = certs.build_ca("localnlb-ca", key)
    certs.write_private(key_path, certs.key_pem(key))
    cert_path.write_bytes(certs.cert_pem(cert))
    return cert, key


def ensure_serving_certificate(state_dir: Path, host: str) -> tuple[Path, Path, Path]:
    """(CA cert, serving cert, serving key) paths, creating what is missing."""
    pki = state_dir / PKI_DIR
    pki.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_cert, ca_key = _ensure_ca(pki)
    cert_path, key_path = pki / "apiserver.crt", pki / "apiserver.key"
    addresses = {"127.0.0.1", host}
    if cert_path.exists() and key_path.exists():
        existing = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = existing.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if addresses <= {str(a) for a in names.get_values_for_type(x509.IPAddress)}:
            return pki / "ca.crt", cert_path, key_path
    key = certs.new_key()
    cert = certs.build_server_cert(
        common_name="kube-apiserver",
        key=key,
        ca_cert=ca_cert,
        ca_key=ca_key,
        dns_names=("localhost", "kubernetes", "kubernetes.default.svc"),
        ip_addresses=tuple(addresses),
    )
    certs.write_private(key_path, certs.key_pem(key))
    cert_path.write_bytes(certs.cert_pem(cert))
    return pki / "ca.crt", cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_context(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))
