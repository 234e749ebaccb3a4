"""Invitations under concurrent requests, each thread on its own database connection: one
open invitation per address, a link accepted once, and the hourly limit counted exactly."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django_scopes import scope

from apps.accounts.models import Invitation, Membership
from apps.accounts.services import invitation_accept, invitation_create
from apps.core.exceptions import ApplicationError
from tests.factories import UserFactory
from tests.tiers import member_on_plan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent requests need a database every thread can open; SQLite's test "
        "database lives in one connection's memory (CI runs these on PostgreSQL)",
    ),
]

THREADS = 4


def _run_at_once(actions) -> list[tuple[str, object]]:
    """Runs each action in its own thread, all released together; returns ("ok", result) or
    ("refused", message) per action, and ("crashed", error) for anything else."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            outcomes.append(("ok", action()))
        except ApplicationError as error:
            outcomes.append(("refused", error.message))
        except Exception as error:  # noqa: BLE001 -- reported to the test, not swallowed
            outcomes.append(("crashed", repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _kinds(outcomes) -> list[str]:
    return sorted(kind for kind, _value in outcomes)


def test_concurrent_invitations_of_one_address_leave_one_open_invitation():
    owner, organization = member_on_plan("free")

    def invite():
        # A new thread starts with no scope; the members page's view enters the organization's.
        with scope(organization=organization):
            return invitation_create(
                organization=organization, actor=owner, email="same@example.test", role="member"
            )

    outcomes = _run_at_once([invite] * THREADS)

    assert _kinds(outcomes) == ["ok"] + ["refused"] * (THREADS - 1), outcomes
    assert all("already waiting" in value for kind, value in outcomes if kind == "refused")
    assert Invitation.objects.filter(organization=organization).count() == 1
    assert len(mail.outbox) == 1


def test_concurrent_clicks_on_one_link_make_one_membership():
    owner, organization = member_on_plan("free")
    _invitation, token = invitation_create(
        organization=organization, actor=owner, email="joiner@example.test", role="member"
    )
    joiner = UserFactory(email="joiner@example.test")

    outcomes = _run_at_once([lambda: invitation_accept(token=token, user=joiner)] * THREADS)

    assert _kinds(outcomes) == ["ok"] + ["refused"] * (THREADS - 1), outcomes
    assert Membership.objects.filter(organization=organization, user=joiner).count() == 1
    assert Invitation.objects.get(organization=organization).accepted_by == joiner


def test_concurrent_invitations_respect_the_hourly_limit(settings):
    settings.ORGANIZATION_INVITATIONS_PER_HOUR = 2
    owner, organization = member_on_plan("free")

    def invite(number):
        with scope(organization=organization):
            return invitation_create(
                organization=organization,
                actor=owner,
                email=f"person{number}@example.test",
                role="member",
            )

    outcomes = _run_at_once([lambda number=number: invite(number) for number in range(THREADS)])

    assert _kinds(outcomes) == ["ok"] * 2 + ["refused"] * (THREADS - 2), outcomes
    assert Invitation.objects.filter(organization=organization).count() == 2
