"""Warm kernels (analysis.run.kernels): a batch run's kernel forked from a template behaves as a fresh one.

Each test runs real kernels through :func:`analysis.run.runner.execute_run`, as a batch worker
does, with warm kernels on and off. The notebook that reports on its own kernel is a
fixture written here (fixture_kernel_facts); the failing ones are the batch fixtures.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from analysis import config
from analysis.methods import areas
from analysis.present import publish, report
from analysis.run import kernels, runner

pytestmark = pytest.mark.notebook

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
FACTS_CELLS = [
    "area: str = 'E10000014'  # authority code or name",
    "import json, os, signal, sys\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "from analysis.methods import population\n"
    "from analysis.present import report\n"
    "facts = {\n"
    "    'cwd': os.getcwd(), 'argv0': os.path.basename(sys.argv[0]), 'argv1': sys.argv[1],\n"
    "    'path': sys.path[:2], 'backend': matplotlib.get_backend(),\n"
    "    'env': {k: os.environ.get(k) for k in ('ANALYSIS_ROOT', 'MPLBACKEND', 'FIXTURE_MARK')},\n"
    "    'sigint': str(signal.getsignal(signal.SIGINT)), 'sigchld': str(signal.getsignal(signal.SIGCHLD)),\n"
    "    'sigterm': str(signal.getsignal(signal.SIGTERM)),\n"
    "    'session_leader': os.getsid(0) == os.getpid(), 'stdin': os.readlink('/proc/self/fd/0').split(':')[0],\n"
    "    'leaked_from_an_earlier_run': 'fixture_leak' in globals(),\n"
    "    'population': float(population.total_population(area).iloc[0]),\n"
    "    'history_file': str(get_ipython().history_manager.hist_file),\n"
    "}\n"
    "fixture_leak = True\n"
    "import random, numpy\n"
    "draws = json.dumps({'random': random.random(), 'numpy': float(numpy.random.random())})\n"
    "report.record(pid=os.getpid(), ppid=os.getppid(), facts=json.dumps(facts, sort_keys=True), draws=draws)",
    "fig, ax = plt.subplots(figsize=(2, 1))\n"
    "_ = ax.plot([0, 1], [0, 1])  # left open: the inline backend shows it, as in any kernel",
]


@pytest.fixture(scope="module")
def facts_notebook(tmp_path_factory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {
        "name": config.KERNEL_NAME,
        "display_name": config.KERNEL_DISPLAY_NAME,
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(FACTS_CELLS[0], metadata={"tags": ["parameters"]}),
        *[nbformat.v4.new_code_cell(source) for source in FACTS_CELLS[1:]],
    ]
    path = tmp_path_factory.mktemp("kernels") / "fixture_kernel_facts.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def warm(kernel_template):
    """Warm kernels on for a test (its fresh runs call kernels.enable(False))."""
    assert kernels.enable()
    yield
    kernels.enable(False)


def execute(run: runner.Run) -> runner.RunOutcome:
    """Execute a run as a batch worker does, in an environment that stays the same from run to run.

    (pytest names the current test in PYTEST_CURRENT_TEST; a batch worker's environment never
    changes, and a template only forks kernels for the environment it was started with.)
    """
    os.environ["PYTEST_CURRENT_TEST"] = "tests/test_kernels.py (a batch worker)"
    return runner.execute_run(run)


def make_run(notebook: Path, reports: Path, area_code: str = "E06000045", **parameters) -> runner.Run:
    area = areas.get_area(area_code)
    values = {"area": area.code, **parameters}
    return runner.Run(
        area_code=area.code,
        area_name=area.name,
        report_slug=area.report_slug,
        notebook=notebook.stem,
        notebook_path=str(notebook),
        parameters=values,
        reports_dir=str(reports),
        project_root=str(config.project_root()),
        fingerprint="fixture",
        publication_fingerprint="fixture",
        timeout=60,
        page=publish.report_page(
            area,
            notebook.stem,
            values,
            {"version": "fixture", "commit": None, "geography": "", "data": []},
            notebook_dir=notebook.parent,
        ),
    )


def outputs_of(path: Path) -> list:
    """Every output of the executed notebook but its records (which hold process ids)."""
    nb = nbformat.read(str(path), as_version=4)
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = {mime: value for mime, value in output.get("data", {}).items() if mime != report.RECORD_MIME}
            out.append((output.get("output_type"), data, output.get("text")))
    return out


def facts_of(outcome: runner.RunOutcome) -> dict:
    records = report.read_records(outcome.executed)
    return {**records, "facts": json.loads(records["facts"])}


def test_a_warm_kernel_behaves_as_a_fresh_one(facts_notebook, tmp_path, warm):
    first = execute(make_run(facts_notebook, tmp_path / "warm1"))
    second = execute(make_run(facts_notebook, tmp_path / "warm2"))
    template = kernels.template_pid()
    kernels.enable(False)
    fresh = execute(make_run(facts_notebook, tmp_path / "fresh"))
    assert [o.status for o in (first, second, fresh)] == ["ran", "ran", "ran"], [first.error, fresh.error]
    warm1, warm2, cold = facts_of(first), facts_of(second), facts_of(fresh)
    assert template is not None and warm1["ppid"] == template and warm2["ppid"] == template
    assert cold["ppid"] == os.getpid()  # a fresh kernel is this process's child
    assert len({warm1["pid"], warm2["pid"], cold["pid"]}) == 3  # one new kernel process per run
    assert warm1["facts"] == warm2["facts"] == cold["facts"]
    assert cold["facts"]["leaked_from_an_earlier_run"] is False
    assert cold["facts"]["session_leader"] and cold["facts"]["stdin"] == "pipe"
    assert cold["facts"]["backend"] == "module://matplotlib_inline.backend_inline"
    # batch kernels keep their history in memory, not in the user's shared ~/.ipython database
    assert cold["facts"]["history_file"] == ":memory:"
    assert cold["facts"]["population"] == areas_population("E06000045")
    assert outputs_of(Path(first.executed)) == outputs_of(Path(fresh.executed))
    assert any("image/png" in data for _, data, _ in outputs_of(Path(first.executed)))  # the open figure


def areas_population(code: str) -> float:
    from analysis.data import tables

    pop = tables.read_table("population")
    return float(pop.loc[(pop["area_code"] == code) & (pop["sex"] == "persons"), "population"].sum())


def test_a_topic_notebook_gives_the_same_records_and_html_warm_or_fresh(tmp_path, warm):
    notebook = config.NOTEBOOKS_DIR / "04_young_people_14_18.ipynb"
    warm_run = execute(make_run(notebook, tmp_path / "warm", "E10000014"))
    kernels.enable(False)
    fresh_run = execute(make_run(notebook, tmp_path / "fresh", "E10000014"))
    assert warm_run.status == fresh_run.status == "ran"
    assert report.read_records(warm_run.executed) == report.read_records(fresh_run.executed)
    warm_html = Path(warm_run.html).read_text(encoding="utf-8")
    fresh_html = Path(fresh_run.html).read_text(encoding="utf-8")
    assert warm_html == fresh_html


def test_another_environment_gets_a_fresh_kernel(facts_notebook, tmp_path, warm, monkeypatch):
    first = execute(make_run(facts_notebook, tmp_path / "one"))
    template = kernels.template_pid()
    monkeypatch.setenv("FIXTURE_MARK", "changed")  # not in the template's environment
    second = execute(make_run(facts_notebook, tmp_path / "two"))
    assert first.status == second.status == "ran" and template is not None
    assert facts_of(first)["ppid"] == template
    assert facts_of(second)["ppid"] == os.getpid()  # not forked from a template with another environment
    assert facts_of(second)["facts"]["env"]["FIXTURE_MARK"] == "changed"


def test_dead_and_timed_out_warm_kernels_are_reported(tmp_path, warm):
    started = kernels.warm_kernels_started()
    dies = execute(make_run(FIXTURES / "fixture_dies.ipynb", tmp_path / "dies"))
    slow = make_run(FIXTURES / "fixture_sleeps.ipynb", tmp_path / "sleeps", seconds=120)
    slow.timeout = 3
    sleeps = execute(slow)
    assert kernels.warm_kernels_started() == started + 2  # both failed runs had warm kernels
    assert dies.failed and dies.cell == 3 and "the kernel died" in dies.error
    assert sleeps.failed and sleeps.cell == 3 and "timed out" in sleeps.error and sleeps.seconds < 60
    template = psutil.Process(kernels.template_pid())
    assert template.children() == []  # no kernel left running
    assert set() == kernels.CONNECTION_FILES


def test_the_template_stops_with_its_worker_and_leaves_nothing(facts_notebook, tmp_path, warm):
    outcome = execute(make_run(facts_notebook, tmp_path / "one"))
    template = psutil.Process(kernels.template_pid())
    kernel = psutil.Process(facts_of(outcome)["pid"]) if psutil.pid_exists(facts_of(outcome)["pid"]) else None
    assert outcome.status == "ran"
    assert kernel is None or psutil.wait_procs([kernel], timeout=30)[1] == []  # killed at shutdown, reaped
    assert set() == kernels.CONNECTION_FILES  # removed by jupyter_client when the kernel shut down
    kernels.disable()  # what happens when a worker exits (atexit) or is stopped
    assert kernels.template_pid() is None
    assert psutil.wait_procs([template], timeout=30)[1] == []  # the worker waited for it: gone at once


def test_each_warm_kernel_has_its_own_random_state(facts_notebook, tmp_path, warm):
    """Forked kernels would all continue the template's random streams; each is reseeded, as a new
    process is (Python's random module and NumPy's global generator)."""
    first = facts_of(execute(make_run(facts_notebook, tmp_path / "one")))
    second = facts_of(execute(make_run(facts_notebook, tmp_path / "two")))
    assert first["ppid"] == second["ppid"] == kernels.template_pid()  # both forked from one template
    first_draws, second_draws = json.loads(first["draws"]), json.loads(second["draws"])
    assert first_draws["random"] != second_draws["random"]
    assert first_draws["numpy"] != second_draws["numpy"]


def _start_run_and_shut_down(marker: Path) -> dict:
    """Start a kernel of the workspace kernelspec with jupyter_client, register an atexit handler
    in it that writes ``marker``, and ask it to shut down (a shutdown request: the kernel exits by
    itself, as when JupyterLab closes it). Returns what the kernel reported and its provisioner."""
    from jupyter_client import KernelManager

    os.environ["PYTEST_CURRENT_TEST"] = "tests/test_kernels.py (a batch worker)"
    manager = KernelManager(kernel_name=config.KERNEL_NAME)
    manager.shutdown_wait_time = 60  # time to exit by itself before jupyter_client would kill it
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        code = f"import atexit, os\natexit.register(lambda: open({str(marker)!r}, 'w').write(str(os.getpid())))"
        expressions = {
            "pid": "os.getpid()",
            "ppid": "os.getppid()",
            "session": "get_ipython().history_manager.session_number",
        }
        reply = client.execute_interactive(code, user_expressions=expressions, timeout=60)
        values = {k: int(v["data"]["text/plain"]) for k, v in reply["content"]["user_expressions"].items()}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    return {**values, "provisioner": type(manager.provisioner).__name__}


def _wait_for_file(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not path.is_file():
        assert time.monotonic() < deadline, f"{path.name} was not written within {timeout} s"
        time.sleep(0.1)
    return path.read_text()


def test_a_warm_kernel_ends_by_normal_exit_and_runs_its_atexit_handlers(tmp_path, warm, monkeypatch):
    """A kernel that exits by itself (a shutdown request) runs its atexit handlers, warm as fresh:
    one of its own and IPython's, which records the end of the kernel's history session. The
    template forks working kernels after one has exited that way (nothing of it was torn down)."""
    import sqlite3

    kernels.disable()  # the template of this test starts with its own IPYTHONDIR
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    try:
        reports = {}
        for label in ("warm", "warm-again", "fresh"):
            kernels.enable(label != "fresh")
            reports[label] = _start_run_and_shut_down(tmp_path / f"{label}.atexit")
            if label == "warm":
                template = kernels.template_pid()
        for label, report_ in reports.items():
            assert _wait_for_file(tmp_path / f"{label}.atexit") == str(report_["pid"]), label
            assert report_["provisioner"] == "WarmProvisioner"  # chosen by the kernelspec's stanza
        assert reports["warm"]["ppid"] == reports["warm-again"]["ppid"] == template != os.getpid()
        assert reports["fresh"]["ppid"] == os.getpid()
        with sqlite3.connect(tmp_path / "ipython" / "profile_default" / "history.sqlite") as db:
            ended = dict(db.execute("SELECT session, end FROM sessions").fetchall())
        assert all(ended[report_["session"]] is not None for report_ in reports.values()), ended
    finally:
        kernels.disable()


def test_the_provisioner_stanza_is_added_to_a_kernelspec(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    spec_dir = tmp_path / "jupyter" / "kernels" / "fixture-kernel"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "x"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    assert not kernels.has_provisioner("fixture-kernel")
    assert kernels.add_provisioner("fixture-kernel") == spec_dir / "kernel.json"
    spec = KernelSpecManager().get_kernel_spec("fixture-kernel")
    assert spec.metadata["kernel_provisioner"] == {"provisioner_name": kernels.PROVISIONER_NAME, "config": {}}
    assert kernels.has_provisioner("fixture-kernel") and kernels.has_provisioner(config.KERNEL_NAME)  # make setup
    assert KernelProvisionerFactory.instance().is_provisioner_available(spec)  # the entry point is installed


def test_kernel_commands_other_than_ipykernel_are_not_forked():
    assert kernels.warm_command(
        ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "/run/kernel-1.json"]
    ) == (["/venv/bin/python", "-Xfrozen_modules=off"], [])
    assert kernels.warm_command(["/venv/bin/python", "-m", "ipykernel_launcher", "-f", "k.json"]) == (
        ["/venv/bin/python"],
        [],
    )
    # nbclient's extra_arguments follow the connection file: passed on to the forked kernel
    assert kernels.warm_command(
        ["/venv/bin/python", "-m", "ipykernel_launcher", "-f", "k.json", "--HistoryManager.hist_file=:memory:"]
    ) == (["/venv/bin/python"], ["--HistoryManager.hist_file=:memory:"])
    assert kernels.warm_command(["/venv/bin/python", "-m", "ipykernel_launcher", "-f", "k.json", "run.py"]) is None
    assert kernels.warm_command(["/usr/bin/R", "--slave", "-e", "IRkernel::main()", "--args", "k.json"]) is None
    assert kernels.warm_command(["python", "script.py", "-m", "ipykernel_launcher", "-f", "k.json"]) is None


@pytest.mark.parametrize("kind", ["warm", "fresh"])
def test_a_kernel_binds_free_ports_itself(facts_notebook, tmp_path, warm, monkeypatch, kind):
    """jupyter_client picks ports before the kernel binds them; if another process takes one in
    between, the kernel cannot start ("Address already in use", then "Kernel died before replying
    to kernel_info": seen in the suite's own batches on a loaded machine). Every kernel of a
    batch, warm or fresh, binds free ports itself."""
    import socket

    from jupyter_client.connect import LocalPortCache

    if kind == "fresh":
        kernels.enable(False)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1]
    picked = []
    real = LocalPortCache.find_available_port

    def fixture_pick(self, ip):  # the iopub port is one another process holds
        picked.append(busy if len(picked) == 1 else real(self, ip))
        return picked[-1]

    monkeypatch.setattr(LocalPortCache, "find_available_port", fixture_pick)
    try:
        outcome = execute(make_run(facts_notebook, tmp_path / "busy"))
    finally:
        taken.close()
    assert busy in picked and outcome.status == "ran", outcome.error
    parent = kernels.template_pid() if kind == "warm" else os.getpid()
    assert facts_of(outcome)["ppid"] == parent


def test_the_batch_engine_saves_the_notebook_when_a_run_starts_and_ends_only(tmp_path):
    """papermill would rewrite the executed notebook around every cell; the batch engine's manager
    writes it at the start and at the end (and every autosave_cell_every seconds of a long run)."""
    from papermill.engines import papermill_engines

    from analysis.run import engine

    assert engine.engine_name() == engine.ENGINE_NAME  # found in papermill's entry points
    assert papermill_engines.get_engine(engine.ENGINE_NAME) is engine.BatchEngine
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata.papermill = {}
    output = tmp_path / "executed.ipynb"
    manager = engine.FewerSaves(nb, output_path=str(output), progress_bar=False)
    manager.notebook_start()
    assert output.is_file()  # the notebook with its outputs cleared, as papermill writes it
    output.unlink()
    manager.cell_start(nb.cells[0], 0)
    manager.cell_complete(nb.cells[0], 0)
    assert not output.exists()  # not rewritten around the cell
    manager.notebook_complete()
    assert nbformat.read(str(output), as_version=4).cells[0].source == "1 + 1"  # the final write
