"""Warm kernels: start each batch run's kernel as a fork of a process that has already
imported the workspace and read its data.

A fresh Jupyter kernel spends about 2.5 s of CPU before a notebook's first line does any
work: starting Python, importing ipykernel, pandas, matplotlib, geopandas, SciPy and the
``analysis`` package, reading the processed tables, preparing the map geometry and computing
the England-wide indicators. A national batch starts 608 kernels, so that alone would take
about 13 minutes of a 2-core machine.

Here a batch worker starts, once, a **kernel template** process (:func:`serve`) with the same
interpreter, flags, environment and working folder the registered kernel would get. The
template imports those modules and warms the per-process caches (:mod:`analysis.data.memo`,
:func:`analysis.data.tables.read_table`, :func:`analysis.present.maps.boundaries`), then waits. For each
run, the worker's kernel manager (:class:`WarmKernelManager`, handed to papermill) asks the
template for a kernel: the template forks, and the child becomes an ordinary ipykernel
(``IPKernelApp``, the code ``python -m ipykernel_launcher -f CONNECTION_FILE`` runs) in its
own session, on that run's connection file. Each run still gets its own new kernel process;
it simply starts with the modules already imported and the caches already filled. Caches
are keyed by the data they were computed from, so a kernel that meets changed data
recomputes, exactly as a fresh one would.

What stays the same as a fresh kernel, and how:

* the interpreter and its flags (the kernelspec's ``argv`` up to ``-m``), the environment
  (a launch whose environment differs from the template's in anything but the per-kernel
  variables starts a fresh kernel instead), the working folder, ``sys.argv``, ``sys.path``;
* matplotlib's backend: the template sets ``MPLBACKEND`` as ipykernel does before anything
  imports matplotlib, and never draws with pyplot, so the inline backend is set up by the
  kernel itself on first use;
* signals, the session and process group, stdin (a pipe the worker holds), the parent-process watch
  (a kernel exits when its template exits), random seeds (NumPy's is reseeded);
* a kernel that dies, times out or is interrupted is seen and handled by jupyter_client as
  usual: the worker watches it through a Linux pidfd and signals it through it.

Anything unexpected (no pidfd support, a kernelspec with its own provisioner or another
command, a template that failed to start, a thread running in the template) falls back to
launching a fresh kernel, so warm kernels are an optimisation, never a requirement.
``ANALYSIS_WARM_KERNELS=0`` turns them off.
"""

from __future__ import annotations

import atexit
import errno
import functools
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

ENV = "ANALYSIS_WARM_KERNELS"
BATCH_ENGINE = "analysis-batch"
#: Environment variables that differ between two kernels of one worker (set per launch).
PER_KERNEL_ENV = ("JPY_PARENT_PID", "JPY_SESSION_NAME", "JPY_INTERRUPT_EVENT", "IPY_INTERRUPT_EVENT")
#: Seconds to wait for the template to import and warm up before giving up on it.
READY_TIMEOUT_SECONDS = 180
LAUNCH_TIMEOUT_SECONDS = 30
_MAX_MESSAGE = 1 << 20
_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Modules every topic notebook imports (directly or through the package).
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "scipy.stats",
    "scipy.special",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.collections",
    "matplotlib.patheffects",
    "geopandas",
    "shapely",
    "mapclassify",
    "pandera",
    "yaml",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "analysis.present.report",
    "analysis.present.plots",
    "analysis.methods.areas",
    "analysis.methods.population",
    "analysis.methods.stats",
    "analysis.methods.prevalence",
    "analysis.methods.supply",
    "analysis.data.local_data",
    "analysis.methods.young_people",
    "analysis.methods.indicators",
    "analysis.present.maps",
    "analysis.data.build",
    "analysis.data.sources",
    "analysis.data.tables",
    "analysis.data.memo",
    "analysis.present.prevalence",
    "analysis.present.supply",
    "analysis.present.young_people",
    "analysis.methods.checks",
    # what each kernel's start-up imports (the debugger, history, inline figures' helpers)
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.pylabtools",
    "IPython.extensions.storemagic",
    "sqlite3",
    "pdb",
    "matplotlib.backends.backend_agg",
    "pandas.io.formats.html",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "PIL.PngImagePlugin",
)

_lock = threading.Lock()
_enabled = False
_server: TemplateClient | None = None
_broken = False
#: Connection files of the warm kernels this process started and has not cleaned up.
CONNECTION_FILES: set[str] = set()


def wanted() -> bool:
    """False when ``ANALYSIS_WARM_KERNELS`` is 0 / false / no / off, or the platform lacks pidfds."""
    if os.environ.get(ENV, "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def enable(on: bool = True) -> bool:
    """Use warm kernels for the notebooks this process runs (a batch worker calls it); True if on.

    ``enable(False)`` starts fresh kernels again but keeps the template for later runs.
    """
    global _enabled
    _enabled = on and wanted()
    return _enabled


def papermill_options() -> dict[str, Any]:
    """Extra ``papermill.execute_notebook`` arguments for a batch run: the engine that saves the
    executed notebook less often (:func:`batch_engine`) and, when enabled here, warm kernels."""
    options: dict[str, Any] = {"engine_name": batch_engine()}
    if _enabled and not _broken:
        options["kernel_manager_class"] = warm_kernel_manager()
    return options


@functools.lru_cache(maxsize=1)
def batch_engine() -> str:
    """Register (once) and name papermill's nbclient engine, saving the executed notebook only at
    the end of the run and every ``autosave_cell_every`` seconds (30) of a long one.

    papermill otherwise rewrites the whole notebook (validated JSON, figures included: 2 MB for
    the maps report) before and after every cell, about 0.4 s per map report, for a file nobody
    reads until the run ends. The final write is unchanged (papermill writes it even when a cell
    fails, times out or the kernel dies), so the executed notebook is the same.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class FewerSaves(NotebookExecutionManager):
        def save(self, **kwargs: Any) -> None:
            elapsed = (self.now() - self.last_save_time).total_seconds()
            if getattr(self, "finishing", False) or (self.autosave_cell_every and elapsed >= self.autosave_cell_every):
                super().save(**kwargs)

        def notebook_complete(self, **kwargs: Any) -> None:
            self.finishing = True
            super().notebook_complete(**kwargs)

    class BatchEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            nb_man.__class__ = FewerSaves  # after notebook_start's save; before the cells
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(BATCH_ENGINE, BatchEngine)
    return BATCH_ENGINE


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
# Messages between a worker and its template (length-prefixed JSON; a pidfd may ride along)
# ------------------------------------------------------------------------------------------


def _send(sock: socket.socket, message: dict, fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode("utf-8")
    payload = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [payload], list(fds))
    else:
        sock.sendall(payload)


def _receive(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """One message and the descriptors sent with it; (None, []) at end of stream."""
    data, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE + 4, 4)
    if not data:
        return None, list(fds)
    while len(data) < 4 or len(data) < 4 + struct.unpack("!I", data[:4])[0]:
        more = sock.recv(_MAX_MESSAGE)
        if not more:
            return None, list(fds)
        data += more
    size = struct.unpack("!I", data[:4])[0]
    return json.loads(data[4 : 4 + size].decode("utf-8")), list(fds)


# ------------------------------------------------------------------------------------------
# Worker side
# ------------------------------------------------------------------------------------------


def _comparable(env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in PER_KERNEL_ENV}


class TemplateClient:
    """A worker's connection to its kernel template process."""

    def __init__(self, prefix: list[str], env: dict[str, str], cwd: str) -> None:
        self.prefix, self.env, self.cwd = list(prefix), dict(env), str(cwd)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        command = [*self.prefix, "-c", f"from analysis.run.kernels import serve; serve({theirs.fileno()})"]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.cwd, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL
        )
        theirs.close()
        self.sock = ours
        self.ready = False
        self.launched = 0

    def matches(self, prefix: Sequence[str], env: dict[str, str]) -> bool:
        return list(prefix) == self.prefix and _comparable(env) == _comparable(self.env)

    def launch(self, connection_file: str, cwd: str, env: dict[str, str]) -> ForkedKernel:
        """Ask the template for a kernel on ``connection_file``; raise OSError if it cannot give one."""
        self.sock.settimeout(READY_TIMEOUT_SECONDS if not self.ready else LAUNCH_TIMEOUT_SECONDS)
        _send(self.sock, {"connection_file": connection_file, "cwd": str(cwd), "env": env})
        reply, fds = _receive(self.sock)
        self.ready = True
        if reply is None or "pid" not in reply or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise OSError(errno.ECHILD, (reply or {}).get("error", "the kernel template stopped"))
        self.launched += 1
        return ForkedKernel(int(reply["pid"]), fds[0], fds[1])

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            try:
                self.process.wait(timeout=10)
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
        self.pid, self._pidfd, self.returncode = pid, pidfd, None
        self.stdin = os.fdopen(stdin_fd, "wb")

    def _exited(self, timeout: float = 0) -> bool:
        if self.returncode is not None:
            return True
        readable, _, _ = select.select([self._pidfd], [], [], timeout)
        if readable:  # the exit status goes to the template (the parent), so it is not known here
            self.returncode = 0
            os.close(self._pidfd)
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
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _warm_command(cmd: Sequence[str]) -> list[str] | None:
    """The interpreter prefix of a standard ipykernel command (``... -m ipykernel_launcher -f FILE``)."""
    cmd = list(cmd)
    if len(cmd) >= 5 and cmd[-4:-1] == ["-m", "ipykernel_launcher", "-f"] and cmd[-1].endswith(".json"):
        prefix = cmd[:-4]
        if prefix and all(part.startswith("-") for part in prefix[1:]):
            return prefix
    return None


PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def _set_ports(connection_file: str, ports: dict[str, int]) -> None:
    """Rewrite the ports of a connection file (atomically, keeping its owner-only permissions)."""
    info = json.loads(open(connection_file, encoding="utf-8").read())  # noqa: SIM115
    info.update(ports)
    temporary = f"{connection_file}.{os.getpid()}.tmp"
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    os.replace(temporary, connection_file)


async def _bound_ports(
    connection_file: str, process: ForkedKernel, timeout: float = LAUNCH_TIMEOUT_SECONDS
) -> dict[str, int]:
    """The ports a warm kernel bound, once it has written them to its connection file.

    jupyter_client picks free ports for a kernel and the kernel binds them a moment later; in
    between, another process may take one (jupyter_client issue 487), and the kernel then
    fails to start, and hangs. A warm kernel is given port 0 instead: it binds free ports
    itself, atomically, and records them in its connection file, which is read back here.
    """
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise OSError(errno.ECHILD, "the kernel exited before it bound its ports")
        try:
            info = json.loads(open(connection_file, encoding="utf-8").read())  # noqa: SIM115
        except (OSError, ValueError):  # being written
            info = {}
        ports = {name: info.get(name) for name in PORT_NAMES}
        if all(isinstance(port, int) and port > 0 for port in ports.values()):
            return ports
        await asyncio.sleep(0.005)
    raise OSError(errno.ETIMEDOUT, f"the kernel bound no ports within {timeout:g} s")


@functools.lru_cache(maxsize=1)
def warm_provisioner() -> type:
    """jupyter_client's LocalProvisioner, getting its kernel from the worker's template when it can."""
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            prefix = _warm_command(cmd)
            env, cwd = kwargs.get("env"), os.path.abspath(kwargs.get("cwd") or os.getcwd())
            plain = not set(kwargs) - {"env", "cwd", "kernel_id", "extra_arguments"}
            template = _template_for(prefix, env, cwd) if prefix and env is not None and plain else None
            if template is None:
                return await super().launch_kernel(cmd, **kwargs)
            connection_file = cmd[-1]
            planned = {name: self.connection_info[name] for name in PORT_NAMES}
            own_ports = self.connection_info.get("transport") == "tcp"
            process = None
            try:
                if own_ports:  # the kernel binds free ports itself (see _bound_ports)
                    _set_ports(connection_file, dict.fromkeys(PORT_NAMES, 0))
                process = template.launch(connection_file, cwd, dict(env))
                ports = await _bound_ports(connection_file, process) if own_ports else {}
            except (OSError, ValueError) as exc:
                if process is not None:
                    process.kill()
                if own_ports:
                    _set_ports(connection_file, planned)
                self.log.warning("No warm kernel (%s): starting a fresh kernel.", exc)
                _mark_broken()
                return await super().launch_kernel(cmd, **kwargs)
            self.process = process
            self.pid = self.pgid = process.pid  # the kernel leads its own session
            self.cwd = cwd
            self.warm_connection_file = connection_file
            CONNECTION_FILES.add(connection_file)
            if ports:
                for name, port in ports.items():
                    setattr(self.parent, name, port)
                self.connection_info = {**self.connection_info, **ports}
                if self.ports_cached:
                    from jupyter_client.connect import LocalPortCache

                    for port in planned.values():
                        LocalPortCache.instance().return_port(port)
            return self.connection_info

        async def cleanup(self, restart: bool = False) -> None:
            await super().cleanup(restart)
            CONNECTION_FILES.discard(getattr(self, "warm_connection_file", ""))

    return WarmProvisioner


@functools.lru_cache(maxsize=1)
def warm_kernel_manager() -> type:
    """The kernel manager a batch worker hands papermill: warm kernels, else fresh ones."""
    import uuid

    from jupyter_client import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw: Any):
            if self.provisioner is None and not self.kernel_spec.metadata.get("kernel_provisioner"):
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = warm_provisioner()(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

    return WarmKernelManager


# ------------------------------------------------------------------------------------------
# Template side
# ------------------------------------------------------------------------------------------


def preload(modules: Sequence[str] = PRELOAD) -> list[str]:
    """Import the modules kernels will need; return those that could not be imported."""
    import importlib

    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    return failed


def warm() -> None:
    """Fill the per-process caches every topic notebook uses (never changes global settings)."""
    from analysis import config
    from analysis.data import build, sources, tables
    from analysis.methods import indicators, prevalence
    from analysis.present import maps

    for name in sorted(build.TABLES):
        tables.read_table(name)
    sources.load_manifest()
    for level in ("utla", "region", "country"):
        maps.boundaries(level)
    prevalence.list_survey_years()
    for indicator in indicators.list_indicators():
        indicators.compute_indicator(indicator, confidence=config.DEFAULT_CONFIDENCE)


def _reap(signum: int, frame: Any) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(fd: int) -> None:
    """The template process: import, warm up, then fork a kernel for each request on socket ``fd``."""
    import gc

    sock = socket.socket(fileno=fd)
    base_path0 = sys.path[0] if sys.path else None
    if not os.environ.get("MPLBACKEND"):  # what ipykernel does before any user code runs
        os.environ["MPLBACKEND"] = _INLINE_BACKEND
    preload()
    try:
        warm()
    except Exception:
        pass
    if "matplotlib_inline.backend_inline" in sys.modules:  # must be set up by each kernel's own shell
        _send(sock, {"error": "the template loaded the inline backend"})
        return
    gc.collect()
    gc.freeze()  # kernels share the template's objects without the collector touching them
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            request, fds = _receive(sock)
        except InterruptedError:
            continue
        except OSError:
            return
        for extra in fds:
            os.close(extra)
        if request is None:
            return
        if threading.active_count() != 1:
            _send(sock, {"error": "the kernel template is running threads and cannot fork safely"})
            continue
        stdin_read, stdin_write = os.pipe()  # the kernel's stdin, as jupyter_client's Popen(stdin=PIPE)
        pid = os.fork()
        if pid == 0:
            os.close(stdin_write)
            _become_kernel(request, sock, base_path0, stdin_read)
        os.close(stdin_read)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError as exc:
            os.close(stdin_write)
            _send(sock, {"error": f"no pidfd for the kernel: {exc}"})
            os.kill(pid, signal.SIGKILL)
            continue
        try:
            _send(sock, {"pid": pid}, [pidfd, stdin_write])
        finally:
            os.close(pidfd)
            os.close(stdin_write)


def _become_kernel(request: dict, sock: socket.socket, base_path0: str | None, stdin_fd: int) -> None:
    """In the forked child: become ``python -m ipykernel_launcher -f FILE`` and never return."""
    code: Any = 0
    try:
        sock.close()
        os.setsid()  # jupyter_client starts kernels in a new session (start_new_session=True)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.dup2(stdin_fd, 0)
        os.close(stdin_fd)
        cwd = request["cwd"]
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(request["env"])
        parent = os.getppid()
        os.environ["JPY_PARENT_PID"] = str(parent)
        if not os.environ.get("MPLBACKEND"):
            os.environ["MPLBACKEND"] = _INLINE_BACKEND
        if sys.path and sys.path[0] == base_path0:
            del sys.path[0]  # as ipykernel_launcher does; the kernel's shell adds '' back
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, "-f", request["connection_file"]]
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", request["connection_file"], f"--IPKernelApp.parent_handle={parent}"])
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            atexit._run_exitfuncs()
        finally:
            os._exit(code if isinstance(code, int) else (0 if code is None else 1))
