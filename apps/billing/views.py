from django.shortcuts import render

from apps.billing.entitlements import entitlements_for_request
from apps.billing.selectors import plan_list_public


def pricing(request):
    """The plans and what each allows, read from the Plan rows an admin maintains."""
    return render(
        request,
        "billing/pricing.html",
        {"plans": plan_list_public(), "entitlements": entitlements_for_request(request)},
    )
