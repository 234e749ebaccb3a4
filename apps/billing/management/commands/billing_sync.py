"""Re-read every Stripe subscription now and repair drift, as the nightly task does."""

from django.core.management.base import BaseCommand, CommandError

from apps.billing import stripe_gateway
from apps.billing.services import subscriptions_reconcile


class Command(BaseCommand):
    help = "Re-read every organization's Stripe subscription and repair plans that drifted."

    def handle(self, *args, **options):
        if not stripe_gateway.is_configured():
            raise CommandError("STRIPE_SECRET_KEY is not set: there is nothing to synchronise.")
        repairs = subscriptions_reconcile()
        for repair in repairs:
            self.stdout.write(repair)
        self.stdout.write(self.style.SUCCESS(f"{len(repairs)} repair(s)."))
