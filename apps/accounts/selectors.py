"""Reads about users' organizations."""

import hashlib

from django.db.models import Q, QuerySet
from django_scopes import scopes_disabled

from apps.accounts.models import ApiKey, Invitation, Membership, Organization, User
from apps.core.viewer_cache import viewer_part

# Where the organization a user switched to is remembered between requests.
CURRENT_ORGANIZATION_SESSION_KEY = "current_organization_id"
# Every API key starts with this, so secret scanners and people recognise one.
API_KEY_PREFIX = "ca_"


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.for_user(user).order_by("-is_personal", "name")


def organization_current(request) -> Organization | None:
    """The organization the signed-in user acts for on public pages: the one they switched to,
    else their personal one (with the user's `viewer_role` in it). A part of the viewer's
    cached account data (apps.core.viewer_cache), since every part of every page asks."""
    if not request.user.is_authenticated:
        return None
    chosen_pk = request.session.get(CURRENT_ORGANIZATION_SESSION_KEY)
    return viewer_part(
        request,
        f"organization:{chosen_pk}",
        lambda: _organization_current_uncached(user=request.user, chosen_pk=chosen_pk),
    )


def _organization_current_uncached(*, user: User, chosen_pk: int | None) -> Organization | None:
    organizations = organization_list_for_user(user=user)
    if chosen_pk is not None:
        chosen = organizations.filter(pk=chosen_pk).first()
        if chosen is not None:
            return chosen
    return organizations.first()


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(organization=organization)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def api_key_secret_sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_for_secret(*, secret: str) -> ApiKey | None:
    """The active key whose secret this is, with its organization; None for anything else
    (revoked, unknown, malformed), all alike so a caller learns nothing from the difference."""
    if not secret.startswith(API_KEY_PREFIX) or len(secret) > 200:
        return None
    # Which organization a key belongs to is what the lookup finds out, so it cannot run
    # inside one organization's scope; the secret's hash is the credential.
    with scopes_disabled():
        return (
            ApiKey.objects.active()
            .select_related("organization")
            .filter(key_sha256=api_key_secret_sha256(secret))
            .first()
        )


def api_key_list(*, organization: Organization) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(organization=organization).select_related("created_by")


def staff_account_exists(*, email: str) -> bool:
    """Whether `email` signs in to an account that may use the admin."""
    return User.objects.filter(
        Q(is_staff=True) | Q(is_superuser=True), email__iexact=email
    ).exists()
