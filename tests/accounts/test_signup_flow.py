"""Signup → email verification → login, and the account pages around it, through HTTP with
CSRF checks on, as a browser would do them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from apps.accounts.models import Membership, Organization, Role, User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.tiers import csrf_client, csrf_post

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
NEW_PASSWORD = "another-long-passphrase-77"


def _link_in(message, path_prefix: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", message.body)
    assert match, f"no {path_prefix} link in: {message.body}"
    return match.group(1)


def _signup(client, email: str, password: str = TEST_PASSWORD, password2: str | None = None):
    return csrf_post(
        client,
        SIGNUP,
        {"email": email, "password1": password, "password2": password2 or password},
        form_page=SIGNUP,
    )


def test_signup_verification_and_login():
    client = csrf_client()
    response = _signup(client, "new.user@example.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.user@example.test")
    assert not EmailAddress.objects.get(user=user).verified
    # The personal organization exists from the start, owned by the new user.
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organization.is_personal

    # Unverified: logging in sends another confirmation instead of signing in.
    fresh = csrf_client()
    csrf_post(fresh, LOGIN, {"login": user.email, "password": TEST_PASSWORD}, form_page=LOGIN)
    assert "_auth_user_id" not in fresh.session

    confirm_path = _link_in(mail.outbox[0], "/accounts/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"new.user@example.test" in page.content
    confirmed = csrf_post(client, confirm_path, form_page=confirm_path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    client = csrf_client()
    logged_in = csrf_post(
        client,
        LOGIN,
        {"login": "new.user@example.test", "password": TEST_PASSWORD},
        form_page=LOGIN,
    )
    assert logged_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    # Sign-in lands on the dashboard of the personal organization.
    landing = client.get(logged_in["Location"])
    assert landing["Location"] == membership.organization.get_absolute_url()


def test_signup_without_csrf_token_is_refused():
    client = csrf_client()
    response = client.post(
        SIGNUP, {"email": "x@example.test", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.test").exists()


def test_duplicate_email_creates_nothing_and_tells_the_address_owner():
    existing = UserFactory(email="taken@example.test")
    client = csrf_client()
    response = _signup(client, "Taken@Example.test")

    # The page does not reveal whether the address has an account (no enumeration) ...
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="taken@example.test").count() == 1
    assert EmailAddress.objects.filter(email__iexact="taken@example.test").count() == 1
    assert Organization.objects.filter(memberships__user=existing).count() == 0
    # ... the clear message goes to the address's owner, who alone may learn it.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.test"]
    assert "already exists" in mail.outbox[0].body
    page = client.get(response["Location"])
    assert b"already has an account" in page.content


@pytest.mark.parametrize(
    ("password", "password2", "expected"),
    [
        ("short1", None, b"too short"),
        ("password123", None, b"too common"),
        ("38475639281", None, b"entirely numeric"),
        (TEST_PASSWORD, "a-different-passphrase", b"same password"),
    ],
)
def test_weak_or_mismatched_password_is_refused_with_a_reason(password, password2, expected):
    client = csrf_client()
    response = _signup(client, "weak@example.test", password, password2)

    assert response.status_code == 200
    assert expected in response.content
    assert b'aria-invalid="true"' in response.content
    assert not User.objects.filter(email="weak@example.test").exists()
    assert not mail.outbox


def test_password_reset_by_emailed_link():
    user = UserFactory(email="forgetful@example.test")
    client = csrf_client()
    reset_page = "/accounts/password/reset/"
    csrf_post(client, reset_page, {"email": user.email}, form_page=reset_page)

    assert len(mail.outbox) == 1
    key_path = _link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(key_path, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_path
    done = csrf_post(
        client,
        set_url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        form_page=set_url,
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link is single-use.
    reused = client.get(key_path, follow=True)
    assert b"no longer works" in reused.content


def test_change_password_requires_the_current_one():
    user = UserFactory()
    client = csrf_client(user)
    page = "/accounts/password/change/"
    wrong = csrf_post(
        client,
        page,
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        form_page=page,
    )
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)

    right = csrf_post(
        client,
        page,
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        form_page=page,
    )
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_change_email_takes_effect_after_confirming_the_new_address():
    user = UserFactory(email="old@example.test")
    client = csrf_client(user)
    page = "/accounts/email/"
    csrf_post(client, page, {"email": "new@example.test", "action_add": ""}, form_page=page)

    user.refresh_from_db()
    assert user.email == "old@example.test"
    confirm_path = _link_in(mail.outbox[-1], "/accounts/confirm-email/")
    assert mail.outbox[-1].to == ["new@example.test"]
    csrf_post(client, confirm_path, form_page=confirm_path)

    user.refresh_from_db()
    assert user.email == "new@example.test"
    assert EmailAddress.objects.get(user=user).email == "new@example.test"


def test_account_pages_use_the_site_layout():
    client = csrf_client()
    for path in (LOGIN, SIGNUP, "/accounts/password/reset/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="site-header"' in html
        assert '<label for="id_' in html
        assert "<title>" in html and "· ConductAtlas</title>" in html


def test_logout_is_a_post():
    user = UserFactory()
    client = csrf_client(user)
    page = client.get("/accounts/logout/")
    assert b"Do you want to log out" in page.content
    assert "_auth_user_id" in client.session

    csrf_post(client, "/accounts/logout/", form_page="/accounts/logout/")
    assert "_auth_user_id" not in client.session
