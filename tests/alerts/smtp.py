"""A real SMTP server for the tests (aiosmtpd, on 127.0.0.1), recording what it accepted."""

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Accepts every email, except to addresses in `refused` (550) and, while `stalled` is
    set, holds every DATA command unanswered (a send in progress, for killing its sender)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.data_started = threading.Event()
        self.stalled = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        while self.stalled.is_set():
            await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "451 4.3.0 Sender went away"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


class SmtpServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.stalled.clear()
        self.controller.stop()
