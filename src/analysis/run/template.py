"""The kernel template process of warm kernels (:mod:`analysis.run.kernels`): import, warm up, fork.

A batch worker starts the template with the interpreter and flags of the registered kernel
(``python -c "from analysis.run.template import serve; serve(FD)"``). The template imports
the modules every topic notebook needs (:data:`PRELOAD`), fills the per-process caches
(:func:`warm`), then, for each request on its socket, forks a child that becomes an ordinary
ipykernel (:func:`become_kernel`) on that run's connection file. The worker gets the
kernel's pid, a pidfd for it and the writing end of its stdin, and manages it from there.

How a forked kernel ends: exactly as ``python -m ipykernel_launcher`` does, by normal
interpreter exit. The child raises :class:`SystemExit` out of the template's frames (none
of which holds a ``finally`` or ``with`` around the fork), so Python runs the ``atexit``
handlers (IPython's history, ipykernel's own), flushes and finalises as usual. The template
flushes its standard streams before each fork, so nothing it had buffered is written twice.

How the template ends: at end of stream on its socket (its worker closed it or exited) or on
SIGTERM (its worker being stopped), it kills the kernels it forked that are still running
and waits for them (:data:`KERNEL_STOP_SECONDS`), so a stopped worker leaves no process
behind (see :func:`analysis.run.executors.stop_processes`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading
from collections.abc import Sequence
from typing import Any

import psutil

from analysis import config
from analysis.run.processes import kill_and_wait

#: Longest message between a worker and its template (a request is a few kB of environment).
MAX_MESSAGE = 1 << 20
#: Seconds the template waits for its killed kernels to exit before it exits itself.
KERNEL_STOP_SECONDS = 5.0
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: What figure bases the template draws (comma-separated codes): England's code for the England
#: maps' and funnel plots' bases, a region's code for its region maps' and dot plots' bases. A
#: batch sets it (:func:`regions_to_warm`) for what it runs the regional maps notebook for often
#: enough; unset, the template draws none.
WARM_REGIONS_ENV = "ANALYSIS_WARM_REGIONS"
#: Drawing a set of bases in every template (about 5 s of CPU for England's 13, 4 s for a
#: region's 14) pays when each template's kernels then use them about twice: from two regional
#: maps reports per worker (in England, or in the region) on.
WARM_REGION_RUNS_PER_WORKER = 2
#: Modules every topic notebook imports (directly or through the package). Not mapclassify (and
#: scikit-learn, which it imports: 0.2 s): map class breaks come from the disk cache, and a
#: template that computes them (:func:`warm`) imports it then.
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
    "analysis.present.homelessness",
    "statsmodels.genmod.generalized_linear_model",  # chapter 2's deprivation model (homelessness_model)
    "statsmodels.discrete.discrete_model",
    "seaborn",  # chapter 2's deprivation chart (about 0.1 s of each of its kernels otherwise)
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


# ------------------------------------------------------------------------------------------
# Messages between a worker and its template (length-prefixed JSON; descriptors may ride along)
# ------------------------------------------------------------------------------------------


def send_message(sock: socket.socket, message: dict, fds: Sequence[int] = ()) -> None:
    """Send one JSON message, with file descriptors ``fds`` (SCM_RIGHTS) if any."""
    data = json.dumps(message).encode("utf-8")
    payload = struct.pack("!I", len(data)) + data
    if fds:
        socket.send_fds(sock, [payload], list(fds))
    else:
        sock.sendall(payload)


def receive_message(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """One message and the descriptors sent with it; (None, []) at end of stream."""
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE + 4, 4)
    if not data:
        return None, list(fds)
    while len(data) < 4 or len(data) < 4 + struct.unpack("!I", data[:4])[0]:
        more = sock.recv(MAX_MESSAGE)
        if not more:
            return None, list(fds)
        data += more
    size = struct.unpack("!I", data[:4])[0]
    return json.loads(data[4 : 4 + size].decode("utf-8")), list(fds)


# ------------------------------------------------------------------------------------------
# Warming up
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


def regions_to_warm(area_codes: Sequence[str], workers: int) -> list[str]:
    """What bases a batch's templates should draw, for the areas it runs the regional maps
    notebook for: England's code when there are at least :data:`WARM_REGION_RUNS_PER_WORKER`
    such reports per worker, and each region with that many of its authorities; sorted."""
    from collections import Counter

    from analysis.methods import areas

    enough = WARM_REGION_RUNS_PER_WORKER * max(1, workers)
    counts = Counter()
    for code in area_codes:
        area = areas.get_area(code)
        if area.level == "utla" and area.region_code:
            counts[area.region_code] += 1
    wanted = [code for code, n in counts.items() if n >= enough]
    if len(area_codes) >= enough:
        wanted.append(config.ENGLAND_CODE)
    return sorted(wanted)


def warm() -> None:
    """Fill the per-process caches every topic notebook uses (never changes global settings)."""
    from analysis.data import build, sources, tables
    from analysis.methods import deprivation, indicators, prevalence
    from analysis.present import homelessness, maps

    for name in sorted(build.TABLES):
        tables.read_table(name)
    sources.load_manifest()
    for level in ("utla", "region", "country"):
        maps.boundaries(level)
    prevalence.list_survey_years()
    deprivation.deprivation_by_authority(deprivation.DEFAULT_DOMAIN)  # England-wide; as deprivation_for_area asks
    for indicator in indicators.list_indicators():
        indicators.compute_indicator(indicator, confidence=config.DEFAULT_CONFIDENCE)
    homelessness.model_for_year(None)  # chapter 2's England-wide deprivation model, latest year (the default)
    # the figure bases the batch asked for (WARM_REGIONS_ENV): its reports' maps are drawn over them
    wanted = [code for code in os.environ.get(WARM_REGIONS_ENV, "").split(",") if code]
    if wanted:
        maps.warm_bases([c for c in wanted if c != config.ENGLAND_CODE], england=config.ENGLAND_CODE in wanted)
        maps.warm_chart_data()  # the data under chapter 3's maps, the same in every report


# ------------------------------------------------------------------------------------------
# The template
# ------------------------------------------------------------------------------------------


def _reap(signum: int, frame: Any) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop_kernels(timeout: float = KERNEL_STOP_SECONDS) -> list[int]:
    """Kill the kernels this template forked that are still running and wait for them (up to
    ``timeout`` seconds); return the pids of any still running after that."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # psutil reaps them now
    return [process.pid for process in kill_and_wait(psutil.Process().children(), timeout)]


def _stop(signum: int, frame: Any) -> None:
    """SIGTERM in the template (its worker is being stopped): stop the kernels, then exit."""
    stop_kernels()
    raise SystemExit(128 + signum)


def serve(fd: int) -> None:
    """The template process: import, warm up, then fork a kernel for each request on socket ``fd``."""
    import gc

    sock = socket.socket(fileno=fd)
    base_path0 = sys.path[0] if sys.path else None
    if not os.environ.get("MPLBACKEND"):  # what ipykernel does before any user code runs
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    signal.signal(signal.SIGTERM, _stop)
    preload()
    try:
        warm()
    except Exception:
        pass
    if "matplotlib_inline.backend_inline" in sys.modules:  # must be set up by each kernel's own shell
        send_message(sock, {"error": "the template loaded the inline backend"})
        return
    gc.collect()
    gc.freeze()  # kernels share the template's objects without the collector touching them
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        try:
            request, fds = receive_message(sock)
        except InterruptedError:
            continue
        except OSError:
            request, fds = None, []
        for extra in fds:
            os.close(extra)
        if request is None:  # the worker closed its end: stop what is left, and exit
            stop_kernels()
            return
        if threading.active_count() != 1:
            send_message(sock, {"error": "the kernel template is running threads and cannot fork safely"})
            continue
        _fork_kernel(request, sock, base_path0)


def _fork_kernel(request: dict, sock: socket.socket, base_path0: str | None) -> None:
    """Fork one kernel for ``request`` and send its pid, pidfd and stdin to the worker.

    In the child this never returns: :func:`become_kernel` ends by raising SystemExit, which
    leaves through :func:`serve` (no ``finally`` on the way) to the interpreter's normal exit.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    stdin_read, stdin_write = os.pipe()  # the kernel's stdin, as jupyter_client's Popen(stdin=PIPE)
    pid = os.fork()
    if pid == 0:
        os.close(stdin_write)
        become_kernel(request, sock, base_path0, stdin_read)
    os.close(stdin_read)
    try:
        pidfd = os.pidfd_open(pid)
    except OSError as exc:
        os.close(stdin_write)
        send_message(sock, {"error": f"no pidfd for the kernel: {exc}"})
        os.kill(pid, signal.SIGKILL)
        return
    try:
        send_message(sock, {"pid": pid}, [pidfd, stdin_write])
    finally:
        os.close(pidfd)
        os.close(stdin_write)


def become_kernel(request: dict, sock: socket.socket, base_path0: str | None, stdin_fd: int) -> None:
    """In the forked child: become ``python -m ipykernel_launcher -f FILE``; end in SystemExit.

    The kernel's exit status is that of ``IPKernelApp.launch_instance`` (0 when it returns,
    the code of a SystemExit it raises, 1 with the traceback printed for any other error),
    as for a kernel started by ``ipykernel_launcher``.
    """
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    try:
        sock.close()
        os.setsid()  # jupyter_client starts kernels in a new session (start_new_session=True)
        os.dup2(stdin_fd, 0)
        os.close(stdin_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        parent = os.getppid()
        os.environ["JPY_PARENT_PID"] = str(parent)
        if not os.environ.get("MPLBACKEND"):
            os.environ["MPLBACKEND"] = INLINE_BACKEND
        if sys.path and sys.path[0] == base_path0:
            del sys.path[0]  # as ipykernel_launcher does; the kernel's shell adds '' back
        import ipykernel_launcher

        options = list(request.get("options", []))  # e.g. config.KERNEL_ARGUMENTS
        sys.argv = [ipykernel_launcher.__file__, "-f", request["connection_file"], *options]
        reseed()
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(
            argv=["-f", request["connection_file"], f"--IPKernelApp.parent_handle={parent}", *options]
        )
    except SystemExit:
        raise
    except BaseException:
        import traceback

        traceback.print_exc()
        raise SystemExit(1) from None
    raise SystemExit(0)


def reseed() -> None:
    """Give this (forked) process its own random state: Python's ``random`` and NumPy's global
    generator, both seeded from the operating system's entropy as in a new process.

    CPython already reseeds ``random`` in a forked child (``os.register_at_fork`` in
    ``random.py``); NumPy does not, so without this every kernel of one template would draw
    the same NumPy numbers.
    """
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
