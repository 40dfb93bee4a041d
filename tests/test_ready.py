"""Kernel start and end without fixed pauses (analysis.run.ready, WarmProvisioner.kill).

Real kernels of the workspace kernelspec, fresh and warm: a :class:`ReadyClient` is ready
when its kernel answered and IOPub caught up, and the first execution sees only its own
output; a kernel that died is reported; a killed warm kernel has exited when ``kill`` returns.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from analysis import config
from analysis.run import kernels
from analysis.run.ready import ReadyClient, ReadyKernelManager

pytestmark = pytest.mark.notebook


@pytest.fixture
def same_environment(kernel_template):
    """Fresh kernels again after the test (the module's template is kept for the next)."""
    yield
    kernels.enable(False)


async def _outputs(client: ReadyClient, code: str) -> list[dict]:
    """The IOPub messages whose parent is one execution of ``code``, up to its idle status."""
    msg_id = client.execute(code)
    seen = []
    while True:
        msg = await client.iopub_channel.get_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            seen.append(("other", msg["msg_type"]))
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen
        seen.append((msg["msg_type"], msg["content"]))


async def _start(warm: bool) -> tuple[ReadyKernelManager, ReadyClient]:
    """A kernel of the workspace kernelspec (warm: forked from this process's template) and its client.

    pytest names the current test and phase in PYTEST_CURRENT_TEST; a batch worker's environment
    never changes, and a template forks kernels only for the environment it was started with.
    """
    os.environ["PYTEST_CURRENT_TEST"] = "tests/test_ready.py (a batch worker)"
    kernels.enable(warm)
    manager = ReadyKernelManager(kernel_name=config.KERNEL_NAME)
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    return manager, client


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_a_ready_client_is_ready_and_iopub_holds_nothing_from_before(warm, same_environment):
    async def scenario():
        manager, client = await _start(warm)
        try:
            assert isinstance(client, ReadyClient)
            await client.wait_for_ready(timeout=120)
            seen = await _outputs(client, "print('the first cell')")
            parent_pid = (await _outputs(client, "import os; print(os.getppid())"))[-1][1]["text"]
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
        return seen, int(parent_pid)

    seen, parent_pid = asyncio.run(scenario())
    # everything published before the kernel was ready was read (and dropped) by wait_for_ready
    assert [kind for kind, _ in seen] == ["status", "execute_input", "stream"], seen
    assert seen[-1][1]["text"] == "the first cell\n"
    assert (parent_pid != os.getpid()) is warm  # a warm kernel is the template's child


def test_wait_for_ready_says_when_the_kernel_died(same_environment):
    async def scenario():
        manager, client = await _start(False)
        try:
            os.kill(manager.provisioner.pid, signal.SIGKILL)
            await manager.provisioner.wait()
            with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
                await client.wait_for_ready(timeout=120)
            with pytest.raises(ValueError, match="timeout must be positive"):
                await client.wait_for_ready(timeout=0)
        finally:
            client.stop_channels()
            await manager.cleanup_resources()

    asyncio.run(scenario())


def test_a_killed_warm_kernel_has_exited_when_kill_returns(same_environment):
    async def scenario():
        manager, client = await _start(True)
        try:
            await client.wait_for_ready(timeout=120)
            assert isinstance(manager.provisioner.process, kernels.ForkedKernel)
            await manager.provisioner.kill()
            exited = await manager.provisioner.poll()  # at once: no sleep in between
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
        return exited

    assert asyncio.run(scenario()) is not None
