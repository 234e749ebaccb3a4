"""`Authorization: Bearer <key>`: the key stands for its organization. A request without the
header is anonymous; a header that does not name an active key is refused (401), never
downgraded to anonymous, so a revoked key fails loudly."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.selectors import api_key_for_secret
from apps.accounts.services import api_key_mark_used


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        try:
            scheme, _, secret = header.decode("ascii").partition(" ")
        except UnicodeDecodeError as error:
            message = "The Authorization header is not ASCII."
            raise exceptions.AuthenticationFailed(message) from error
        if scheme.lower() != self.keyword.lower() or not secret.strip():
            raise exceptions.AuthenticationFailed("Send the key as `Authorization: Bearer <key>`.")
        api_key = api_key_for_secret(secret=secret.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("This API key is not valid or has been revoked.")
        api_key_mark_used(api_key=api_key)
        # The key acts for its organization, not for a user.
        return None, api_key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
