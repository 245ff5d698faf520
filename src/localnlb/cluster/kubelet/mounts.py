"""Bind mounts into a container process's own mount namespace: the one place pods get mounts.

A container's mounts are a plain list of :class:`BindMount` (host source, path the process sees,
read-only or not) on its ``LaunchSpec``; pod volumes, a pod's resolv.conf and persistent volumes
all append to that list. As root, :class:`MountNamespace` runs in the forked child before exec:
it unshares the mount namespace, makes every mount private (nothing propagates to the host), and
binds each source at its target in order. A target that does not exist is created inside the
namespace only: the nearest existing ancestor is shadowed by a tmpfs holding a bind of each of
its original entries plus the new path (for ``/`` itself the tmpfs becomes the process's root),
so no directory or mount is ever left on the host. Without root nothing is mounted and the
process gets :data:`PATH_MAP_VARIABLE`, a JSON ``{target: source}`` map the built-in images read.

The child-side code calls only already-loaded functions and syscalls (no imports, no locks):
it runs between fork and exec of a threaded parent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from localnlb.cluster.images.mounttest import PATH_MAP_VARIABLE

_CLONE_NEWNS = 0x00020000
_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_REMOUNT = 0x20
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_unshare = _libc.unshare
_mount = _libc.mount
_mount.argtypes = (
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
)


@dataclass(frozen=True, slots=True)
class BindMount:
    source: str  # a path on the host: a directory or a file
    target: str  # the absolute path the container's process sees it at
    read_only: bool = False


def path_map(mounts: Sequence[BindMount]) -> dict[str, str]:
    """The fallback without a mount namespace: each target → the host path that stands for it."""
    return {mount.target: mount.source for mount in mounts}


def path_map_environment(mounts: Sequence[BindMount]) -> dict[str, str]:
    return {PATH_MAP_VARIABLE: json.dumps(path_map(mounts), sort_keys=True)} if mounts else {}


@functools.cache
def image_paths() -> tuple[str, ...]:
    """Where the built-in images' files live on the host: the interpreter's installation and the
    virtual environment (localnlb's own code included). In a container they are the image, which
    no volume hides; here a volume at, say, ``/tmp`` would hide them when localnlb is installed
    under ``/tmp``, so they are bound back over any mount that covers them."""
    import localnlb

    package_root = os.path.dirname(os.path.dirname(os.path.abspath(localnlb.__file__)))
    found = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, package_root)})
    # A path inside another kept path comes back with it.
    return tuple(p for p in found if not any(p.startswith(q.rstrip("/") + "/") for q in found))


@functools.cache
def can_mount() -> bool:
    """Whether this process may make mount namespaces: root with CAP_SYS_ADMIN (a root user in
    an unprivileged container may not). A forked child tries, once per process."""
    if os.geteuid() != 0:
        return False
    child = os.fork()
    if child == 0:  # only a syscall and _exit between fork and exit
        os._exit(0 if _unshare(_CLONE_NEWNS) == 0 else 1)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


class MountFailed(Exception):
    pass


_MNT_DETACH = 2
_umount2 = _libc.umount2
_umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)


def mount_memory(directory: str, size_bytes: int | None) -> None:
    """An emptyDir with ``medium: Memory``: a tmpfs on the volume's directory in the host's
    namespace (shared by the pod's containers, as the kubelet mounts it), unmounted with the
    pod by :func:`unmount_under`."""
    options = "mode=0777" + (f",size={size_bytes}" if size_bytes else "")
    _sys_mount("tmpfs", directory, "tmpfs", _MS_NOSUID | _MS_NODEV, options.encode())


def mounts_under(root: str) -> list[str]:
    """Mount points at or below ``root`` in this namespace, deepest first."""
    prefix = root.rstrip("/") + "/"
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        for line in table:
            point = line.split()[4]
            point = point.encode().decode("unicode_escape")  # \040 for a space, and so on
            if point == root or point.startswith(prefix):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def unmount_under(root: str) -> list[str]:
    """Detach every mount at or below ``root`` (a pod's memory volumes); return them."""
    detached = []
    for point in mounts_under(root):
        if _umount2(point.encode(), _MNT_DETACH) == 0:
            detached.append(point)
    return detached


class MountNamespace:
    """The ``preexec_fn`` that sets up one process's mounts; ``scratch`` is an empty directory
    of the kubelet's (never mounted over on the host) where a new root is built when ``/``
    itself must gain a path; ``working_dir`` is entered after mounting (it may be a mount)."""

    def __init__(
        self,
        mounts: Sequence[BindMount],
        *,
        scratch: str,
        working_dir: str,
        report_fd: int,
        keep: Sequence[str] = (),
    ) -> None:
        self._mounts = tuple(mounts)
        self._keep = tuple(keep)  # host paths that stay visible whatever covers them
        self._scratch = scratch
        self._working_dir = working_dir
        self._report_fd = report_fd  # why it failed goes here, for the parent to read
        self._ours: list[str] = []  # tmpfs trees made here: paths under them are free to create

    def __call__(self) -> None:
        try:
            self._enter()
        except BaseException as exc:
            os.write(self._report_fd, str(exc).encode(errors="replace"))
            raise
        os.close(self._report_fd)

    def _enter(self) -> None:
        _check(_unshare(_CLONE_NEWNS), "unshare the mount namespace")
        _sys_mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        # Sources and the working directory are held open before any mount (binds take them
        # from this namespace's copy): a mount of /tmp, say, may cover the state dir they live
        # in, and the kubelet's default working dir with it.
        sources = [_hold(mount.source) for mount in self._mounts]
        original_cwd = _hold(self._working_dir) if os.path.isdir(self._working_dir) else None
        covered = [
            (path, _hold(path))
            for path in self._keep
            if os.path.isdir(path) and any(_under(path, m.target) for m in self._mounts)
        ]
        for mount, source in zip(self._mounts, sources, strict=True):
            self._bind(mount, source)
        for path, kept in covered:  # the image's own files, back where the program looks
            try:
                os.makedirs(path, exist_ok=True)
                _sys_mount(f"/proc/self/fd/{kept}", path, None, _MS_BIND | _MS_REC)
            except (OSError, MountFailed):
                pass  # a read-only volume over them: the program then reports what it misses
            os.close(kept)
        try:
            os.chdir(self._working_dir)  # a path the mounts may have made
        except OSError:
            if original_cwd is None:
                raise MountFailed(
                    f'chdir to cwd ("{self._working_dir}") set in config.json failed: '
                    "no such file or directory"
                ) from None
            os.fchdir(original_cwd)
        for held in [*sources, original_cwd]:
            if held is not None:
                os.close(held)

    def _bind(self, mount: BindMount, source: int) -> None:
        held = f"/proc/self/fd/{source}"
        source_is_dir = stat.S_ISDIR(os.stat(held).st_mode)
        if not os.path.lexists(mount.target):
            self._create_mount_point(mount.target, directory=source_is_dir)
        flags = _MS_BIND | (_MS_REC if source_is_dir else 0)
        _sys_mount(held, mount.target, None, flags, what=mount)
        if mount.read_only:
            _sys_mount(None, mount.target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY, what=mount)

    def _create_mount_point(self, target: str, *, directory: bool) -> None:
        ancestor = os.path.dirname(target)
        while not os.path.isdir(ancestor):
            ancestor = os.path.dirname(ancestor)
        if not self._is_ours(ancestor):
            if ancestor == "/":
                self._new_root()
            else:
                _shadow(ancestor)
            self._ours.append(ancestor)
        parent = os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        if directory:
            os.mkdir(target)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))

    def _is_ours(self, path: str) -> bool:
        return any(path == own or path.startswith(own.rstrip("/") + "/") for own in self._ours)

    def _new_root(self) -> None:
        """A tmpfs root holding every entry of ``/``; the process is chrooted into it."""
        _sys_mount("tmpfs", self._scratch, "tmpfs", _MS_NOSUID | _MS_NODEV, b"mode=755")
        for entry in os.listdir("/"):
            _rebind(os.path.join("/", entry), os.path.join(self._scratch, entry))
        os.chroot(self._scratch)
        os.chdir("/")


def _under(path: str, ancestor: str) -> bool:
    return path.startswith(ancestor.rstrip("/") + "/")


def _hold(path: str) -> int:
    try:
        return os.open(path, os.O_PATH)
    except OSError:
        raise MountFailed(f'mount source "{path}": no such file or directory') from None


def _shadow(directory: str) -> None:
    """Cover ``directory`` with a tmpfs holding a bind of each of its original entries, so that
    new paths under it exist in this namespace only."""
    mode = stat.S_IMODE(os.stat(directory).st_mode)
    os.chdir(directory)  # the original, still reachable as "." once covered
    _sys_mount("tmpfs", directory, "tmpfs", _MS_NOSUID, f"mode={mode:o}".encode())
    for entry in os.listdir("."):
        _rebind(entry, os.path.join(directory, entry))
    os.chdir("/")


def _rebind(source: str, placeholder: str) -> None:
    status = os.lstat(source)
    if stat.S_ISLNK(status.st_mode):
        os.symlink(os.readlink(source), placeholder)
        return
    if stat.S_ISDIR(status.st_mode):
        os.mkdir(placeholder)
    else:
        os.close(os.open(placeholder, os.O_CREAT | os.O_WRONLY, 0o644))
    _sys_mount(source, placeholder, None, _MS_BIND | _MS_REC)


def _sys_mount(
    source: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: bytes | None = None,
    *,
    what: BindMount | None = None,
) -> None:
    result = _mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        flags,
        data,
    )
    if result != 0:
        errno = ctypes.get_errno()
        shown = f'"{what.source}" to rootfs at "{what.target}"' if what else f'"{target}"'
        raise MountFailed(f"error mounting {shown}: {os.strerror(errno)}")


def _check(result: int, doing: str) -> None:
    if result != 0:
        raise MountFailed(f"{doing}: {os.strerror(ctypes.get_errno())}")
