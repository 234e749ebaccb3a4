"""What provision search reads. The memo fields are deliberately absent: a match there would
reveal locked content. Migration 0003 indexes exactly `search_vector(PROVISION_SEARCH_FIELDS)`
on PostgreSQL; change one and write a migration for the other (tests/pages/test_search_indexes.py
checks both agree)."""

PROVISION_SEARCH_FIELDS = ("title", "summary", "clause_text")
