from django.shortcuts import render

from apps.billing.entitlements import entitlements_for_request, plan_offers
from apps.billing.selectors import plan_list_public


def pricing(request):
    """The plans and what each allows, read from the Plan rows an admin maintains."""
    return render(
        request,
        "billing/pricing.html",
        {
            "offers": plan_offers(plan_list_public()),
            "entitlements": entitlements_for_request(request),
        },
    )
