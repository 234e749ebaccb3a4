from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from apps.accounts.services import organization_create_personal


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Every new account starts with its own organization, in the same transaction, so
        there is never a signed-up user who has nowhere to track platforms."""
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                organization_create_personal(user=user)
        return user
