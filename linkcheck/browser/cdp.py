"""Chromium driven over the DevTools protocol on its own pipe (``--remote-debugging-pipe``):
commands and answers are JSON messages ended by a NUL byte, Chromium reading fd 3 and
writing fd 4. No websocket, no port anyone else on the machine could connect to, no
library to install: the transport is Chromium's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

# A DOM serialised by Runtime.evaluate can be large; one message must fit.
_MESSAGE_LIMIT = 64 * 1024 * 1024
# The longest any one command may take: a page that never yields (`while (true) {}`) blocks
# its renderer, and Runtime.evaluate has no deadline of its own (issue 25, item 4).
CALL_SECONDS = 10.0


class BrowserError(Exception):
    """Chromium could not be started, or stopped answering."""


class BrowserTimeout(BrowserError):
    """A command, or a page, took longer than its deadline."""


class Chromium:
    """One Chromium process and its protocol pipe."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._writer: Any = None
        self._reader: asyncio.StreamReader | None = None
        self._next_id = 0
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._pump: asyncio.Task[None] | None = None

    async def start(self, executable: str, flags: Sequence[str]) -> None:
        ours_read, theirs_write = os.pipe()
        theirs_read, ours_write = os.pipe()
        # bash puts the pipe's ends at the fd numbers Chromium reads, closing the originals.
        command = " ".join(shlex.quote(part) for part in (executable, *flags))
        script = (
            f"exec 3<&{theirs_read} 4>&{theirs_write} {theirs_read}<&- {theirs_write}>&-; "
            f"exec {command}"
        )
        try:
            self._process = await asyncio.create_subprocess_exec(
                "/bin/bash",
                "-c",
                script,
                pass_fds=(theirs_read, theirs_write),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True,  # its helpers die with it (close kills the group)
            )
        except OSError as error:
            for fd in (ours_read, theirs_write, theirs_read, ours_write):
                os.close(fd)
            raise BrowserError(f"cannot start {executable}: {error}") from None
        os.close(theirs_read)
        os.close(theirs_write)
        loop = asyncio.get_running_loop()
        reader = self._reader = asyncio.StreamReader(limit=_MESSAGE_LIMIT)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(ours_read, "rb", 0)
        )
        self._writer = os.fdopen(ours_write, "wb", 0)
        self._pump = asyncio.ensure_future(self._read_messages())

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        *,
        timeout: float = CALL_SECONDS,
    ) -> dict[str, Any]:
        """Send a command and wait for its answer, timeout seconds at most; raises
        BrowserTimeout past it, BrowserError on a protocol error or when Chromium is gone."""
        if self._writer is None or self._pump is None or self._pump.done():
            raise BrowserError("Chromium is not running")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[self._next_id] = answer
        try:
            self._writer.write(json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise BrowserError(f"Chromium stopped reading: {error}") from None
        try:
            reply = await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            self._answers.pop(message["id"], None)
            raise BrowserTimeout(f"{method}: no answer in {timeout:g} s") from None
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message', reply['error'])}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def events(self, session: str) -> asyncio.Queue[dict[str, Any]]:
        """The events of one attached target, in order."""
        return self._events[session]

    def forget(self, session: str) -> None:
        self._events.pop(session, None)

    async def _read_messages(self) -> None:
        try:
            while (message := await self._next_message()) is not None:
                if "id" in message:
                    answer = self._answers.pop(message["id"], None)
                    if answer is not None and not answer.done():
                        answer.set_result(message)
                elif "sessionId" in message:
                    self._dismiss_dialog(message)
                    self._events[message["sessionId"]].put_nowait(message)
        finally:
            for answer in self._answers.values():
                if not answer.done():
                    answer.set_result({"error": {"message": "Chromium exited"}})
            self._answers.clear()

    def _dismiss_dialog(self, event: dict[str, Any]) -> None:
        """An alert, confirm or prompt blocks its page until answered: dismissed as it
        opens, so no page can hold a tab (or our next command) with one."""
        if event.get("method") != "Page.javascriptDialogOpening" or self._writer is None:
            return
        self._next_id += 1
        message = {
            "id": self._next_id,
            "method": "Page.handleJavaScriptDialog",
            "params": {"accept": False},
            "sessionId": event["sessionId"],
        }
        with contextlib.suppress(OSError):
            self._writer.write(json.dumps(message).encode() + b"\0")

    async def _next_message(self) -> dict[str, Any] | None:
        """The next message, None once Chromium has closed the pipe (it exited)."""
        assert self._reader is not None
        try:
            raw = await self._reader.readuntil(b"\0")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        try:
            message = json.loads(raw[:-1])
        except ValueError:
            return None  # not the protocol: treated as the end of it
        return message if isinstance(message, dict) else None

    async def close(self) -> None:
        """Ask Chromium to quit; kill its process group if it does not within 5 s."""
        process = self._process
        if process is None:
            return
        self._process = None
        with contextlib.suppress(BrowserError, TimeoutError):
            await asyncio.wait_for(self.call("Browser.close"), 2)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # helpers left behind
            if self._writer is not None:
                with contextlib.suppress(OSError):
                    self._writer.close()
            if self._pump is not None:
                self._pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._pump
