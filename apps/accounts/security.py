"""Brute-force protection split: django-axes guards the Django admin login, allauth's own
cache-based rate limits (ACCOUNT_RATE_LIMITS) guard the public login and signup."""

from django.urls import reverse


def is_outside_admin_site(request, credentials=None) -> bool:
    """AXES_WHITELIST_CALLABLE: axes ignores (neither counts nor locks) logins made anywhere but
    the admin, so a mistyped password on the public form cannot lock out a whole office IP for
    an hour; those attempts are throttled by allauth instead."""
    return not request.path.startswith(reverse("admin:index"))
