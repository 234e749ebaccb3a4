from django.urls import path

from apps.billing import views

app_name = "billing"

# Mounted at the site root by conductatlas/urls.py.
urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("billing/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("orgs/<slug:org_slug>/billing/", views.BillingPageView.as_view(), name="billing_page"),
    path("orgs/<slug:org_slug>/billing/checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orgs/<slug:org_slug>/billing/portal/", views.PortalView.as_view(), name="portal"),
    path(
        "orgs/<slug:org_slug>/billing/request/",
        views.UpgradeRequestView.as_view(),
        name="upgrade_request",
    ),
]
