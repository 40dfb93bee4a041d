"""A kernel client that knows its kernel is ready without waiting out a fixed pause.

jupyter_client's ``KernelClient.wait_for_ready`` (8.x) sends ``kernel_info`` until a reply
comes, checks that IOPub is connected by waiting up to 0.2 s for any IOPub message, then
"flushes" IOPub by reading until 0.2 s pass with no message. That last step always waits its
full 0.2 s: every batch run's kernel start idles for at least 0.2 s (608 runs in a national
batch, four on the critical path of one authority's reports).

:class:`ReadyClient` waits for the same two facts without the pause. A kernel answers a
``kernel_info_request`` on the shell channel and publishes, on IOPub, status *busy* before
handling it and status *idle* after it, both with that request as their parent (the Jupyter
messaging protocol, "Kernel status"). The *idle* status for the request proves IOPub is
connected and that everything the kernel published before it has arrived, so nothing is left
to flush. If it does not come within :data:`IOPUB_WAIT_SECONDS` (a subscriber connecting
after the kernel published: ZeroMQ drops those messages), the request is sent again, as
jupyter_client does when IOPub is silent. Anything else read from IOPub on the way (the
kernel's *starting* status, start-up output) is dropped, as jupyter_client's flush drops it;
nbclient reads only messages whose parent is the cell it executes.

Chosen the documented way: nbclient's ``NotebookClient.kernel_manager_class`` (passed
through papermill's engine keyword arguments) is :class:`ReadyKernelManager`, jupyter_client's
``AsyncKernelManager`` whose ``client_class`` and ``client_factory`` traits name :class:`ReadyClient`; the client is
jupyter_client's ``AsyncKernelClient`` with its public ``wait_for_ready`` replaced.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

#: Seconds to wait for a reply on the shell channel before asking again (jupyter_client's 1 s).
REPLY_WAIT_SECONDS = 1.0
#: Seconds to wait, after the reply, for the request's idle status on IOPub before asking again
#: (jupyter_client's 0.2 s for "any IOPub message"): it comes within milliseconds of the reply
#: once IOPub is connected, so a longer wait would only delay a kernel whose IOPub was not yet.
IOPUB_WAIT_SECONDS = 0.2


def _parent_id(msg: dict) -> str | None:
    return (msg.get("parent_header") or {}).get("msg_id")


class ReadyClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose :meth:`wait_for_ready` ends when the kernel is ready (see module)."""

    async def _first(self, channel, msg_type: str, parent: str, deadline: float, **content: Any) -> dict | None:
        """The first message on ``channel`` of ``msg_type`` whose parent is ``parent`` and whose
        content has ``content``'s items (others are read and dropped), or None by ``deadline``."""
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await channel.get_msg(timeout=left)
            except Empty:
                return None
            if (
                msg["msg_type"] == msg_type
                and _parent_id(msg) == parent
                and all(msg["content"].get(k) == v for k, v in content.items())
            ):
                return msg
        return None

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel answered ``kernel_info`` and IOPub delivered that request's idle status.

        Raises
        ------
        ValueError
            ``timeout`` is zero or negative.
        RuntimeError
            The kernel died before replying, or ``timeout`` seconds passed (the messages of
            jupyter_client's own ``wait_for_ready``).
        """
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be positive or None, not {timeout!r}.")
        end = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            reply = await self._first(
                self.shell_channel, "kernel_info_reply", msg_id, min(end, time.monotonic() + REPLY_WAIT_SECONDS)
            )
            idle = reply is not None and await self._first(
                self.iopub_channel,
                "status",
                msg_id,
                min(end, time.monotonic() + IOPUB_WAIT_SECONDS),
                execution_state="idle",
            )
            if idle:
                version = int(reply["content"]["protocol_version"].split(".")[0])
                if version != protocol_version_info[0]:  # as jupyter_client does with the reply
                    self.session.adapt_version = version
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > end:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


class ReadyKernelManager(AsyncKernelManager):
    """jupyter_client's ``AsyncKernelManager`` handing out :class:`ReadyClient` clients."""

    client_class = DottedObjectName("analysis.run.ready.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient)  # AsyncKernelManager sets both traits
