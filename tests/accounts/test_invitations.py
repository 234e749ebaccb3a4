"""Invitations by email: signed-in acceptance by the invited address, single use, expiry."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import BadHeaderError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import Invitation, Membership, Organization, Role
from apps.accounts.services import (
    INVITATION_SUBJECT,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    organization_create,
    organization_update,
)
from apps.core.exceptions import ApplicationError
from tests.factories import UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return member_on_plan("watcher")


def _invite(owner, organization, email, role=Role.MEMBER, capture=None):
    with capture(execute=True):
        return invitation_create(organization=organization, actor=owner, email=email, role=role)


def _accept_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/orgs/invitations/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_invite_by_email_and_accept_over_http(team, django_capture_on_commit_callbacks):
    owner, organization = team
    client = csrf_client(owner)
    members_page = reverse("accounts:member_list", kwargs={"org_slug": organization.slug})
    with django_capture_on_commit_callbacks(execute=True):
        sent = csrf_post(
            client,
            reverse("accounts:invitation_create", kwargs={"org_slug": organization.slug}),
            {"email": "Colleague@Example.test", "role": Role.ADMIN},
            form_page=members_page,
        )
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@example.test"]
    assert mail.outbox[0].subject == INVITATION_SUBJECT
    assert organization.name in mail.outbox[0].body
    invitation = Invitation.objects.get(organization=organization)
    accept_path = _accept_path(mail.outbox[0])
    # Only a hash of the token is stored; the email holds the only copy of the secret.
    assert accept_path.split("/")[-2] not in invitation.token_sha256

    colleague = UserFactory(email="colleague@example.test")
    visitor_view = csrf_client().get(accept_path)
    assert b"Log in to accept" in visitor_view.content

    colleague_client = csrf_client(colleague)
    joined = csrf_post(colleague_client, accept_path, form_page=accept_path)
    assert joined["Location"] == organization.get_absolute_url()
    assert Membership.objects.get(organization=organization, user=colleague).role == Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague


def test_a_used_invitation_cannot_be_used_again(team, django_capture_on_commit_callbacks):
    owner, organization = team
    _invitation, token = _invite(
        owner, organization, "one@example.test", capture=django_capture_on_commit_callbacks
    )
    invitation_accept(token=token, user=UserFactory(email="one@example.test"))

    with pytest.raises(ApplicationError, match="already been used"):
        invitation_accept(token=token, user=UserFactory())
    assert Membership.objects.filter(organization=organization).count() == 2


def test_reusing_a_link_over_http_shows_why(team, django_capture_on_commit_callbacks):
    owner, organization = team
    _invitation, token = _invite(
        owner, organization, "two@example.test", capture=django_capture_on_commit_callbacks
    )
    user = UserFactory(email="two@example.test")
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    client = csrf_client(user)
    csrf_post(client, path, form_page=path)

    again = client.get(path)
    assert again.status_code == 400
    assert b"already been used" in again.content


def test_an_expired_invitation_is_refused(team, django_capture_on_commit_callbacks):
    owner, organization = team
    invitation, token = _invite(
        owner, organization, "late@example.test", capture=django_capture_on_commit_callbacks
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    user = UserFactory(email="late@example.test")
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    client = csrf_client(user)
    response = client.get(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    with pytest.raises(ApplicationError, match="expired"):
        invitation_accept(token=token, user=user)
    assert not Membership.objects.filter(organization=organization, user=user).exists()


def test_a_withdrawn_or_unknown_invitation_is_refused(team, django_capture_on_commit_callbacks):
    owner, organization = team
    invitation, token = _invite(
        owner, organization, "maybe@example.test", capture=django_capture_on_commit_callbacks
    )
    client = csrf_client(owner)
    members_page = reverse("accounts:member_list", kwargs={"org_slug": organization.slug})
    csrf_post(
        client,
        reverse(
            "accounts:invitation_revoke",
            kwargs={"org_slug": organization.slug, "invitation_id": invitation.pk},
        ),
        form_page=members_page,
    )
    user = UserFactory(email="maybe@example.test")
    with pytest.raises(ApplicationError, match="withdrawn"):
        invitation_accept(token=token, user=user)
    with pytest.raises(ApplicationError, match="not valid"):
        invitation_accept(token=token + "x", user=user)
    assert not Membership.objects.filter(organization=organization, user=user).exists()


def test_the_wrong_user_cannot_accept(team, django_capture_on_commit_callbacks):
    owner, organization = team
    _invitation, token = _invite(
        owner, organization, "intended@example.test", capture=django_capture_on_commit_callbacks
    )
    intruder = UserFactory(email="intruder@example.test")
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    client = csrf_client(intruder)
    response = csrf_post(client, path, form_page=path)

    assert response.status_code == 400
    assert b"different email address" in response.content
    assert not Membership.objects.filter(organization=organization, user=intruder).exists()
    # The link still works for the person it was meant for.
    invitation_accept(token=token, user=UserFactory(email="intended@example.test"))


def test_inviting_a_member_or_a_pending_address_is_refused(
    team, django_capture_on_commit_callbacks
):
    owner, organization = team
    with pytest.raises(ApplicationError, match="already a member"):
        _invite(
            owner, organization, owner.email.upper(), capture=django_capture_on_commit_callbacks
        )
    _invite(owner, organization, "pending@example.test", capture=django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError, match="already waiting"):
        _invite(
            owner, organization, "pending@example.test", capture=django_capture_on_commit_callbacks
        )
    with pytest.raises(ApplicationError, match="valid email"):
        _invite(owner, organization, "not-an-email", capture=django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(organization=organization).count() == 1
    assert len(mail.outbox) == 1


def test_only_managers_invite_and_only_owners_invite_owners(
    team, django_capture_on_commit_callbacks
):
    owner, organization = team
    member = UserFactory()
    Membership.objects.create(organization=organization, user=member, role=Role.MEMBER)
    admin = UserFactory()
    Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)

    with pytest.raises(ApplicationError, match="Only owners and admins"):
        _invite(member, organization, "a@example.test", capture=django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError, match="Only an owner"):
        _invite(
            admin,
            organization,
            "b@example.test",
            role=Role.OWNER,
            capture=django_capture_on_commit_callbacks,
        )
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_http_invite_error_is_shown_on_the_members_page(team):
    owner, organization = team
    client = csrf_client(owner)
    members_page = reverse("accounts:member_list", kwargs={"org_slug": organization.slug})
    response = csrf_post(
        client,
        reverse("accounts:invitation_create", kwargs={"org_slug": organization.slug}),
        {"email": owner.email, "role": Role.MEMBER},
        form_page=members_page,
        follow=True,
    )
    assert response.redirect_chain[-1][0] == members_page
    assert b"is already a member" in response.content
    assert not Invitation.objects.exists()


def test_no_user_chosen_text_reaches_the_subject_and_a_line_break_cannot_break_the_email(
    team, django_capture_on_commit_callbacks
):
    """An organization named before names were checked may hold a line break; as a subject
    it made the email unsendable after the invitation was saved (a 500 and a dead invitation)."""
    owner, organization = team
    Organization.objects.filter(pk=organization.pk).update(name="Acme\nBcc: victim@example.test")
    organization.refresh_from_db()
    client = csrf_client(owner)
    members_page = reverse("accounts:member_list", kwargs={"org_slug": organization.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            client,
            reverse("accounts:invitation_create", kwargs={"org_slug": organization.slug}),
            {"email": "colleague@example.test", "role": Role.MEMBER},
            form_page=members_page,
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == INVITATION_SUBJECT
    assert mail.outbox[0].recipients() == ["colleague@example.test"]
    assert Invitation.objects.pending().filter(organization=organization).count() == 1


@pytest.mark.parametrize("name", ["Acme\nBcc: victim@example.test", "Acme\rX", "Tab\there"])
def test_an_organization_name_must_be_one_line(team, name):
    owner, organization = team
    with pytest.raises(ApplicationError, match="one line of text"):
        organization_update(organization=organization, actor=owner, name=name)
    with pytest.raises(ApplicationError, match="one line of text"):
        organization_create(name=name, owner=owner)


def test_an_invitation_whose_email_cannot_be_built_is_not_saved(
    team, django_capture_on_commit_callbacks, monkeypatch
):
    owner, organization = team
    monkeypatch.setattr(services, "INVITATION_SUBJECT", "Broken\nsubject")
    with pytest.raises(BadHeaderError):
        _invite(owner, organization, "x@example.test", capture=django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_invitations_are_limited_per_organization_per_hour(
    team, settings, django_capture_on_commit_callbacks
):
    settings.ORGANIZATION_INVITATIONS_PER_HOUR = 3
    owner, organization = team
    for number in range(3):
        _invite(
            owner,
            organization,
            f"person{number}@example.test",
            capture=django_capture_on_commit_callbacks,
        )
    # Withdrawing does not give the allowance back.
    Invitation.objects.filter(organization=organization).update(revoked_at=timezone.now())

    with pytest.raises(ApplicationError, match="3 invitations in the last hour"):
        _invite(
            owner, organization, "one-more@example.test", capture=django_capture_on_commit_callbacks
        )
    assert len(mail.outbox) == 3

    other_owner, other_organization = member_on_plan("watcher")
    _invite(
        other_owner,
        other_organization,
        "one-more@example.test",
        capture=django_capture_on_commit_callbacks,
    )
    Invitation.objects.filter(organization=organization).update(
        created_at=timezone.now() - timedelta(hours=1, minutes=1)
    )
    _invite(
        owner, organization, "one-more@example.test", capture=django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 5


def test_the_database_holds_one_open_invitation_per_address(
    team, django_capture_on_commit_callbacks
):
    owner, organization = team
    invitation, _token = _invite(
        owner, organization, "dup@example.test", capture=django_capture_on_commit_callbacks
    )
    duplicate = Invitation(
        organization=organization,
        email="dup@example.test",
        token_sha256="0" * 64,
        expires_at=invitation.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    duplicate.save()
    assert Invitation.objects.filter(organization=organization).count() == 2


def test_an_expired_invitation_does_not_block_a_new_one(team, django_capture_on_commit_callbacks):
    owner, organization = team
    expired, _token = _invite(
        owner, organization, "again@example.test", capture=django_capture_on_commit_callbacks
    )
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    fresh, token = _invite(
        owner, organization, "again@example.test", capture=django_capture_on_commit_callbacks
    )
    expired.refresh_from_db()
    assert expired.revoked_at is not None
    assert invitation_for_token(token=token) == fresh
