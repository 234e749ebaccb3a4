"""How fast the API's provision endpoints are on the large catalog, beside a minimal DRF view.

Builds the catalog of benchmarks/pages.py (by default 1,000 platforms and 50,000 provisions) in
a throw-away database, then requests the provision list (a full page) and a provision's detail
anonymously and with a Professional key, and a minimal DRF view (no authentication, throttle or
database), through the same process, middleware and test client. Prints requests per second and
the median latency of each, and the ratio to the minimal view.

    .venv/bin/python benchmarks/api.py [--platforms 1000] [--provisions 50000] [--requests 30]
        [--database-url postgres://postgres@127.0.0.1:5432/conductatlas]
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pages  # noqa: E402


def minimal_drf_view():
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Minimal(APIView):
        authentication_classes = ()
        permission_classes = ()
        throttle_classes = ()

        def get(self, request):
            return Response({"ok": True})

    return Minimal.as_view()


def measure(args) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches, include, path
    from django_scopes import scopes_disabled

    from apps.accounts.models import ApiKeyScope
    from apps.accounts.services import api_key_create
    from apps.billing.models import Plan
    from apps.provisions.models import Provision
    from tests.tiers import member_on_plan

    pages.build(args)
    module = sys.modules[pages.__name__]
    module.urlpatterns = [
        path("__minimal_drf__/", minimal_drf_view()),
        path("", include("conductatlas.urls")),
    ]
    clear_url_caches()
    # The benchmark measures the endpoints, not the rate limits.
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = settings.API_ANONYMOUS_REQUESTS_PER_DAY = 10**9
    # Setting up the caller works across organizations, as an admin would.
    with scopes_disabled():
        user, organization = member_on_plan("professional", email="bench@example.test")
        _key, secret = api_key_create(
            organization=organization, actor=user, name="bench", scope=ApiKeyScope.READ
        )
    Plan.objects.filter(code="professional").update(
        api_requests_per_minute=10**9, api_requests_per_day=10**9
    )

    published = Provision.objects.published().order_by("pk")
    provision = published[published.count() // 2]
    endpoints = {
        "minimal DRF view": ("/__minimal_drf__/", {}),
        "provision list": ("/api/v1/provisions/", {}),
        "provision list, key": (
            "/api/v1/provisions/",
            {"HTTP_AUTHORIZATION": f"Bearer {secret}"},
        ),
        "provision detail": (f"/api/v1/provisions/{provision.record_id}/", {}),
        "provision detail, key": (
            f"/api/v1/provisions/{provision.record_id}/",
            {"HTTP_AUTHORIZATION": f"Bearer {secret}"},
        ),
    }
    results = {}
    for name, (url, headers) in endpoints.items():
        client = Client(**headers)
        timings = pages.timings_ms(client, url, requests=args.requests)
        results[name] = (statistics.median(timings), 1000 * len(timings) / sum(timings))
    baseline = results["minimal DRF view"][0]
    print(f"{args.requests} requests each, one client at a time:")
    for name, (median, per_second) in results.items():
        print(
            f"  {name:<22} {per_second:8.1f} req/s   median {median:8.2f} ms"
            f"   {median / baseline:6.1f}x minimal DRF view"
        )


if __name__ == "__main__":
    pages.main(measure, description=__doc__)
