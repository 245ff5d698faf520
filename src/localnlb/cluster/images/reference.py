"""Image references, normalized the way container runtimes do.

``busybox`` and ``docker.io/library/busybox:latest`` are the same image to containerd; the image
registry matches on the normalized repository so that either spelling (and any tag or digest)
finds the same built-in app. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DOMAIN = "docker.io"
OFFICIAL_NAMESPACE = "library"
DEFAULT_TAG = "latest"


@dataclass(frozen=True, slots=True)
class ImageReference:
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        """``domain/path`` without tag or digest: what the registry matches on."""
        return f"{self.domain}/{self.path}"

    @property
    def normalized(self) -> str:
        """The fully qualified form containerd reports (``docker.io/library/busybox:latest``)."""
        if self.digest is not None:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag or DEFAULT_TAG}"


class InvalidImageReference(ValueError):
    """The kubelet reports this as ``InvalidImageName`` (no pull is ever tried)."""


def parse_image_reference(image: str) -> ImageReference:
    def invalid(detail: str = "") -> InvalidImageReference:
        return InvalidImageReference(
            f'couldn\'t parse image name "{image}": invalid reference format{detail}'
        )

    if not image or any(c.isspace() for c in image):
        raise invalid()
    remainder, _, digest = image.partition("@")
    tag: str | None = None
    colon = remainder.rfind(":")
    if colon > remainder.rfind("/"):
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
        if not tag:
            raise invalid()
    first, sep, rest = remainder.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, remainder
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = f"{OFFICIAL_NAMESPACE}/{path}"
    if not path or path.startswith("/") or path.endswith("/") or "//" in path:
        raise invalid()
    if path != path.lower():
        raise invalid(f": repository name ({path}) must be lowercase")
    if image.count("@") > 1 or (digest and not digest.startswith("sha256:")):
        raise invalid()
    return ImageReference(domain=domain, path=path, tag=tag, digest=digest or None)
