"""`journal-mcp serve --http` as a real process on a free loopback port, for the tests that need one."""

from __future__ import annotations

import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx2

from journal_mcp.core.config import Settings
from journal_mcp.server.httpserve import TOKEN_ENV, TOKEN_FILE_NAME


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    url: str
    token: str
    stdout: Path
    process: subprocess.Popen[bytes]


def start_server(
    env: dict[str, str],
    workdir: Path,
    cwd: Path | None = None,
    args: Sequence[str] = (),
    tls_ca: Path | None = None,
) -> Iterator[Running]:
    """Start the server, wait until it answers (401 to a request without the token), stop it afterwards.

    `args` go to `journal-mcp serve --http`; with `tls_ca` (the certificate it serves) the URL is https."""
    port = free_port()
    out = workdir / "server.out"
    script = Path(sys.executable).with_name("journal-mcp")
    with open(out, "wb") as sink:
        process = subprocess.Popen(
            [str(script), "serve", "--http", "--port", str(port), *args],
            env=env,
            cwd=cwd or env.get("CLAUDE_PROJECT_DIR") or workdir,
            stdout=sink,
            stderr=subprocess.PIPE,
        )
    url = f"{'https' if tls_ca else 'http'}://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "server died"
            try:
                if (
                    httpx2.get(
                        url, timeout=2, verify=ssl.create_default_context(cafile=str(tls_ca)) if tls_ca else True
                    ).status_code
                    == 401
                ):
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        token = env.get(TOKEN_ENV) or (
            (Settings.from_env(env).user_journal_dir / TOKEN_FILE_NAME).read_text(encoding="utf-8").strip()
        )
        yield Running(url, token, out, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
