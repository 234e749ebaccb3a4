"""Brute-force protection split by who is signing in. Staff accounts (staff or superuser) get
django-axes' lockout on every login path, the public login as much as the admin's: one
password opens the curators' admin wherever it is typed. Everyone else is throttled on the
public forms by allauth's cache-based limits (ACCOUNT_RATE_LIMITS, per address and per IP),
so a mistyped password cannot lock out a whole office IP for an hour."""

from django.urls import reverse

from apps.accounts.selectors import staff_account_exists

# The form field that names the account: the admin's form posts `username`, allauth's login
# form posts `login` and passes it on to authenticate() as `email`.
_IDENTIFIER_FIELDS = ("email", "username", "login")


def login_identifier(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the address an attempt signs in as, whichever form sent it, in
    one case, so the admin and the public login count failures against the same name."""
    source = credentials if credentials is not None else request.POST
    for field in _IDENTIFIER_FIELDS:
        value = source.get(field)
        if value:
            return str(value).strip().lower()
    return None


def is_exempt_from_lockout(request, credentials=None) -> bool:
    """AXES_WHITELIST_CALLABLE: axes neither counts nor locks an attempt on a non-staff account
    outside the admin; allauth throttles those."""
    if request.path.startswith(reverse("admin:index")):
        return False
    identifier = login_identifier(request, credentials)
    return not (identifier and staff_account_exists(email=identifier))
