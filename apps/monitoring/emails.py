"""The alert and digest emails, and the signed one-click unsubscribe links they carry.

Every email has a plain-text and an HTML part rendered from templates/emails/alerts/; the HTML
is styled inline, loads no remote image, and every text that comes from a platform (titles,
headings, clause text) goes through the template's autoescaping. Links are absolute (SITE_URL).
The unsubscribe link is signed and dated, and the `List-Unsubscribe` / `List-Unsubscribe-Post`
headers let mail clients offer one-click unsubscribe (RFC 8058)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from apps.core.exceptions import ApplicationError
from apps.documents.diffing import text_diff
from apps.documents.models import ChangeEvent
from apps.provisions.models import ImpactStatus, ProvisionImpact

UNSUBSCRIBE_SALT = "monitoring.unsubscribe"


def unsubscribe_token(*, organization_id: int, user_id: int) -> str:
    return signing.dumps({"o": organization_id, "u": user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, int]:
    """The (organization id, user id) a link was made for. Raises ApplicationError for a link
    that was tampered with or is older than ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS."""
    try:
        data = signing.loads(
            token,
            salt=UNSUBSCRIBE_SALT,
            max_age=timedelta(days=settings.ALERTS_UNSUBSCRIBE_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired as error:
        raise ApplicationError(
            "This unsubscribe link has expired. Sign in and change your alert preferences on "
            "your organization's dashboard instead."
        ) from error
    except signing.BadSignature as error:
        raise ApplicationError(
            "This unsubscribe link is not valid. Use the link of a recent email, or sign in and "
            "change your alert preferences."
        ) from error
    return data["o"], data["u"]


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class ClauseChange:
    """An affected provision as an email shows it: the words that changed in its clause."""

    impact: ProvisionImpact
    tracked: bool
    segments: list[tuple[str, str]]
    url: str


def clause_changes(impacts: list[ProvisionImpact], tracked: set[int]) -> list[ClauseChange]:
    changes = []
    for impact in impacts:
        provision = impact.provision
        if impact.status == ImpactStatus.GONE or not impact.closest_passage:
            segments = [("delete", provision.clause_text)]
        else:
            segments = [
                segment
                for hunk in text_diff(provision.clause_text, impact.closest_passage)
                for line in hunk.lines
                for segment in line.segments
            ]
        changes.append(
            ClauseChange(
                impact=impact,
                tracked=impact.provision_id in tracked,
                segments=segments,
                url=absolute_url(provision.get_absolute_url()),
            )
        )
    return changes


@dataclass(frozen=True)
class ChangeLinks:
    event: ChangeEvent
    event_url: str
    diff_url: str
    document_url: str


def change_links(change_event: ChangeEvent) -> ChangeLinks:
    document = change_event.document
    return ChangeLinks(
        event=change_event,
        event_url=absolute_url(reverse("changes:detail", args=[change_event.pk])),
        diff_url=absolute_url(
            reverse(
                "documents:version_diff",
                kwargs={
                    "platform_slug": document.platform.slug,
                    "document_slug": document.slug,
                    "from_number": change_event.previous_version.number,
                    "to_number": change_event.version.number,
                },
            )
        ),
        document_url=absolute_url(document.get_absolute_url()),
    )


def change_alert_email(
    *, change_event: ChangeEvent, impacts, tracked_clauses: set[int], organization, recipient
) -> EmailMultiAlternatives:
    document = change_event.document
    context = {
        "links": change_links(change_event),
        "document": document,
        "platform": document.platform,
        "summary": change_event.summary,
        "clause_changes": clause_changes(impacts, tracked_clauses),
    }
    return _email(
        subject=f"{document.platform.name} changed its {document.title}",
        template="emails/alerts/change_alert",
        context=context,
        organization=organization,
        recipient=recipient,
    )


def digest_email(*, digest, changes: list[ChangeLinks], organization, recipient):
    context = {"digest": digest, "changes": changes}
    period = "this week" if digest.frequency == "weekly" else "today"
    count = len(changes)
    return _email(
        subject=f"{count} tracked change{'s' if count != 1 else ''} {period} for "
        f"{organization.name}",
        template="emails/alerts/digest",
        context=context,
        organization=organization,
        recipient=recipient,
    )


def _email(*, subject, template, context, organization, recipient) -> EmailMultiAlternatives:
    unsubscribe_url = absolute_url(
        reverse(
            "alerts:unsubscribe",
            args=[unsubscribe_token(organization_id=organization.pk, user_id=recipient.pk)],
        )
    )
    context = {
        **context,
        "organization": organization,
        "recipient": recipient,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(
            reverse("monitoring:alert_preferences", kwargs={"org_slug": organization.slug})
        ),
        "SITE_URL": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        # A platform's title could hold a line break; a header must not.
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
