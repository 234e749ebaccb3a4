"""The billing emails owners receive, each as HTML and plain text from
templates/emails/billing/<kind>.{txt,html} with its subject in <kind>_subject.txt."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope

from apps.accounts.models import Membership, Organization, Role

logger = logging.getLogger(__name__)

EMAIL_KINDS = ("trial_started", "trial_ending", "payment_failed", "plan_changed", "canceled")


def billing_email_send(*, organization: Organization, kind: str, subscription) -> int:
    """Sends the `kind` email to the organization's owners; returns how many were sent."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown billing email {kind!r}")
    with scope(organization=organization):
        recipients = list(
            Membership.objects.filter(organization=organization, role=Role.OWNER).values_list(
                "user__email", flat=True
            )
        )
    if not recipients:
        return 0
    context = {
        "organization": organization,
        "subscription": subscription,
        "plan": subscription.plan,
        "billing_url": settings.SITE_URL
        + reverse("billing:billing_page", kwargs={"org_slug": organization.slug}),
        "pricing_url": settings.SITE_URL + reverse("billing:pricing"),
    }
    subject = render_to_string(f"emails/billing/{kind}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/billing/{kind}.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string(f"emails/billing/{kind}.html", context), "text/html"
    )
    sent = message.send()
    logger.info("Billing email %s sent to %d owner(s) of %s", kind, len(recipients), organization)
    return sent
