"""A small local SMTP server (aiosmtpd) that can be slow, refuse, or be down, on demand.

It stores each message it *accepts*, that is each message whose final "." it answered
with 250. A client that hangs up before that reply leaves nothing stored: aiosmtpd
cancels the handler when the connection drops, as a server that has not yet replied has
not taken responsibility for the message (RFC 5321 §6.1).

    server = SmtpServer(port=8105)
    server.start()
    server.slow_seconds = 3         # each message's first delivery waits 3 s before "250"
    server.refuse = {"bad@x": 550}   # a recipient refused, permanently (5xx) or not (4xx)
    server.stop()                   # down: connections refused
    server.messages                 # accepted messages, as email.message.Message
"""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        code = self.server.refuse.get(address.lower())
        if code:
            kind = "mailbox unavailable" if code >= 500 else "try again later"
            return f"{code} {address}: {kind}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, smtp: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content)
        message_id = str(message.get("Message-ID", ""))
        with self.server.lock:
            seen = self.server.attempts.get(message_id, 0)
            self.server.attempts[message_id] = seen + 1
        if self.server.slow_seconds and seen == 0:
            # The reply to the final "." comes late; a client that gives up first closes
            # the connection, this coroutine is cancelled, and nothing is stored.
            await asyncio.sleep(self.server.slow_seconds)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """One aiosmtpd server on 127.0.0.1:`port`, in a thread of this process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.lock = threading.Lock()
        self.messages: list[Message] = []
        self.attempts: dict[str, int] = {}
        self.slow_seconds = 0.0
        self.refuse: dict[str, int] = {}
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(
                _Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10
            )
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def recipients(self) -> list[str]:
        """Each accepted message's To, one entry per message (duplicates show twice)."""
        with self.lock:
            return [str(m.get("To", "")) for m in self.messages]

    def settings(self) -> dict[str, Any]:
        """Django email settings that point at this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
