"""Sending an owed email (a Delivery or a Digest row) exactly once.

The row is read pending under a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
immediate transactions take the database's write lock) and stays locked until it is marked
sent, failed or skipped: a second task for the same row waits, then finds it no longer pending
and sends nothing. A worker killed before the SMTP server accepted the email rolls the
transaction back: the row stays pending and due, and the retry pass (or the task, should the
broker redeliver it) sends it once.

The one crash window that remains: the SMTP server has accepted the email and the process dies
before the transaction that marks the row sent commits (or the commit itself fails). The row is
still pending afterwards and the email is sent a second time. No local bookkeeping can close
this window, since the server's acceptance and our commit are two systems' writes."""

import contextlib
import logging
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import Membership
from apps.monitoring.models import OutboundMessage, SendStatus

logger = logging.getLogger(__name__)

# What composing a row yields: the email to send, or the reason it must not be sent.
Composer = Callable[[OutboundMessage], EmailMessage | str]


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already_done: int = 0
    retried: int = 0


def retry_in_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter from the attempts made so far."""
    ceiling = settings.ALERTS_SEND_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return random.uniform(ceiling / 2, ceiling)


def first_attempt_at(now: datetime) -> datetime:
    """The due time a pending row is written with: its send is queued at once, and should
    that message be lost with a worker, the retry pass queues it again from then."""
    return now + timedelta(seconds=settings.ALERTS_SEND_CLAIM_SECONDS)


def outbound_due_claim(*, model: type[OutboundMessage], now: datetime, limit: int) -> list[int]:
    """The pending rows whose due time has come (a retry's backoff is over, or a queued send
    never happened), oldest first, each given a new due time a claim's length away before its
    send is queued, so the next pass does not queue it again while it waits in the queue."""
    with scopes_disabled(), transaction.atomic():
        ids = list(
            model.objects.filter(status=SendStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        model.objects.filter(pk__in=ids).update(next_attempt_at=first_attempt_at(now))
    return ids


def sends_queue(*, task, ids: list[int]) -> None:
    """Queue `task` (a send task taking a list of row ids) once the transaction commits, in
    batches of ALERTS_SEND_BATCH rows: one SMTP connection serves each batch."""
    batch = settings.ALERTS_SEND_BATCH
    for start in range(0, len(ids), batch):
        task.delay_on_commit(ids[start : start + batch])


def outbound_retry_queue(*, model: type[OutboundMessage], task, now: datetime) -> list[int]:
    """Queue the sends of the rows that are due again (see `OutboundMessage.next_attempt_at`),
    in batches. Returns their ids."""
    due = outbound_due_claim(model=model, now=now, limit=settings.ALERTS_RETRY_BATCH)
    sends_queue(task=task, ids=due)
    return due


def recipient_unreachable(*, organization_id: int, recipient) -> str | None:
    """Why this member must not be emailed for this organization any more, or None."""
    if not Membership.objects.filter(organization_id=organization_id, user=recipient).exists():
        return f"{recipient} is no longer a member of the organization"
    if not EmailAddress.objects.filter(
        user=recipient, email__iexact=recipient.email, verified=True
    ).exists():
        return f"{recipient} has no verified email address"
    return None


def is_permanent(error: Exception) -> bool:
    """A refusal the server will repeat (SMTP 5xx): retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def outbound_send_batch(*, model: type[OutboundMessage], ids: list[int], compose: Composer):
    """Send each pending row of `ids` over one SMTP connection. Transient failures are left
    pending, due again after a backoff (the retry pass queues them then); permanent ones, and
    transient ones out of attempts, end as failed with the error kept."""
    result = BatchResult()
    connection = get_connection()
    # A batch spans organizations, so the organization scope is off; each row's checks filter
    # by the row's own organization.
    try:
        with scopes_disabled():
            for pk in ids:
                _send_one(model=model, pk=pk, compose=compose, connection=connection, result=result)
    finally:
        _close_quietly(connection)
    return result


def _send_one(*, model, pk, compose, connection, result: BatchResult) -> None:
    with transaction.atomic():
        row = (
            model.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=pk, status=SendStatus.PENDING)
            .first()
        )
        if row is None:
            result.already_done += 1
            return
        email = compose(row)
        if isinstance(email, str):
            logger.info("%s %s not sent: %s", model.__name__, pk, email)
            _mark(row, status=SendStatus.SKIPPED, error=email)
            result.skipped += 1
            return
        email.connection = connection
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as error:
            _close_quietly(connection)
            _record_failure(row, error, result)
            return
        # Crash window (see the module docstring): the server has the email; if this process
        # dies before the commit below, the row stays pending and the email is sent again.
        row.sent_at = timezone.now()
        _mark(row, status=SendStatus.SENT, error="")
        result.sent += 1


def _record_failure(row: OutboundMessage, error: Exception, result: BatchResult) -> None:
    row.attempts += 1
    message = f"{type(error).__name__}: {error}"[:2000]
    if is_permanent(error) or row.attempts >= settings.ALERTS_SEND_MAX_ATTEMPTS:
        logger.warning("%s %s failed for good: %s", type(row).__name__, row.pk, message)
        _mark(row, status=SendStatus.FAILED, error=message)
        result.failed += 1
        return
    logger.info(
        "%s %s failed (attempt %s), retried: %s", type(row).__name__, row.pk, row.attempts, message
    )
    row.next_attempt_at = timezone.now() + timedelta(seconds=retry_in_seconds(row.attempts))
    _mark(row, status=SendStatus.PENDING, error=message)
    result.retried += 1


def _mark(row: OutboundMessage, *, status: str, error: str) -> None:
    row.status = status
    row.last_error = error
    if status != SendStatus.PENDING:
        row.next_attempt_at = None
    row.save(
        update_fields=[
            "status",
            "last_error",
            "attempts",
            "sent_at",
            "next_attempt_at",
            "updated_at",
        ]
    )


def _close_quietly(connection) -> None:
    # A connection the server dropped mid-send cannot be closed cleanly; the next send opens
    # a new one either way.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()
