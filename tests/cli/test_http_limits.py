"""The shared server's protections: TLS for remote use, read and idle timeouts, a connection cap,
and `journal-mcp http-headers` (how clients get the token without a config file holding it)."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx2
import pytest

from journal_mcp.core.config import Settings
from journal_mcp.core.errors import InvalidInputError, StorageError
from journal_mcp.core.httpheaders import headers, read_token
from journal_mcp.server.httpguard import Limits, tls_options
from journal_mcp.server.httpserve import check_host, load_or_create_token
from tests.cli.conftest import run_subprocess
from tests.httpserver import free_port, start_server


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl for this test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes `sock` (recv gives b'' or a reset) before `within` seconds pass."""
    sock.settimeout(within)
    try:
        while True:
            if sock.recv(4096) == b"":
                return True
    except TimeoutError:
        return False
    except ConnectionError:
        return True


# -- TLS and remote use ----------------------------------------------------------------------------


def test_remote_needs_tls_or_an_explicit_insecure_flag() -> None:
    check_host("127.0.0.1", allow_remote=False)
    with pytest.raises(InvalidInputError, match="--allow-remote"):
        check_host("0.0.0.0", allow_remote=False, tls=True)
    with pytest.raises(InvalidInputError, match=r"in clear.*--tls-cert.*--insecure"):
        check_host("0.0.0.0", allow_remote=True)
    check_host("0.0.0.0", allow_remote=True, tls=True)
    check_host("0.0.0.0", allow_remote=True, insecure=True)


@pytest.mark.subprocess
def test_allow_remote_without_tls_is_refused_before_anything_starts(journal_env: dict[str, str]) -> None:
    result = run_subprocess(
        journal_env, "serve", "--http", "--host", "0.0.0.0", "--allow-remote", "--port", str(free_port()), timeout=60
    )
    assert result.code == 2, result.err
    assert "in clear" in result.err and "--tls-cert" in result.err and "--insecure" in result.err
    assert not (Path(journal_env["HOME"]) / ".private-journal" / "http-token").exists()


def test_tls_files_are_checked_up_front(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    assert tls_options(cert, key) == {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    assert tls_options(None, None) == {}
    with pytest.raises(InvalidInputError, match="go together"):
        tls_options(cert, None)
    with pytest.raises(InvalidInputError, match="is not a file"):
        tls_options(cert, tmp_path / "missing.pem")
    with pytest.raises(InvalidInputError, match="do not load as a PEM certificate"):
        tls_options(key, cert)  # swapped


@pytest.mark.subprocess
def test_tls_serves_https_and_nothing_in_clear(journal_env: dict[str, str], tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with contextlib.closing(
        start_server(journal_env, tmp_path, args=["--tls-cert", str(cert), "--tls-key", str(key)], tls_ca=cert)
    ) as running:
        server = next(running)
        assert server.url.startswith("https://127.0.0.1:")
        assert f"serving MCP over streamable HTTP at {server.url}" in server.stdout.read_text(encoding="utf-8")
        answer = httpx2.get(
            server.url,
            verify=ssl.create_default_context(cafile=str(cert)),
            headers={"Authorization": f"Bearer {server.token}"},
        )
        assert answer.status_code != 401  # the token got through, encrypted
        with pytest.raises(httpx2.HTTPError):
            httpx2.get(server.url.replace("https://", "http://"), timeout=5)
        with pytest.raises(httpx2.HTTPError):  # a client that does not trust the certificate is stopped by TLS
            httpx2.get(server.url, timeout=5)
        ctx = ssl.create_default_context(cafile=str(cert))
        with (
            socket.create_connection(("127.0.0.1", port_of(server.url))) as raw,
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


# -- timeouts and the connection cap -------------------------------------------------------------


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.mark.subprocess
def test_slow_and_silent_clients_are_disconnected(journal_env: dict[str, str], tmp_path: Path) -> None:
    """The issue's case: five clients that trickle a request (or say nothing) no longer stay connected."""
    args = ["--read-timeout", "1", "--idle-timeout", "1"]
    with contextlib.closing(start_server(journal_env, tmp_path, args=args)) as running:
        server = next(running)
        port = port_of(server.url)
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        trickling = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        started = time.monotonic()
        for _ in range(8):  # a header byte every 0.25 s keeps resetting an idle timer, not a read deadline
            for sock in trickling:
                with contextlib.suppress(OSError):
                    sock.send(b"G" if time.monotonic() - started < 0.1 else b"E")
            time.sleep(0.25)
        for sock in silent + trickling:
            assert closed_by_server(sock, within=10), "the server kept a slow client connected"
            sock.close()
        # A real client is still served afterwards.
        assert httpx2.get(server.url, timeout=10).status_code == 401


@pytest.mark.subprocess
def test_an_idle_keep_alive_connection_is_closed(journal_env: dict[str, str], tmp_path: Path) -> None:
    with contextlib.closing(start_server(journal_env, tmp_path, args=["--idle-timeout", "1"])) as running:
        server = next(running)
        with socket.create_connection(("127.0.0.1", port_of(server.url))) as sock:
            sock.sendall(b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(10)
            assert sock.recv(4096).startswith(b"HTTP/1.1 401")
            assert closed_by_server(sock, within=10)


@pytest.mark.subprocess
def test_connections_past_the_cap_are_refused(journal_env: dict[str, str], tmp_path: Path) -> None:
    args = ["--max-connections", "3", "--read-timeout", "30"]
    with contextlib.closing(start_server(journal_env, tmp_path, args=args)) as running:
        server = next(running)
        port = port_of(server.url)
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        time.sleep(0.5)  # let the server accept them
        extra = socket.create_connection(("127.0.0.1", port))
        assert closed_by_server(extra, within=10)
        extra.close()
        for sock in held:  # the three within the cap are still open
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
            sock.close()
        time.sleep(0.5)
        assert httpx2.get(server.url, timeout=10).status_code == 401  # room again once they went


def test_limits_are_checked() -> None:
    Limits().check()
    for bad, match in ((Limits(read_timeout=0), "--read-timeout"), (Limits(idle_timeout=0), "--idle-timeout"),
                       (Limits(max_connections=0), "--max-connections")):  # fmt: skip
        with pytest.raises(InvalidInputError, match=match):
            bad.check()


# -- journal-mcp http-headers ----------------------------------------------------------------------


def test_http_headers_reads_the_servers_token_and_names_the_project(journal_env: dict[str, str]) -> None:
    settings = Settings.from_env(journal_env)
    with pytest.raises(StorageError, match=r"No token yet.*journal-mcp serve --http"):
        read_token(settings, {})
    token = load_or_create_token(settings, {}).value
    project = Path(journal_env["CLAUDE_PROJECT_DIR"])
    assert headers(settings, project, {}) == {
        "Authorization": f"Bearer {token}",
        "X-Private-Journal-Project": str(project.resolve()),
    }
    # No project: the home directory, which the server reads as "no project" (notes go to the user journal).
    assert headers(settings, None, {})["X-Private-Journal-Project"] == str(Path.home())
    assert headers(settings, None, {"CLAUDE_PROJECT_DIR": str(project)})["X-Private-Journal-Project"] == str(
        project.resolve()
    )
    with pytest.raises(InvalidInputError, match="--project must be an existing directory"):
        headers(settings, project / "missing", {})


@pytest.mark.subprocess
def test_http_headers_command(journal_env: dict[str, str]) -> None:
    missing = run_subprocess(journal_env, "http-headers", timeout=60)
    assert missing.code == 1 and "No token yet" in missing.err and missing.out == ""
    token = load_or_create_token(Settings.from_env(journal_env), {}).value
    project = journal_env["CLAUDE_PROJECT_DIR"]
    result = run_subprocess(journal_env, "http-headers", "--project", project, timeout=60)
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"Authorization": f"Bearer {token}", "X-Private-Journal-Project": project}
    only = run_subprocess(journal_env, "http-headers", "--token", timeout=60)
    assert only.out.strip() == token
