"""The stdio server stops on SIGINT and SIGTERM at once (Claude Code sends both at session end), keeping
every write it acknowledged; and it still stops when the client closes stdin."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from journal_mcp.core.config import Settings
from journal_mcp.service.journal import Journal

pytestmark = pytest.mark.subprocess

EXIT_WAIT = 5.0  # generous for a loaded machine; before the fix the server ignored SIGINT until stdin closed


class StdioPeer:
    """A raw JSON-RPC client on a real `python -m journal_mcp` process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "journal_mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=env["CLAUDE_PROJECT_DIR"],
        )
        self.send(
            "initialize",
            {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
            rid=0,
        )
        assert self.read()["id"] == 0
        self.send("notifications/initialized", None)

    def send(self, method: str, params: dict[str, Any] | None, rid: int | None = None) -> None:
        assert self.proc.stdin is not None
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if rid is not None:
            message["id"] = rid
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the server closed stdout"
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def acknowledged(answer: dict[str, Any]) -> list[str]:
    assert "error" not in answer and not answer["result"].get("isError"), answer
    return [e["path"] for e in answer["result"]["structuredContent"]["entries"]]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_server_promptly_and_keeps_every_acknowledged_write(
    journal_env: dict[str, str], signum: int
) -> None:
    peer = StdioPeer(journal_env)
    try:
        # Writes pipelined ahead of the signal: some are answered before it lands, maybe not all.
        for i in range(1, 41):
            call = {"name": "process_thoughts", "arguments": {"observations": f"write {i} before the signal"}}
            peer.send("tools/call", call, rid=i)
        acked = [path for _ in range(10) for path in acknowledged(peer.read())]
        assert peer.proc.stdout is not None and peer.proc.stderr is not None
        rest: list[bytes] = []  # answers still in flight, then end of output
        reader = threading.Thread(target=lambda: rest.extend(peer.proc.stdout or ()), daemon=True)
        reader.start()
        sent = time.monotonic()
        peer.proc.send_signal(signum)
        code = peer.proc.wait(timeout=EXIT_WAIT)
        waited = time.monotonic() - sent
        reader.join(EXIT_WAIT)
        acked += [path for line in rest if "id" in (answer := json.loads(line)) for path in acknowledged(answer)]
        stderr = peer.proc.stderr.read().decode()
    finally:
        peer.close()
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    print(f"{signal.Signals(signum).name} -> exit: {waited * 1000:.0f} ms, {len(acked)} writes acknowledged")
    with Journal(Settings.from_env(journal_env)) as journal:
        for path in acked:
            assert "before the signal" in journal.read(path).text


def test_closing_stdin_still_stops_the_server(journal_env: dict[str, str]) -> None:
    peer = StdioPeer(journal_env)
    try:
        peer.send("tools/call", {"name": "process_thoughts", "arguments": {"observations": "last words"}}, rid=1)
        (path,) = acknowledged(peer.read())
        assert peer.proc.stdin is not None
        peer.proc.stdin.close()
        assert peer.proc.wait(timeout=EXIT_WAIT) == 0
    finally:
        peer.close()
    with Journal(Settings.from_env(journal_env)) as journal:
        assert "last words" in journal.read(path).text
