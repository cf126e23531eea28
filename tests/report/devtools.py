"""A small Chrome DevTools Protocol client for the report tests (websockets, sync API).

Starts headless Chromium with the flags the PDF printer uses (`report.pdf.browser_flags`),
with `--remote-debugging-port=0` and no startup window (tabs are opened over DevTools); the browser writes the port it chose into
`DevToolsActivePort` in its profile folder. Commands go over the browser's websocket
with flattened target sessions; every event received is kept, so a test can assert on
console messages, exceptions and network requests after the fact.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from osteomonitor.report.pdf import browser_flags

#: Longest wait for the browser to start, a command to answer or a page to load, s
#: (generous: the test machine may be shared and slow).
TIMEOUT_S = 90.0


class DevToolsError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """One headless Chromium, driven over the DevTools protocol."""

    def __init__(self, binary: str, folder: Path) -> None:
        profile = folder / "profile"
        self._stack = contextlib.ExitStack()
        self._log = (folder / "chromium.log").open("w")
        self.proc = subprocess.Popen(
            # no startup window: with one (about:blank), the first tab's renderer was
            # often gone before its page had loaded (Chromium 156, new headless)
            [binary, *browser_flags(profile), "--remote-debugging-port=0", "--no-startup-window"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            if len(lines) >= 2:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise DevToolsError(f"Chromium did not start (see {folder / 'chromium.log'})")
            time.sleep(0.05)
        self.ws: ClientConnection = self._stack.enter_context(
            connect(f"ws://127.0.0.1:{lines[0]}{lines[1]}", max_size=None, open_timeout=TIMEOUT_S)
        )
        self._next = 0
        #: Every event received: (session id or "", method, params).
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and return its result (events arriving meanwhile are kept)."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._receive(deadline, method)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DevToolsError(f"no answer to {waiting_for} within {TIMEOUT_S:.0f} s")
        try:
            reply: dict[str, Any] = json.loads(self.ws.recv(timeout=left))
        except TimeoutError:
            raise DevToolsError(f"no answer to {waiting_for} within {TIMEOUT_S:.0f} s") from None
        if "method" in reply:
            self.events.append(
                (reply.get("sessionId", ""), reply["method"], reply.get("params", {}))
            )
        return reply

    def wait_event(self, method: str, session: str, since: int = 0) -> dict[str, Any]:
        """The first `method` event of `session` at or after index `since` of `events`."""
        deadline = time.monotonic() + TIMEOUT_S
        i = since
        while True:
            for sid, name, params in self.events[i:]:
                if sid == session and name == method:
                    return params
            i = len(self.events)
            self._receive(deadline, method)

    def open_page(self) -> str:
        """A new tab with the Page, Runtime, Log and Network domains on; its session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        return str(session)

    def load(self, session: str, url: str) -> int:
        """Navigate and wait for the load event; returns the events index before navigating."""
        start = len(self.events)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_event("Page.loadEventFired", session, start)
        # fonts laid out and one frame drawn before anything is measured or printed
        self.evaluate(
            session,
            "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(1))))",
        )
        return start

    def evaluate(self, session: str, expression: str) -> Any:
        """Evaluate JavaScript in the page (promises awaited); its JSON value."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def print_pdf(self, session: str) -> bytes:
        """The page printed to PDF (the page's own @page size and margins)."""
        result = self.send(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
            session,
        )
        return base64.b64decode(result["data"])

    def session_events(self, session: str, since: int = 0) -> list[tuple[str, dict[str, Any]]]:
        """(method, params) of the events of one tab from index `since` on."""
        return [(m, p) for sid, m, p in self.events[since:] if sid == session]

    def close(self) -> None:
        """Close the connection and end the browser (only the process this started)."""
        with contextlib.suppress(Exception):
            self._stack.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
