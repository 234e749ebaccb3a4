"""Organizations, roles, leaving and switching."""

import pytest
from django.urls import reverse

from apps.accounts.models import Membership, Organization, Role
from apps.accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY
from apps.accounts.services import (
    membership_change_role,
    membership_remove,
    organization_create,
    organization_leave,
    organization_update,
)
from apps.core.exceptions import ApplicationError
from tests.factories import UserFactory
from tests.tiers import csrf_client, csrf_post, member_on_plan

pytestmark = pytest.mark.django_db


def _join(organization, role=Role.MEMBER):
    user = UserFactory()
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    return user, membership


def _members_url(organization):
    return reverse("accounts:member_list", kwargs={"org_slug": organization.slug})


def test_slugs_are_unique_and_never_shadow_a_view():
    owner = UserFactory()
    first = organization_create(name="Acme Legal", owner=owner)
    second = organization_create(name="Acme legal", owner=owner)
    reserved = organization_create(name="New", owner=owner)

    assert first.slug == "acme-legal"
    assert second.slug == "acme-legal-2"
    assert reserved.slug == "new-2"


def test_for_user_lists_only_the_users_organizations_with_their_role():
    owner, personal = member_on_plan("free")
    team = organization_create(name="Team", owner=UserFactory())
    Membership.objects.create(organization=team, user=owner, role=Role.ADMIN)
    organization_create(name="Strangers", owner=UserFactory())

    roles = {org.slug: org.viewer_role for org in Organization.objects.for_user(owner)}
    assert roles == {personal.slug: Role.OWNER, team.slug: Role.ADMIN}


def test_an_admin_manages_members_but_not_owners():
    owner, organization = member_on_plan("free")
    admin, _ = _join(organization, Role.ADMIN)
    member, member_ship = _join(organization)
    owner_ship = Membership.objects.get(user=owner)

    membership_change_role(
        organization=organization, actor=admin, membership_id=member_ship.pk, role=Role.ADMIN
    )
    assert Membership.objects.get(pk=member_ship.pk).role == Role.ADMIN

    with pytest.raises(ApplicationError, match="Only an owner"):
        membership_change_role(
            organization=organization, actor=admin, membership_id=owner_ship.pk, role=Role.MEMBER
        )
    with pytest.raises(ApplicationError, match="Only an owner"):
        membership_change_role(
            organization=organization, actor=admin, membership_id=member_ship.pk, role=Role.OWNER
        )
    with pytest.raises(ApplicationError, match="Only an owner"):
        membership_remove(organization=organization, actor=admin, membership_id=owner_ship.pk)
    assert Membership.objects.get(pk=owner_ship.pk).role == Role.OWNER


def test_a_plain_member_cannot_manage():
    _owner, organization = member_on_plan("free")
    member, _ = _join(organization)
    _other, other_ship = _join(organization)

    with pytest.raises(ApplicationError, match="Only owners and admins"):
        membership_remove(organization=organization, actor=member, membership_id=other_ship.pk)
    with pytest.raises(ApplicationError, match="Only owners and admins"):
        organization_update(organization=organization, actor=member, name="Renamed")
    assert Membership.objects.filter(pk=other_ship.pk).exists()
    assert Organization.objects.get(pk=organization.pk).name != "Renamed"


def test_the_last_owner_can_neither_leave_nor_be_demoted_nor_removed():
    owner, organization = member_on_plan("free")
    owner_ship = Membership.objects.get(user=owner)

    with pytest.raises(ApplicationError, match="at least one owner"):
        membership_change_role(
            organization=organization, actor=owner, membership_id=owner_ship.pk, role=Role.ADMIN
        )
    with pytest.raises(ApplicationError, match="last owner"):
        organization_leave(organization=organization, user=owner)
    with pytest.raises(ApplicationError, match="last owner"):
        membership_remove(organization=organization, actor=owner, membership_id=owner_ship.pk)
    assert Membership.objects.get(pk=owner_ship.pk).role == Role.OWNER

    # With a second owner, the first may step down.
    second, second_ship = _join(organization, Role.OWNER)
    membership_change_role(
        organization=organization, actor=second, membership_id=owner_ship.pk, role=Role.MEMBER
    )
    organization_leave(organization=organization, user=owner)
    assert list(Membership.objects.filter(organization=organization)) == [second_ship]


def test_roles_and_removal_over_http():
    owner, organization = member_on_plan("free")
    member, member_ship = _join(organization)
    client = csrf_client(owner)
    members_page = _members_url(organization)

    page = client.get(members_page)
    assert member.email.encode() in page.content
    changed = csrf_post(
        client,
        reverse(
            "accounts:member_role_change",
            kwargs={"org_slug": organization.slug, "membership_id": member_ship.pk},
        ),
        {"role": Role.ADMIN},
        form_page=members_page,
    )
    assert changed.status_code == 302
    assert Membership.objects.get(pk=member_ship.pk).role == Role.ADMIN

    removed = csrf_post(
        client,
        reverse(
            "accounts:member_remove",
            kwargs={"org_slug": organization.slug, "membership_id": member_ship.pk},
        ),
        form_page=members_page,
    )
    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=member_ship.pk).exists()


def test_bad_role_and_last_owner_over_http_show_a_message_and_change_nothing():
    owner, organization = member_on_plan("free")
    owner_ship = Membership.objects.get(user=owner)
    client = csrf_client(owner)
    members_page = _members_url(organization)
    role_url = reverse(
        "accounts:member_role_change",
        kwargs={"org_slug": organization.slug, "membership_id": owner_ship.pk},
    )

    bogus = csrf_post(client, role_url, {"role": "emperor"}, form_page=members_page, follow=True)
    assert b"Choose a role" in bogus.content
    demote = csrf_post(client, role_url, {"role": Role.MEMBER}, form_page=members_page, follow=True)
    assert b"at least one owner" in demote.content
    leave = csrf_post(
        client,
        reverse("accounts:organization_leave", kwargs={"org_slug": organization.slug}),
        form_page=members_page,
        follow=True,
    )
    assert b"last owner" in leave.content
    assert Membership.objects.get(pk=owner_ship.pk).role == Role.OWNER


def test_post_without_csrf_token_is_refused():
    owner, organization = member_on_plan("free")
    member, member_ship = _join(organization)
    client = csrf_client(owner)
    response = client.post(
        reverse(
            "accounts:member_remove",
            kwargs={"org_slug": organization.slug, "membership_id": member_ship.pk},
        )
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=member_ship.pk).exists()


def test_switching_organizations_is_a_post_limited_to_ones_own():
    user, personal = member_on_plan("free")
    team = organization_create(name="Team", owner=UserFactory())
    Membership.objects.create(organization=team, user=user, role=Role.MEMBER)
    foreign = organization_create(name="Foreign", owner=UserFactory())
    client = csrf_client(user)
    dashboard = personal.get_absolute_url()
    switch = reverse("accounts:organization_switch")

    assert client.get(switch).status_code == 405
    page = client.get(dashboard)
    assert b"Act for" in page.content and team.name.encode() in page.content

    switched = csrf_post(client, switch, {"organization": team.slug}, form_page=dashboard)
    assert switched["Location"] == team.get_absolute_url()
    assert client.session[CURRENT_ORGANIZATION_SESSION_KEY] == team.pk
    assert client.get(reverse("accounts:home"))["Location"] == team.get_absolute_url()

    forged = csrf_post(client, switch, {"organization": foreign.slug}, form_page=dashboard)
    assert forged.status_code == 404
    unknown = csrf_post(client, switch, {"organization": "no-such-org"}, form_page=dashboard)
    assert unknown.status_code == 404
    assert client.session[CURRENT_ORGANIZATION_SESSION_KEY] == team.pk


def test_create_and_rename_an_organization():
    user, _personal = member_on_plan("free")
    client = csrf_client(user)
    create_page = reverse("accounts:organization_create")

    empty = csrf_post(client, create_page, {"name": "   "}, form_page=create_page)
    assert empty.status_code == 400
    assert b"Give the organization a name" in empty.content

    created = csrf_post(client, create_page, {"name": "Compliance Team"}, form_page=create_page)
    organization = Organization.objects.get(name="Compliance Team")
    assert created["Location"] == organization.get_absolute_url()
    assert Membership.objects.get(organization=organization).role == Role.OWNER

    settings_url = reverse("accounts:organization_settings", kwargs={"org_slug": organization.slug})
    csrf_post(client, settings_url, {"name": "Compliance & Risk"}, form_page=settings_url)
    organization.refresh_from_db()
    assert organization.name == "Compliance & Risk"
    assert organization.slug == "compliance-team"
