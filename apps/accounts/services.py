"""Writes for users' organizations: creating them, roles, invitations and the current one."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from apps.accounts.models import (
    MANAGER_ROLES,
    RESERVED_ORGANIZATION_SLUGS,
    ApiKey,
    ApiKeyScope,
    Invitation,
    Membership,
    Organization,
    Role,
    User,
)
from apps.accounts.selectors import (
    API_KEY_PREFIX,
    CURRENT_ORGANIZATION_SESSION_KEY,
    api_key_secret_sha256,
)
from apps.core.exceptions import ApplicationError
from apps.core.viewer_cache import viewer_cache_invalidate

ORGANIZATION_NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
INVITATION_EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length


def _organization_slug_for(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "organization"
    slug, suffix = base, 1
    while slug in RESERVED_ORGANIZATION_SLUGS or Organization.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def _organization_name_cleaned(name: str) -> str:
    """The name as stored, or a clear error. It is shown in page headers and invitation emails,
    where a line break or another control character could forge lines of their own."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the organization a name.")
    if len(name) > ORGANIZATION_NAME_MAX_LENGTH:
        raise ApplicationError(
            f"An organization's name has at most {ORGANIZATION_NAME_MAX_LENGTH} characters "
            f"(this one has {len(name)})."
        )
    if not name.isprintable():
        raise ApplicationError(
            "An organization's name must be one line of text, without tabs or control characters."
        )
    return name


def organization_create(*, name: str, owner: User, is_personal: bool = False) -> Organization:
    """A new organization with `owner` as its first owner."""
    name = _organization_name_cleaned(name)
    with transaction.atomic():
        organization = Organization(
            name=name, slug=_organization_slug_for(name), is_personal=is_personal
        )
        organization.full_clean()
        organization.save()
        # Callers (signup, the "new organization" page, the demo) act outside any organization:
        # this one exists only from here on.
        with scope(organization=organization):
            membership = Membership(organization=organization, user=owner, role=Role.OWNER)
            membership.full_clean()
            membership.save()
    return organization


def organization_create_personal(*, user: User) -> Organization:
    """The organization every account gets at signup, so a single person can track platforms
    without setting up a team."""
    local_part = user.email.split("@", 1)[0]
    return organization_create(name=f"{local_part}'s workspace", owner=user, is_personal=True)


def organization_update(*, organization: Organization, actor: User, name: str) -> Organization:
    _require_manager(organization=organization, actor=actor)
    organization.name = _organization_name_cleaned(name)
    organization.full_clean()
    organization.save(update_fields=["name", "updated_at"])
    return organization


def organization_switch(*, session, user: User, organization_slug: str) -> Organization:
    """Makes one of the user's organizations the one public pages and entitlements act for.
    A slug the user has no membership of is reported exactly like one that does not exist."""
    organization = Organization.objects.for_user(user).filter(slug=organization_slug).first()
    if organization is None:
        raise ApplicationError("You are not a member of that organization.")
    session[CURRENT_ORGANIZATION_SESSION_KEY] = organization.pk
    return organization


def _membership_of(*, organization: Organization, user: User) -> Membership | None:
    return Membership.objects.filter(organization=organization, user=user).first()


def _require_manager(*, organization: Organization, actor: User) -> Membership:
    membership = _membership_of(organization=organization, user=actor)
    if membership is None or membership.role not in MANAGER_ROLES:
        raise ApplicationError("Only owners and admins can manage this organization.")
    return membership


def _owner_count_locked(*, organization: Organization) -> int:
    """Counts owners while holding their rows, so two concurrent demotions cannot both see a
    second owner and leave the organization with none."""
    owners = Membership.objects.select_for_update().filter(
        organization=organization, role=Role.OWNER
    )
    return len(list(owners.values_list("pk", flat=True)))


def _membership_locked(*, organization: Organization, membership_id: int) -> Membership:
    """The membership, locked for the rest of the transaction; only within `organization`."""
    membership = (
        Membership.objects.select_for_update()
        .filter(organization=organization, pk=membership_id)
        .first()
    )
    if membership is None:
        raise ApplicationError("That person is not a member of this organization.")
    return membership


def membership_change_role(
    *, organization: Organization, actor: User, membership_id: int, role: str
) -> Membership:
    if role not in Role.values:
        raise ApplicationError("Choose a role: owner, admin or member.")
    with transaction.atomic():
        actor_membership = _require_manager(organization=organization, actor=actor)
        membership = _membership_locked(organization=organization, membership_id=membership_id)
        touches_owner = Role.OWNER in (role, membership.role)
        if touches_owner and actor_membership.role != Role.OWNER:
            raise ApplicationError("Only an owner can give or take away the owner role.")
        if (
            membership.role == Role.OWNER
            and role != Role.OWNER
            and _owner_count_locked(organization=organization) <= 1
        ):
            raise ApplicationError(
                "An organization needs at least one owner. Make someone else an owner first."
            )
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role", "updated_at"])
    return membership


def membership_remove(*, organization: Organization, actor: User, membership_id: int) -> None:
    with transaction.atomic():
        actor_membership = _require_manager(organization=organization, actor=actor)
        membership = _membership_locked(organization=organization, membership_id=membership_id)
        if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
            raise ApplicationError("Only an owner can remove an owner.")
        _delete_membership_keeping_an_owner(membership=membership)


def organization_leave(*, organization: Organization, user: User) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(organization=organization, user=user)
            .first()
        )
        if membership is None:
            raise ApplicationError("You are not a member of this organization.")
        _delete_membership_keeping_an_owner(membership=membership)


def _delete_membership_keeping_an_owner(*, membership: Membership) -> None:
    if (
        membership.role == Role.OWNER
        and _owner_count_locked(organization=membership.organization) <= 1
    ):
        raise ApplicationError(
            "The last owner cannot leave or be removed. Make someone else an owner first."
        )
    membership.delete()


def _token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# The subject carries no text a user chose (organization name, inviter), so an invitation
# cannot be used to send a message of one's own in our name.
INVITATION_SUBJECT = "[ConductAtlas] You are invited to join an organization"

_PENDING_INVITATION_EXISTS = (
    "An invitation to {email} is already waiting to be accepted. "
    "Withdraw it first to send a new one."
)


def invitation_create(
    *, organization: Organization, actor: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Invites `email` and emails them a single-use link. Returns the invitation and the raw
    token, which exists nowhere else once the email is sent. The email is built before the
    invitation is saved, so an invitation never waits for an email that could not be made."""
    email = email.strip().lower()
    if len(email) > INVITATION_EMAIL_MAX_LENGTH:
        raise ApplicationError(
            f"An email address has at most {INVITATION_EMAIL_MAX_LENGTH} characters."
        )
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError("Enter a valid email address.") from error
    if role not in Role.values:
        raise ApplicationError("Choose a role: owner, admin or member.")
    actor_membership = _require_manager(organization=organization, actor=actor)
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise ApplicationError("Only an owner can invite another owner.")
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ApplicationError(f"{email} is already a member of {organization.name}.")
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            _invitation_quota_check_locked(organization=organization)
            _invitations_expired_close(organization=organization, email=email)
            if organization.invitations.pending().filter(email=email).exists():
                raise ApplicationError(_PENDING_INVITATION_EXISTS.format(email=email))
            invitation = Invitation(
                organization=organization,
                email=email,
                role=role,
                token_sha256=_token_sha256(token),
                invited_by=actor,
                expires_at=timezone.now()
                + timedelta(days=settings.ORGANIZATION_INVITATION_MAX_AGE_DAYS),
            )
            invitation.full_clean()
            message = _invitation_message(invitation=invitation, token=token)
            invitation.save()
            transaction.on_commit(message.send)
    except IntegrityError as error:
        # A concurrent request invited the same address first: the pending-invitation
        # constraint turned the race into this error.
        raise ApplicationError(_PENDING_INVITATION_EXISTS.format(email=email)) from error
    return invitation, token


def _invitation_quota_check_locked(*, organization: Organization) -> None:
    """Refuses an invitation beyond the organization's hourly allowance. The organization's row
    stays locked until the transaction ends, so concurrent invitations are counted one by one."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    limit = settings.ORGANIZATION_INVITATIONS_PER_HOUR
    sent_in_the_last_hour = Invitation.objects.filter(
        organization=organization, created_at__gt=timezone.now() - timedelta(hours=1)
    ).count()
    if sent_in_the_last_hour >= limit:
        raise ApplicationError(
            f"{organization.name} has sent {limit} invitations in the last hour, "
            "the most an organization may send. Try again later."
        )


def _invitations_expired_close(*, organization: Organization, email: str) -> None:
    """Marks `email`'s expired, never-used invitations withdrawn: the database allows one open
    invitation per address, and an expired one must not block a fresh invitation."""
    organization.invitations.filter(
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
    ).update(revoked_at=timezone.now())


def _invitation_message(*, invitation: Invitation, token: str) -> EmailMessage:
    """The invitation email, fully built (headers included), ready to send."""
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "accept_url": settings.SITE_URL
        + reverse("accounts:invitation_accept", kwargs={"token": token}),
        "signup_url": settings.SITE_URL + reverse("account_signup"),
    }
    message = EmailMessage(
        subject=INVITATION_SUBJECT,
        body=render_to_string("orgs/email/invitation_message.txt", context),
        to=[invitation.email],
    )
    # Rendering the MIME message checks every header now, not at send time after commit.
    message.message()
    return message


def invitation_revoke(*, organization: Organization, actor: User, invitation_id: int) -> None:
    _require_manager(organization=organization, actor=actor)
    updated = (
        organization.invitations.pending()
        .filter(pk=invitation_id)
        .update(revoked_at=timezone.now())
    )
    if not updated:
        raise ApplicationError("That invitation is no longer pending.")


def invitation_for_token(*, token: str) -> Invitation:
    """The invitation a link points at, or a clear error when it cannot be used any more."""
    # The one read of private data across organizations: whoever holds the emailed link is not a
    # member yet, and the token, not a membership, is what finds the invitation.
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization", "invited_by")
            .filter(token_sha256=_token_sha256(token))
            .first()
        )
    if invitation is None:
        raise ApplicationError("This invitation link is not valid. Ask for a new invitation.")
    if invitation.accepted_at is not None:
        raise ApplicationError("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise ApplicationError("This invitation was withdrawn. Ask for a new invitation.")
    if invitation.is_expired:
        raise ApplicationError("This invitation has expired. Ask for a new invitation.")
    return invitation


def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_for_token(token=token)
    has_verified_address = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not has_verified_address:
        raise ApplicationError(
            "This invitation was sent to a different email address. Sign in with the address "
            "it was sent to, or verify that address on your account."
        )
    with scope(organization=invitation.organization), transaction.atomic():
        if _membership_of(organization=invitation.organization, user=user) is not None:
            raise ApplicationError(f"You are already a member of {invitation.organization.name}.")
        # The conditional update is what makes the link single-use under concurrent clicks.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise ApplicationError("This invitation has already been used.")
        membership = Membership(
            organization=invitation.organization, user=user, role=invitation.role
        )
        membership.full_clean()
        membership.save()
    return membership


# How often a key's last-used time is written: every request would be a write per API call.
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_create(
    *, organization: Organization, actor: User, name: str, scope: str
) -> tuple[ApiKey, str]:
    """A new key for `organization`. Returns the key and its secret, which is shown once and
    stored nowhere: only its SHA-256 is kept. Whether the plan allows keys at all is for the
    caller to check with the entitlements (accounts stands below billing)."""
    _require_manager(organization=organization, actor=actor)
    name = name.strip()
    if not name:
        raise ApplicationError("Give the key a name, such as the program that will use it.")
    if scope not in ApiKeyScope.values:
        raise ApplicationError("Choose a scope: read or read_write.")
    public_part = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{public_part}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(
        organization=organization,
        name=name[:80],
        scope=scope,
        prefix=f"{API_KEY_PREFIX}{public_part}",
        key_sha256=api_key_secret_sha256(secret),
        created_by=actor,
    )
    api_key.full_clean()
    api_key.save()
    return api_key, secret


def api_key_revoke(*, organization: Organization, actor: User, api_key_id: int) -> ApiKey:
    _require_manager(organization=organization, actor=actor)
    api_key = ApiKey.objects.active().filter(organization=organization, pk=api_key_id).first()
    if api_key is None:
        raise ApplicationError("That key is already revoked or does not exist.")
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Records that the key was used, at most once per API_KEY_LAST_USED_RESOLUTION."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < API_KEY_LAST_USED_RESOLUTION:
        return
    with scope(organization=api_key.organization):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def organization_viewers_invalidate(*, organization_id: int) -> None:
    """Every member's cached account data (apps.core.viewer_cache) is stale: for writes to
    what a member's pages show of their organization (its name, plan, watchlist)."""
    with scope(organization=organization_id):
        user_ids = list(
            Membership.objects.filter(organization_id=organization_id).values_list(
                "user_id", flat=True
            )
        )
    viewer_cache_invalidate(user_ids=user_ids)
