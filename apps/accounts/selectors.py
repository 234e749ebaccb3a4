"""Reads about users' organizations."""

from django.db.models import Q, QuerySet

from apps.accounts.models import Invitation, Membership, Organization, User

# Where the organization a user switched to is remembered between requests.
CURRENT_ORGANIZATION_SESSION_KEY = "current_organization_id"


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.for_user(user).order_by("-is_personal", "name")


def organization_current(request) -> Organization | None:
    """The organization the signed-in user acts for on public pages: the one they switched to,
    else their personal one. Memoised on the request, since several parts of a page ask."""
    if not hasattr(request, "_current_organization"):
        request._current_organization = _organization_current_uncached(request)
    return request._current_organization


def _organization_current_uncached(request) -> Organization | None:
    if not request.user.is_authenticated:
        return None
    organizations = organization_list_for_user(user=request.user)
    chosen_pk = request.session.get(CURRENT_ORGANIZATION_SESSION_KEY)
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


def staff_account_exists(*, email: str) -> bool:
    """Whether `email` signs in to an account that may use the admin."""
    return User.objects.filter(
        Q(is_staff=True) | Q(is_superuser=True), email__iexact=email
    ).exists()
