"""The signed-in user of a request, read with the rest of their cached account data
(apps.core.viewer_cache) rather than from the database at every request."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import User
from apps.core.viewer_cache import viewer_part


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the user taken from the cache when the session is plainly theirs."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    # Django's own memo, which login() and logout() keep.
    if not hasattr(request, "_cached_user"):
        request._cached_user = _user_uncached(request)
    return request._cached_user


def _user_uncached(request):
    """The cached user when the session verifies against it as Django's `get_user` would
    (its backend configured, the account active, the session's hash that of the current
    password and secret key); anything else (no session, a fallback secret key, a password
    changed elsewhere) takes Django's own way, which signs the session out where it must. A
    write to the user replaces the cached copy (apps/accounts/receivers.py)."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    if user_id is None or session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    pk = User._meta.pk.to_python(user_id)
    user = viewer_part(request, "user", lambda: auth.get_user(request), user_id=pk)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        user.pk == pk
        and user.is_active
        and session_hash
        and constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        return user
    return auth.get_user(request)
