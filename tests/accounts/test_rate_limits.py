"""Brute-force protection: allauth's cache-based limits on the public login and signup, and
django-axes on the admin login and on every login of a staff account."""

import pytest
from django.conf import settings
from django.core.cache import cache

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.tiers import csrf_client, csrf_post

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
ADMIN_LOGIN = "/admin/login/"


def _login(client, email, password):
    return csrf_post(client, LOGIN, {"login": email, "password": password}, form_page=LOGIN)


def test_failed_logins_lock_the_account_even_for_the_right_password():
    user = UserFactory()
    client = csrf_client()
    for _attempt in range(5):
        response = _login(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert b"not correct" in response.content

    blocked = _login(client, user.email, TEST_PASSWORD)
    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_block_the_right_password():
    user = UserFactory()
    client = csrf_client()
    for _attempt in range(3):
        _login(client, user.email, "wrong-password")
    response = _login(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signups_from_one_address_are_rate_limited():
    limit = int(settings.ACCOUNT_RATE_LIMITS["signup"].split("/")[0])
    client = csrf_client()
    for number in range(limit):
        response = csrf_post(
            client,
            SIGNUP,
            {
                "email": f"signup{number}@example.test",
                "password1": TEST_PASSWORD,
                "password2": TEST_PASSWORD,
            },
            form_page=SIGNUP,
        )
        assert response.status_code == 302
        client.logout()

    refused = csrf_post(
        client,
        SIGNUP,
        {
            "email": "one-too-many@example.test",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
        form_page=SIGNUP,
    )
    assert refused.status_code == 429
    assert not User.objects.filter(email="one-too-many@example.test").exists()


def _admin_login(client, email, password):
    return csrf_post(
        client,
        ADMIN_LOGIN,
        {"username": email, "password": password, "next": "/admin/"},
        form_page=ADMIN_LOGIN,
    )


def test_admin_login_locks_after_repeated_failures():
    admin = UserFactory(email="curator@example.test", is_staff=True, is_superuser=True)
    client = csrf_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _admin_login(client, admin.email, "wrong-password").status_code == 200

    locked = _admin_login(client, admin.email, "wrong-password")
    assert locked.status_code == 429
    still_locked = _admin_login(client, admin.email, TEST_PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_public_login_failures_do_not_lock_the_admin():
    """Failures for a non-staff address on the public form are allauth's to throttle; they must
    not lock the curators out of the admin (nor an office IP out of anything)."""
    admin = UserFactory(email="curator@example.test", is_staff=True, is_superuser=True)
    client = csrf_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        _login(client, "someone@example.test", "wrong-password")

    response = _admin_login(client, admin.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_a_staff_account_gets_the_admin_lockout_on_the_public_login():
    """allauth's per-address limit forgets failures after five minutes (simulated by clearing
    its cache counters); a staff account stays locked for axes' whole cool-off, on the public
    login and on the admin's."""
    curator = UserFactory(email="curator@example.test", is_staff=True)
    client = csrf_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "Curator@Example.test", "wrong-password")
    cache.clear()

    assert _login(client, curator.email, TEST_PASSWORD).status_code == 429
    assert _admin_login(client, curator.email, TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_superuser_is_locked_out_from_another_address_too():
    superuser = UserFactory(email="root@example.test", is_superuser=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(csrf_client(), superuser.email, "wrong-password")
    cache.clear()

    other_client = csrf_client()
    assert _login(other_client, superuser.email, TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in other_client.session


def test_other_accounts_keep_the_public_rate_limit_only():
    user = UserFactory()
    client = csrf_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.email, "wrong-password")
    cache.clear()

    response = _login(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
