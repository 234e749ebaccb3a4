from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_scopes import ScopedManager

from apps.core.models import BaseModel, OrgOwnedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Signs in with an email address; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self):
        return self.email


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


# Roles that may manage members and invitations, in order of authority.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})

# Path segments under /orgs/ that belong to views, so no organization may take them as its slug.
RESERVED_ORGANIZATION_SLUGS = frozenset({"new", "switch", "invitations"})


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The organizations `user` belongs to, each annotated with the user's `viewer_role`.
        The only way views reach an organization, so a foreign slug is simply not found."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).annotate(
            viewer_role=models.F("memberships__role")
        )


class Organization(BaseModel):
    """A tenant: the team (or the single person) that owns a watchlist and a plan."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    is_personal = models.BooleanField(
        default=False, help_text="Created at signup for the user who signed up."
    )
    members = models.ManyToManyField(
        "accounts.User", through="accounts.Membership", related_name="organizations"
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.slug in RESERVED_ORGANIZATION_SLUGS:
            raise ValidationError({"slug": "This address is reserved; choose another."})

    def get_absolute_url(self):
        return reverse("monitoring:dashboard", kwargs={"org_slug": self.slug})


class Membership(OrgOwnedModel):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    # Who belongs to an organization, and with what role, is that organization's business.
    # Resolving a user's organizations (Organization.objects.for_user) joins through this table
    # without passing through its manager, so finding the organization needs no scope.
    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class InvitationManager(models.Manager.from_queryset(InvitationQuerySet)):
    def pending(self):
        # Through all(), so that outside an organization's scope this raises ScopeError like
        # every other query instead of an AttributeError from the scope's stand-in queryset.
        return self.all().pending()


class Invitation(OrgOwnedModel):
    """An emailed, single-use and expiring invitation to join an organization. Only the SHA-256
    of the token is stored: the link in the email is the sole copy of the secret."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Scoped like every organization's private data. The one lookup across organizations, by
    # the token in an emailed link, disables the scope where it happens.
    objects = ScopedManager(organization="organization", _manager_class=InvitationManager)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Expiry cannot be part of the condition (it depends on the clock), so the service
            # closes an expired invitation before it invites the same address again.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ApiKeyScope(models.TextChoices):
    READ = "read", "Read"
    READ_WRITE = "read_write", "Read and write"


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKeyManager(models.Manager.from_queryset(ApiKeyQuerySet)):
    def active(self):
        # Through all(), so that outside an organization's scope this raises ScopeError.
        return self.all().active()


class ApiKey(OrgOwnedModel):
    """A secret a program sends as `Authorization: Bearer <key>` to act for the organization.
    Only the SHA-256 of the secret is stored (the key has 256 bits of randomness, so a plain
    hash cannot be brute-forced); the prefix is kept in clear so people can tell keys apart."""

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=16, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Scoped like every organization's private data. The one lookup across organizations, by
    # the hash of the secret a request presents, disables the scope where it happens.
    objects = ScopedManager(organization="organization", _manager_class=ApiKeyManager)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == ApiKeyScope.READ_WRITE
