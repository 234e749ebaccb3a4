"""What provision search reads. The memo fields are deliberately absent: a match there would
reveal locked content. Kept apart from selectors so the model can index the same expression."""

from apps.core.search import search_vector

PROVISION_SEARCH_FIELDS = ("title", "summary", "clause_text")


def provision_search_vector():
    return search_vector(PROVISION_SEARCH_FIELDS)
