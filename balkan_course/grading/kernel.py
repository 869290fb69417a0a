"""Start one grading kernel: an ordinary ipykernel behind limits a student's code cannot lift.

    python -m balkan_course.grading.kernel --memory-mb 2000 [--uid N] [--preload] -f CONNECTION

- memory: RLIMIT_DATA (heap and private memory), not RLIMIT_AS: the V8 engine inside vl-convert
  reserves tens of GB of address space for charts and crashes under an address-space limit;
- files written by the kernel are capped (RLIMIT_FSIZE), and core dumps are off;
- with --uid (the grader runs as root, e.g. in a container), the kernel drops to that numeric
  user, a different one for each submission: it can then neither read the instructor's files
  nor touch another submission's files or processes, and RLIMIT_NPROC stops a fork bomb;
- with --preload, the course's usual imports and the first chart's start-up costs are paid
  before the kernel reports ready, so a kernel started ahead of time (see
  runner.KernelPool) saves each notebook ~4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys

# Started as a script (see runner.KernelPool): the grader's own folder must not be the first
# place a student's `import checks` or `import answers` looks.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

# jsonschema (under nbformat and Altair) builds an RFC 3987 grammar on import (~0.9 s) when
# rfc3987-syntax is installed; it is only used to check "iri" formats, which grading never needs.
sys.modules.setdefault("rfc3987_syntax", None)

PRELOAD = ("pandas", "altair", "ipywidgets", "balkan_course.grading.checks", "balkan_course.charts",
           "balkan_course.data")


def warm_up_charts() -> None:
    """Pay the first chart's costs now: the start of vl-convert's JavaScript engine. A grading
    kernel shows charts as text (charts.TEXT_ONLY_ENV), so it needs neither that nor the chart
    widget's JavaScript: its outputs are thrown away."""
    if os.environ.get("BALKAN_COURSE_CHARTS_AS_TEXT"):  # charts.TEXT_ONLY_ENV: never drawn
        return
    import vl_convert

    vl_convert.vegalite_to_png({"mark": "point", "data": {"values": [{"a": 1}]},
                                "encoding": {"x": {"field": "a", "type": "quantitative"}}})


def set_limits(memory_mb: int, file_mb: int) -> None:
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * 2**20, file_mb * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_privileges(uid: int, connection_file: str, home: str) -> None:
    """Become an unprivileged user of our own (root only); keep the connection file readable."""
    os.makedirs(home, mode=0o700, exist_ok=True)
    os.chown(home, uid, uid)
    os.chown(connection_file, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
    os.environ.update(HOME=home, IPYTHONDIR=os.path.join(home, ".ipython"), USER=str(uid))


# ---------------------------------------------------------------- the sandbox
# (Linux mount API, called through libc: Python has no wrappers. The numbers of the syscalls
# added since Linux 5.2 are the same on every architecture; pivot_root's are not.)
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC = 2, 4, 8, 4096, 16384
_MNT_DETACH = 2
_AT_FDCWD, _AT_EMPTY_PATH, _AT_RECURSIVE = -100, 0x1000, 0x8000
_OPEN_TREE_CLONE, _MOVE_MOUNT_F_EMPTY_PATH = 1, 4
_MOUNT_ATTR_RDONLY, _MOUNT_ATTR_NOSUID, _MOUNT_ATTR_NODEV = 1, 2, 4
_SYS_OPEN_TREE, _SYS_MOVE_MOUNT, _SYS_MOUNT_SETATTR = 428, 429, 442
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

# What a sandboxed kernel sees of the machine (besides Python, its packages and the course's
# package and data): read-only. Nothing else of the host exists inside: no /home, /root, /run,
# /var, no socket, no other student's folder.
SYSTEM_PATHS = ("/usr", "/etc", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
# Of the course itself, only what a notebook's set-up code needs: solutions/, tests/ (the
# answer corpus), build/ (other versions' keys), releases/, submissions and results are not
# there at all.
COURSE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COURSE_PATHS = ("balkan_course", "data")
DEVICES = ("null", "zero", "full", "random", "urandom")
TMP_MB_MAX = 512   # the private /tmp: also counted in the kernel's memory (runner.py)
SHM_MB = 16


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    import ctypes

    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"sandbox: {what}: {os.strerror(error)}")
    return result


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           options: str | None = None) -> None:
    _check(_libc().mount(source.encode() if source else None, target.encode(),
                         fstype.encode() if fstype else None, flags,
                         options.encode() if options else None), f"mount {target}")


def _mount_tmpfs(path: str, options: str) -> None:
    _mount("tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, options)


def _clone_tree(path: str) -> int:
    """A detached copy of the mounts at `path` (and below), to be attached elsewhere later:
    it stays reachable after /tmp is covered, so a course cloned under /tmp is still bound."""
    libc = _libc()
    return _check(libc.syscall(_SYS_OPEN_TREE, _AT_FDCWD, path.encode(),
                               _OPEN_TREE_CLONE | _AT_RECURSIVE | os.O_CLOEXEC),
                  f"open_tree {path}")


def _attach_tree(fd: int, target: str) -> None:
    _check(_libc().syscall(_SYS_MOVE_MOUNT, fd, b"", _AT_FDCWD, target.encode(),
                           _MOVE_MOUNT_F_EMPTY_PATH), f"move_mount {target}")
    os.close(fd)


def _make_read_only(path: str, recursive: bool = True) -> None:
    import ctypes
    import struct

    attributes = ctypes.create_string_buffer(struct.pack(
        "QQQQ", _MOUNT_ATTR_RDONLY | _MOUNT_ATTR_NOSUID | _MOUNT_ATTR_NODEV, 0, 0, 0))
    _check(_libc().syscall(_SYS_MOUNT_SETATTR, _AT_FDCWD, path.encode(),
                           _AT_RECURSIVE if recursive else 0, attributes, 32),
           f"mount_setattr {path}")


def _pivot_root(new_root: str, put_old: str) -> None:
    import platform

    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(f"sandbox: pivot_root's number on {platform.machine()} is not known")
    _check(_libc().syscall(number, new_root.encode(), put_old.encode()), "pivot_root")


def _drop_capabilities() -> None:
    """No capability left (so the mounts below cannot be undone) and none to be gained."""
    import ctypes
    import struct

    libc = _libc()
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    for capability in range(64):
        libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP (fails quietly past the last)
    header = ctypes.create_string_buffer(struct.pack("Ii", 0x20080522, 0))
    data = ctypes.create_string_buffer(bytes(24))  # effective, permitted, inheritable: none
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def outermost(paths) -> list[str]:
    """The existing folders among `paths`, real paths, without those inside another one."""
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})
    kept: list[str] = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def visible_paths() -> list[str]:
    """Every folder a kernel needs to read: the system's, Python's (the environment, the
    interpreter it was made from, every folder on its import path) and the course's package
    and data."""
    python = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              *[p for p in sys.path if p and os.path.isdir(p)]]
    course = [os.path.join(COURSE_ROOT, name) for name in COURSE_PATHS]
    system = [p for p in SYSTEM_PATHS if os.path.isdir(p) and not os.path.islink(p)]
    # Never the whole machine or the whole of /tmp, whatever lands on the import path, nor
    # the course's folder or one around it (PYTHONPATH names it so that the package imports:
    # the package's own folder, bound at the same place, is enough).
    root = os.path.realpath(COURSE_ROOT)
    too_wide = {"/", "/tmp", os.path.realpath("/tmp")}
    python = [p for p in python if not inside(root, [os.path.realpath(p)])]
    return outermost([p for p in [*system, *python, *course]
                      if os.path.realpath(p) not in too_wide])


def inside(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def enter_sandbox(connection_file: str, hide: list[str], memory_mb: int,
                  sockets: list[str] = ()) -> str:
    """(In the fresh user, mount, PID and IPC namespaces `unshare` made, as their root.)
    Build a new root for the kernel and move into it:
    - the folders visible_paths() lists, bound read-only (the course, its environment and
      Python included, wherever they live, /tmp too);
    - a private /tmp (size-limited tmpfs) where the kernel works, a small /dev/shm, five
      device files, its own /proc; nothing else of the host (no /run, /home, socket, ...);
    - the --hide folders, and every socket of the host, covered if they lie in what is bound;
    then drop every capability, so none of it can be undone. Returns the connection file's
    new place."""
    connection = open(connection_file, encoding="utf-8").read()
    hidden = [os.path.realpath(p) for p in hide if os.path.exists(p)]
    bound = visible_paths()
    clones = {path: _clone_tree(path) for path in bound}  # before /tmp is covered
    proc = _clone_tree("/proc")  # this PID namespace's own (unshare --mount-proc)
    root = "/tmp"  # the new root is built on a tmpfs here, then made read-only
    _mount_tmpfs(root, "size=1m,mode=755")
    tmp_mb = max(1, min(memory_mb, TMP_MB_MAX))
    os.makedirs(root + "/tmp")
    _mount_tmpfs(root + "/tmp", f"size={tmp_mb}m,mode=1777")
    for path, fd in clones.items():
        os.makedirs(root + path, exist_ok=True)
        _attach_tree(fd, root + path)
        _make_read_only(root + path)
    for name in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(name) and not os.path.lexists(root + name):  # merged /usr
            os.symlink(os.readlink(name), root + name)
    os.makedirs(root + "/proc")
    _attach_tree(proc, root + "/proc")
    os.makedirs(root + "/dev/shm")
    for device in DEVICES:
        open(f"{root}/dev/{device}", "w").close()
        _mount(f"/dev/{device}", f"{root}/dev/{device}", None, _MS_BIND)
    _mount_tmpfs(root + "/dev/shm", f"size={SHM_MB}m,mode=1777")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    for path in hidden:  # inside what is bound: covered; elsewhere: not there at all
        if inside(path, bound) and os.path.isdir(root + path):
            _mount_tmpfs(root + path, "size=4k,mode=000")
    for path in sockets:  # a socket file in a bound folder: no longer a socket
        if inside(path, bound) and os.path.lexists(root + path):
            _mount(root + "/dev/null", root + path, None, _MS_BIND)
    os.makedirs(root + "/.old")
    _pivot_root(root, root + "/.old")
    os.chdir("/")
    _check(_libc().umount2(b"/.old", _MNT_DETACH), "umount the host's root")
    os.rmdir("/.old")
    _make_read_only("/", recursive=False)  # the frame: no new folder at the top
    os.makedirs("/tmp/.kernel", mode=0o700)
    os.makedirs("/tmp/work", mode=0o700)
    moved = "/tmp/.kernel/connection.json"
    with open(moved, "w", encoding="utf-8") as handle:
        handle.write(connection)
    os.chdir("/tmp/work")
    os.environ.update(HOME="/tmp/work", IPYTHONDIR="/tmp/.kernel/ipython", TMPDIR="/tmp")
    os.environ.pop("XDG_RUNTIME_DIR", None)
    limit_shared_memory()
    _drop_capabilities()
    return moved


def limit_shared_memory() -> None:
    """System V shared memory lives outside any process's count: in this kernel's own IPC
    namespace it is capped like /dev/shm (memfd and /tmp are counted by runner.py instead)."""
    pages = SHM_MB * 2**20 // os.sysconf("SC_PAGE_SIZE")
    for name, value in (("shmall", pages), ("shmmax", SHM_MB * 2**20), ("shmmni", 16)):
        with open(f"/proc/sys/kernel/{name}", "w", encoding="ascii") as handle:
            handle.write(str(value))


def probe_sandbox(memory_mb: int) -> int:
    """Can this machine build the sandbox? (grade.sandbox_available runs this before any
    kernel: a machine whose Linux lacks the mount calls gets no sandbox, not 0 points.)"""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            handle.write("{}")
        enter_sandbox(handle.name, [], memory_mb)
        for path in (os.path.join(COURSE_ROOT, "balkan_course"), sys.prefix, "/"):
            if os.access(path, os.W_OK):
                print(f"sandbox probe: {path} is writable", file=sys.stderr)
                return 1
        open("/tmp/work/probe", "w").close()
    except OSError as problem:
        print(f"sandbox probe: {problem}", file=sys.stderr)
        return 1
    return 0


def close_inherited_descriptors() -> None:
    """Only standard input, output and error survive into a kernel: nothing the grader (or
    the shell that started it) had open can be reached through a number."""
    os.closerange(3, 65536)


def die_with_parent() -> None:
    """The kernel ends when its grading worker ends (even killed): no kernel outlives a run."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--memory-mb", type=int, default=2000)
    parser.add_argument("--file-mb", type=int, default=100)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--home", default=None)
    parser.add_argument("--preload", action="store_true")
    parser.add_argument("--folder", default=None, help="the kernel's working folder")
    parser.add_argument("--hide", action="append", default=None,
                        help="(in a sandbox) a folder the kernel must not see")
    parser.add_argument("--sockets", default=None,
                        help="(in a sandbox) a file listing the host's unix socket paths")
    parser.add_argument("--probe", action="store_true",
                        help="(in a sandbox) build it, check it is read-only, and exit")
    args = parser.parse_args(argv)
    if args.probe:
        sys.exit(probe_sandbox(args.memory_mb))

    close_inherited_descriptors()
    die_with_parent()
    if args.hide is not None:
        sockets = (open(args.sockets, encoding="utf-8").read().splitlines()
                   if args.sockets and os.path.exists(args.sockets) else [])
        args.connection_file = enter_sandbox(args.connection_file, args.hide, args.memory_mb,
                                             sockets)
    elif args.folder:
        os.chdir(args.folder)
    if args.uid is not None:
        drop_privileges(args.uid, args.connection_file, args.home or args.folder)
        die_with_parent()  # (a change of user clears it)
    set_limits(args.memory_mb, args.file_mb)
    if args.preload:
        import importlib

        for module in PRELOAD:
            importlib.import_module(module)
        warm_up_charts()

    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [sys.argv[0]]
    app = IPKernelApp.instance()
    app.initialize([
        "-f", args.connection_file,
        "--InteractiveShell.colors=nocolor",  # failure text without ANSI codes
        "--HistoryManager.enabled=False",     # no shared sqlite file between kernels
        "--IPKernelApp.log_level=50",
    ])
    # exit() / quit() end the kernel at once, inside the cell that called them (ipykernel
    # would otherwise go on running a few cells first, and the status would name the wrong one).
    app.shell.ask_exit = lambda: os._exit(0)
    app.start()


if __name__ == "__main__":
    main()
