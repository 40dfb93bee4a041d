"""Warm kernels: start each batch run's kernel as a fork of a process that has already
imported the workspace and read its data.

A fresh Jupyter kernel spends about 2.5 s of CPU before a notebook's first line does any
work: starting Python, importing ipykernel, pandas, matplotlib, geopandas, SciPy and the
``analysis`` package, reading the processed tables, preparing the map geometry and computing
the England-wide indicators. A national batch starts 608 kernels, so that alone would take
about 13 minutes of a 2-core machine.

Here a batch worker starts, once, a **kernel template** process
(:func:`analysis.run.template.serve`) with the same interpreter, flags, environment and
working folder the registered kernel would get. The template imports those modules and warms
the per-process caches (:mod:`analysis.data.memo`, :func:`analysis.data.tables.read_table`,
:func:`analysis.present.maps.boundaries`), then waits. For each run, the kernel's provisioner
(:class:`WarmProvisioner`) asks the template for a kernel: the template forks, and the child
becomes an ordinary ipykernel (``IPKernelApp``, what ``python -m ipykernel_launcher -f
CONNECTION_FILE`` runs) in its own session, on that run's connection file. Each run still gets
its own new kernel process; it simply starts with the modules already imported and the caches
already filled. Caches are keyed by the data they were computed from, so a kernel that meets
changed data recomputes, exactly as a fresh one would.

How the provisioner is chosen (jupyter_client's documented "Kernel Provisioning" extension
point): the package registers :class:`WarmProvisioner` under the entry point group
``jupyter_client.kernel_provisioners`` as :data:`PROVISIONER_NAME` (``pyproject.toml``), and
``make setup`` names it in the workspace kernelspec's ``metadata.kernel_provisioner`` stanza
(:func:`add_provisioner`; ``python -m analysis.run.kernels`` does the same for a kernel
registered by hand). Every kernel of that kernelspec then gets a :class:`WarmProvisioner`,
which is jupyter_client's ``LocalProvisioner`` unchanged unless warm kernels were enabled in
this process (:func:`enable`, which only batch workers call): JupyterLab, papermill run by
hand and the tests' plain notebook runs start ordinary fresh kernels.

What stays the same as a fresh kernel, and how:

* the interpreter and its flags (the kernelspec's ``argv`` up to ``-m``), the environment
  (a launch whose environment differs from the template's in anything but the per-kernel
  variables starts a fresh kernel instead), the working folder, ``sys.argv``, ``sys.path``;
* matplotlib's backend: the template sets ``MPLBACKEND`` as ipykernel does before anything
  imports matplotlib, and never draws with pyplot, so the inline backend is set up by the
  kernel itself on first use;
* signals, the session and process group, stdin (a pipe the worker holds), the parent-process
  watch (a kernel exits when its template exits), random state (Python's ``random`` and
  NumPy's global generator are reseeded in each kernel), and the end: normal interpreter
  exit, so ``atexit`` handlers run (see :mod:`analysis.run.template`);
* a kernel that dies, times out or is interrupted is seen and handled by jupyter_client as
  usual: the worker watches it through a Linux pidfd and signals it through it.

Anything unexpected (no pidfd support, a kernelspec with another command, a template that
failed to start, a thread running in the template) falls back to launching a fresh kernel,
so warm kernels are an optimisation, never a requirement. ``ANALYSIS_WARM_KERNELS=0`` turns
them off.
"""

from __future__ import annotations

import asyncio
import atexit
import errno
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo, LocalPortCache
from jupyter_client.provisioning import LocalProvisioner

from analysis import config
from analysis.files import write_atomic
from analysis.run.template import receive_message, send_message

ENV = "ANALYSIS_WARM_KERNELS"
#: The name of :class:`WarmProvisioner` in the ``jupyter_client.kernel_provisioners`` entry points.
PROVISIONER_NAME = "analysis-warm-kernels"
#: Environment variables that differ between two kernels of one worker (set per launch).
PER_KERNEL_ENV = ("JPY_PARENT_PID", "JPY_SESSION_NAME", "JPY_INTERRUPT_EVENT", "IPY_INTERRUPT_EVENT")
#: Seconds to wait for the template to import and warm up before giving up on it.
READY_TIMEOUT_SECONDS = 180
LAUNCH_TIMEOUT_SECONDS = 30
#: Seconds a closing worker waits for its template to stop its kernels and exit.
TEMPLATE_EXIT_SECONDS = 10
#: Seconds :meth:`WarmProvisioner.kill` waits for a killed warm kernel to exit (it takes milliseconds).
KILL_WAIT_SECONDS = 5.0
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")

_lock = threading.Lock()
_enabled = False
_server: TemplateClient | None = None
_broken = False
#: Connection files of the warm kernels this process started and has not cleaned up.
CONNECTION_FILES: set[str] = set()


def wanted() -> bool:
    """False when ``ANALYSIS_WARM_KERNELS`` is 0 / false / no / off, or the platform lacks pidfds."""
    if not config.switched_on(ENV):
        return False
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def forced() -> bool:
    """True when ``ANALYSIS_WARM_KERNELS`` is ``always``: warm kernels even for a batch too small to
    repay a kernel template's start-up (:func:`analysis.run.executors.use_warm_kernels`)."""
    return os.environ.get(ENV, "").strip().lower() == "always" and wanted()


def enable(on: bool = True) -> bool:
    """Use warm kernels for the notebooks this process runs (a batch worker calls it); True if on.

    ``enable(False)`` starts fresh kernels again but keeps the template for later runs.
    """
    global _enabled
    _enabled = on and wanted()
    return _enabled


def disable() -> None:
    """Stop using warm kernels in this process and stop its template (tests, a worker shutting down)."""
    global _enabled, _broken
    _enabled, _broken = False, False
    _close_server()


def template_pid() -> int | None:
    """Process id of this process's kernel template, if one is running."""
    return _server.process.pid if _server is not None and _server.process.poll() is None else None


def warm_kernels_started() -> int:
    """How many kernels this process's current template has forked."""
    return _server.launched if _server is not None else 0


def remove_connection_files() -> None:
    """Remove the connection files of warm kernels still running (a worker being stopped)."""
    for name in list(CONNECTION_FILES):
        try:
            os.unlink(name)
        except OSError:
            pass
        CONNECTION_FILES.discard(name)


# ------------------------------------------------------------------------------------------
# The kernelspec stanza that selects the provisioner
# ------------------------------------------------------------------------------------------


def _kernel_json(kernel_name: str) -> Path:
    from jupyter_client.kernelspec import KernelSpecManager

    return Path(KernelSpecManager().get_kernel_spec(kernel_name).resource_dir) / "kernel.json"


def has_provisioner(kernel_name: str = config.KERNEL_NAME) -> bool:
    """Whether the registered kernelspec ``kernel_name`` names :data:`PROVISIONER_NAME`."""
    from jupyter_client.kernelspec import NoSuchKernel

    try:
        info = json.loads(_kernel_json(kernel_name).read_text(encoding="utf-8"))
    except (NoSuchKernel, OSError, ValueError):
        return False
    stanza = info.get("metadata", {}).get("kernel_provisioner", {})
    return stanza.get("provisioner_name") == PROVISIONER_NAME


def add_provisioner(kernel_name: str = config.KERNEL_NAME) -> Path:
    """Name :data:`PROVISIONER_NAME` in the kernelspec's ``metadata.kernel_provisioner`` stanza.

    The stanza is how jupyter_client documents choosing a kernel's provisioner ("Kernel
    Provisioning", jupyter_client 7 and later). Run after ``ipykernel install`` (``make setup``
    does). Returns the ``kernel.json`` written.

    Raises
    ------
    jupyter_client.kernelspec.NoSuchKernel
        If no kernelspec ``kernel_name`` is registered.
    """
    path = _kernel_json(kernel_name)
    info = json.loads(path.read_text(encoding="utf-8"))
    info.setdefault("metadata", {})["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME, "config": {}}
    write_atomic(path, json.dumps(info, indent=1) + "\n")
    return path


# ------------------------------------------------------------------------------------------
# A worker's template
# ------------------------------------------------------------------------------------------


def _comparable(env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in PER_KERNEL_ENV}


class TemplateClient:
    """A worker's connection to its kernel template process."""

    def __init__(self, prefix: list[str], env: dict[str, str], cwd: str) -> None:
        self.prefix, self.env, self.cwd = list(prefix), dict(env), str(cwd)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        command = [*self.prefix, "-c", f"from analysis.run.template import serve; serve({theirs.fileno()})"]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.cwd, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL
        )
        theirs.close()
        self.sock = ours
        self.ready = False
        self.launched = 0

    def matches(self, prefix: Sequence[str], env: dict[str, str]) -> bool:
        return list(prefix) == self.prefix and _comparable(env) == _comparable(self.env)

    def launch(self, connection_file: str, cwd: str, env: dict[str, str], options: Sequence[str] = ()) -> ForkedKernel:
        """Ask the template for a kernel on ``connection_file`` (with the kernel command's trailing
        ``options``, :func:`warm_command`); raise OSError if it cannot give one."""
        self.sock.settimeout(READY_TIMEOUT_SECONDS if not self.ready else LAUNCH_TIMEOUT_SECONDS)
        request = {"connection_file": connection_file, "cwd": str(cwd), "env": env, "options": list(options)}
        send_message(self.sock, request)
        reply, fds = receive_message(self.sock)
        self.ready = True
        if reply is None or "pid" not in reply or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise OSError(errno.ECHILD, (reply or {}).get("error", "the kernel template stopped"))
        self.launched += 1
        return ForkedKernel(int(reply["pid"]), fds[0], fds[1])

    def close(self) -> None:
        """Close the socket (the template then stops its kernels and exits) and wait for the template."""
        try:
            self.sock.close()
        finally:
            try:
                self.process.wait(timeout=TEMPLATE_EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _close_server() -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None


def _template_for(prefix: list[str], env: dict[str, str], cwd: str) -> TemplateClient | None:
    """This worker's template (started on first use, with the first kernel's environment)."""
    global _server
    with _lock:
        if _broken:
            return None
        if _server is None:
            _server = TemplateClient(prefix, env, cwd)
            atexit.register(_close_server)
        return _server if _server.matches(prefix, env) else None


def _mark_broken() -> None:
    global _broken
    _broken = True
    try:
        _close_server()
    except OSError:
        pass


class ForkedKernel:
    """The ``subprocess.Popen`` interface jupyter_client uses, for a kernel forked by the template.

    The kernel is the template's child, not ours, so it is watched and signalled through a
    pidfd (which always refers to that process, even after its pid is reused). Its stdin is
    a pipe whose writing end we hold, as jupyter_client gives a kernel it starts itself.
    """

    stdout = stderr = None

    def __init__(self, pid: int, pidfd: int, stdin_fd: int) -> None:
        self.pid, self.pidfd, self.returncode = pid, pidfd, None
        self.stdin = os.fdopen(stdin_fd, "wb")

    def _exited(self, timeout: float = 0) -> bool:
        if self.returncode is not None:
            return True
        readable, _, _ = select.select([self.pidfd], [], [], timeout)
        if readable:  # the exit status goes to the template (the parent), so it is not known here
            self.returncode = 0
            os.close(self.pidfd)
            return True
        return False

    def poll(self) -> int | None:
        return self.returncode if self._exited() else None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._exited(0.05):
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["kernel"], timeout)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if not self._exited():
            try:
                signal.pidfd_send_signal(self.pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def warm_command(cmd: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The interpreter prefix and the trailing options of a standard ipykernel command.

    A standard command is ``PREFIX -m ipykernel_launcher -f FILE.json [--Class.trait=value ...]``
    (the kernelspec's argv, then the ``extra_arguments`` nbclient passes, such as
    :data:`analysis.config.KERNEL_ARGUMENTS`); returns ``(PREFIX, options)``, or None for any
    other command (which is then started as jupyter_client starts it).
    """
    cmd = list(cmd)
    for start in range(1, len(cmd) - 3):
        if cmd[start : start + 3] == ["-m", "ipykernel_launcher", "-f"] and cmd[start + 3].endswith(".json"):
            prefix, options = cmd[:start], cmd[start + 4 :]
            if not all(part.startswith("-") for part in prefix[1:]):
                return None
            if not all(re.fullmatch(r"--[A-Za-z_][\w.]*=.*", part) for part in options):
                return None
            return prefix, options
    return None


def _set_ports(connection_file: str, ports: dict[str, int]) -> None:
    """Rewrite the ports of a connection file (atomically, keeping its owner-only permissions)."""
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    info.update(ports)
    temporary = f"{connection_file}.{os.getpid()}.tmp"
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    os.replace(temporary, connection_file)


async def _bound_ports(
    connection_file: str, process: ForkedKernel | subprocess.Popen, timeout: float = LAUNCH_TIMEOUT_SECONDS
) -> dict[str, int]:
    """The ports a warm kernel bound, once it has written them to its connection file.

    jupyter_client picks free ports for a kernel and the kernel binds them a moment later; in
    between, another process may take one (jupyter_client issue 487), and the kernel then
    fails to start, and hangs. A kernel is given port 0 instead: it binds free ports itself,
    atomically, and records them in its connection file (ipykernel's ``write_connection_file``
    merges the ports it bound into a file that had 0), which is read back here.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise OSError(errno.ECHILD, "the kernel exited before it bound its ports")
        try:
            info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # being written
            info = {}
        ports = {name: info.get(name) for name in PORT_NAMES}
        if all(isinstance(port, int) and port > 0 for port in ports.values()):
            return ports
        await asyncio.sleep(0.005)
    raise OSError(errno.ETIMEDOUT, f"the kernel bound no ports within {timeout:g} s")


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's ``LocalProvisioner``, getting its kernel from the worker's template when
    warm kernels are enabled in this process (:func:`enable`), and otherwise exactly as is.

    Registered as :data:`PROVISIONER_NAME` in the ``jupyter_client.kernel_provisioners`` entry
    points and selected by the kernelspec's ``metadata.kernel_provisioner`` stanza
    (:func:`add_provisioner`); see "Kernel Provisioning" in the jupyter_client documentation.
    """

    warm_connection_file = ""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        """Launch the kernel: forked from the template when possible, else as LocalProvisioner does.

        Over TCP, either kernel binds free ports itself (see :func:`_bound_ports`): a fresh kernel
        too, since a batch falls back to fresh kernels on a loaded machine, where the race is likeliest.
        """
        own_ports = self.connection_info.get("transport") == "tcp"
        planned = {name: self.connection_info[name] for name in PORT_NAMES}
        if _enabled and not _broken:
            connection_info = await self._launch_warm(cmd, kwargs, own_ports, planned)
            if connection_info is not None:
                return connection_info
        connection_file = self.parent.connection_file
        if own_ports:
            _set_ports(connection_file, dict.fromkeys(PORT_NAMES, 0))
        await super().launch_kernel(cmd, **kwargs)
        try:
            ports = await _bound_ports(connection_file, self.process) if own_ports else {}
        except OSError as exc:  # it exited first (jupyter_client then reports a dead kernel), or is stuck
            _set_ports(connection_file, planned)
            self.log.warning("The kernel bound no ports (%s).", exc)
            return self.connection_info
        return self._use_ports(ports, planned)

    async def _launch_warm(
        self, cmd: list[str], kwargs: dict[str, Any], own_ports: bool, planned: dict[str, int]
    ) -> KernelConnectionInfo | None:
        """A kernel forked from the template, or None (no template for this launch, or it failed)."""
        command = warm_command(cmd)
        prefix, options = command if command else (None, [])
        env, cwd = kwargs.get("env"), os.path.abspath(kwargs.get("cwd") or os.getcwd())
        plain = not set(kwargs) - {"env", "cwd", "kernel_id", "extra_arguments"}
        template = _template_for(prefix, env, cwd) if prefix and env is not None and plain else None
        if template is None:
            return None
        connection_file = cmd[len(prefix) + 3]
        process = None
        try:
            if own_ports:
                _set_ports(connection_file, dict.fromkeys(PORT_NAMES, 0))
            process = template.launch(connection_file, cwd, dict(env), options)
            ports = await _bound_ports(connection_file, process) if own_ports else {}
        except (OSError, ValueError) as exc:
            if process is not None:
                process.kill()
            if own_ports:
                _set_ports(connection_file, planned)
            self.log.warning("No warm kernel (%s): starting a fresh kernel.", exc)
            _mark_broken()
            return None
        self.process = process
        self.pid = self.pgid = process.pid  # the kernel leads its own session
        self.cwd = cwd
        self.warm_connection_file = connection_file
        CONNECTION_FILES.add(connection_file)
        return self._use_ports(ports, planned)

    def _use_ports(self, ports: dict[str, int], planned: dict[str, int]) -> KernelConnectionInfo:
        """The connection info with the ports the kernel bound; the planned ones go back to jupyter_client's cache."""
        if ports:
            for name, port in ports.items():
                setattr(self.parent, name, port)
            self.connection_info = {**self.connection_info, **ports}
            if self.ports_cached:
                for port in planned.values():
                    LocalPortCache.instance().return_port(port)
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """As LocalProvisioner (SIGKILL to the kernel's process group); then, for a warm kernel,
        wait (up to :data:`KILL_WAIT_SECONDS`) until it has exited.

        jupyter_client's manager checks whether a killed kernel is alive right after ``kill``
        and, while it is, sleeps 0.1 s between checks: a kernel that takes a few milliseconds to
        exit would cost every run 0.1 s. A forked kernel's pidfd says when it has exited.
        """
        await super().kill(restart)
        if isinstance(self.process, ForkedKernel):
            try:
                self.process.wait(KILL_WAIT_SECONDS)
            except subprocess.TimeoutExpired:  # the manager's own wait goes on from here
                pass

    async def cleanup(self, restart: bool = False) -> None:
        """As LocalProvisioner; and forget the warm kernel's connection file (jupyter_client removes it)."""
        await super().cleanup(restart)
        CONNECTION_FILES.discard(self.warm_connection_file)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.run.kernels [KERNEL_NAME]``: add the provisioner stanza to a kernelspec."""
    names = list(sys.argv[1:] if argv is None else argv) or [config.KERNEL_NAME]
    for name in names:
        print(f"{add_provisioner(name)}: kernel_provisioner {PROVISIONER_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
