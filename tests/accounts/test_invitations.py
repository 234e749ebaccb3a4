"""Invitations by email: signed-in acceptance by the invited address, single use, expiry."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Invitation, Membership, Role
from apps.accounts.services import invitation_accept, invitation_create
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
    assert organization.name in mail.outbox[0].subject
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
