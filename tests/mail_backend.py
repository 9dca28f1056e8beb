"""An email backend for tests that run a real Celery worker: one file per message.

Set EMAIL_BACKEND=tests.mail_backend.EmailBackend and EMAIL_FILE_PATH to a directory.
While the file named by MAIL_BLOCK_FILE exists, each send first drops a `sending-*`
marker and then waits, so that a test can kill the worker in the middle of a send,
before the message is delivered (the moment an SMTP server has not yet accepted it).
"""

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        block = os.environ.get("MAIL_BLOCK_FILE")
        for message in email_messages:
            name = uuid.uuid4().hex
            if block:
                (directory / f"sending-{name}").touch()
                while Path(block).exists():
                    time.sleep(0.05)
            # Written whole, then renamed: a reader never sees half a message.
            partial = directory / f".{name}.partial"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(directory / f"{name}.eml")
        return len(email_messages)
