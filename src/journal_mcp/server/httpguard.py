"""Limits for the shared HTTP server: a read timeout, an idle timeout, a connection cap, and TLS.

uvicorn closes a keep-alive connection that stays idle after a response, but a client that
connects and then sends nothing (or a header byte every few seconds) is held open for ever. The
protocol here gives each request a deadline for arriving in full (`read_timeout`, not reset by
trickled bytes), and refuses connections past `max_connections` at once.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from journal_mcp.core.errors import InvalidInputError

log = logging.getLogger(__name__)

DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_IDLE_TIMEOUT = 30
DEFAULT_MAX_CONNECTIONS = 64


@dataclass(frozen=True)
class Limits:
    read_timeout: float = DEFAULT_READ_TIMEOUT  # seconds for a whole request (head and body) to arrive
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT  # seconds a keep-alive connection may sit unused
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def check(self) -> None:
        if not self.read_timeout > 0:
            raise InvalidInputError(f"--read-timeout must be more than 0 seconds; got {self.read_timeout}.")
        if self.idle_timeout < 1:
            raise InvalidInputError(f"--idle-timeout must be at least 1 second; got {self.idle_timeout}.")
        if self.max_connections < 1:
            raise InvalidInputError(f"--max-connections must be at least 1; got {self.max_connections}.")


def guarded_protocol(limits: Limits) -> type[asyncio.Protocol]:
    """An h11 protocol class for uvicorn that enforces `limits` (uvicorn builds one per connection)."""

    class GuardedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                log.warning("Refused a connection: %d already open (--max-connections).", limits.max_connections)
                self.transport.close()
                return
            self._arm(limits.read_timeout)

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is h11.DONE:  # the whole request is in: the app takes over
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # The next request on this connection: idle time (uvicorn's keep-alive timer), then the read time.
            self._arm(limits.idle_timeout + limits.read_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._read_timed_out)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _read_timed_out(self) -> None:
            self._deadline = None
            if not self.transport.is_closing() and self.conn.their_state is not h11.DONE:
                log.info("Closed a connection that sent no complete request in %.0f s.", limits.read_timeout)
                self.transport.close()

    return GuardedH11Protocol


def tls_options(cert: Path | None, key: Path | None) -> dict[str, Any]:
    """uvicorn's TLS settings, after checking that the certificate and key load together."""
    if cert is None and key is None:
        return {}
    if cert is None or key is None:
        raise InvalidInputError("--tls-cert and --tls-key go together: pass both (PEM files).")
    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise InvalidInputError(f"{flag} {path} is not a file.")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise InvalidInputError(
            f"--tls-cert {cert} and --tls-key {key} do not load as a PEM certificate and its private key: {exc}."
        ) from exc
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
