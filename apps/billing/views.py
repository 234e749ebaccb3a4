"""Pricing, the organization's billing page, the POST-only Checkout / Customer Portal / request
actions, and Stripe's webhook. Each calls one service or selector."""

import logging

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from apps.accounts.models import MANAGER_ROLES
from apps.accounts.selectors import organization_current
from apps.accounts.tenancy import OrganizationView
from apps.billing import selectors, services
from apps.billing.entitlements import subscription_for_request
from apps.billing.stripe_gateway import GatewayError, WebhookRejected

logger = logging.getLogger(__name__)


def _interval(value: str) -> str:
    return "yearly" if value == "yearly" else "monthly"


@require_GET
def pricing(request):
    """The plans from the Plan rows, each with the action open to this viewer."""
    organization = organization_current(request)
    interval = _interval(request.GET.get("interval", ""))
    chosen = request.GET.get("plan", "")[:32]
    with scope(organization=organization):
        offers = selectors.pricing_offers(
            organization=organization,
            subscription=subscription_for_request(request),
            is_manager=getattr(organization, "viewer_role", "") in MANAGER_ROLES,
            interval=interval,
            chosen_plan_code=chosen,
        )
    return render(
        request,
        "billing/pricing.html",
        {
            "organization": organization,
            "offers": offers,
            "interval": interval,
            "yearly_offered": selectors.yearly_offered(),
            "payment_configured": services.stripe_gateway.is_configured(),
        },
    )


class BillingPageView(OrganizationView):
    http_method_names = ["get"]

    def get(self, request, org_slug):
        if request.GET.get("checkout") == "success":
            messages.info(
                request,
                "Thank you. Your plan changes as soon as Stripe confirms the payment, "
                "usually within a minute.",
            )
        return render(
            request,
            "billing/billing_page.html",
            self.page_context(overview=selectors.billing_overview(organization=self.organization)),
        )


class _BillingActionView(OrganizationView):
    return_url_name = "billing:billing_page"


class CheckoutView(_BillingActionView):
    def post(self, request, org_slug):
        success_url, cancel_url = services.checkout_return_urls(organization=self.organization)
        checkout_url = services.checkout_start(
            organization=self.organization,
            actor=request.user,
            plan_code=request.POST.get("plan", ""),
            interval=request.POST.get("interval", "monthly"),
            with_trial=request.POST.get("trial") == "1",
            success_url=success_url,
            cancel_url=cancel_url,
        )
        return HttpResponseRedirect(checkout_url)


class PortalView(_BillingActionView):
    def post(self, request, org_slug):
        billing_url = request.build_absolute_uri(
            reverse("billing:billing_page", kwargs={"org_slug": self.organization.slug})
        )
        return HttpResponseRedirect(
            services.portal_start(
                organization=self.organization, actor=request.user, return_url=billing_url
            )
        )


class UpgradeRequestView(_BillingActionView):
    def post(self, request, org_slug):
        upgrade_request = services.upgrade_request_create(
            organization=self.organization,
            actor=request.user,
            plan_code=request.POST.get("plan", ""),
            message=request.POST.get("message", ""),
        )
        messages.success(
            request,
            f"Thank you: we received your request for {upgrade_request.plan.name} and will "
            "be in touch by email.",
        )
        return HttpResponseRedirect(self.return_url())


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's deliveries. 400 for a delivery that fails verification (Stripe does not retry
    it), 503 when Stripe cannot be re-read (nothing recorded, so Stripe's retry applies it)."""
    try:
        outcome = services.webhook_handle(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookRejected as error:
        logger.warning("Stripe webhook rejected: %s", error)
        return HttpResponse(f"Rejected: {error}", status=400, content_type="text/plain")
    except GatewayError:
        logger.error("Stripe webhook could not re-read the subscription; Stripe will retry")
        return HttpResponse(
            "Stripe unreachable; retry later", status=503, content_type="text/plain"
        )
    return HttpResponse(outcome, content_type="text/plain")
