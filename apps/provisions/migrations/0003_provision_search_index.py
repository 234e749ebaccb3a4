import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

import apps.core.search


class Migration(migrations.Migration):
    """The GIN index behind provision search on PostgreSQL: the expression of
    search_vector(PROVISION_SEARCH_FIELDS) (apps.provisions.search), written out."""

    dependencies = [
        ("provisions", "0002_history_for_categories_agencies_faq"),
    ]

    operations = [
        apps.core.search.AddIndexOnPostgreSQL(
            model_name="provision",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector(
                    "title", config="english", weight="A"
                )
                + django.contrib.postgres.search.SearchVector(
                    "summary", config="english", weight="B"
                )
                + django.contrib.postgres.search.SearchVector(
                    "clause_text", config="english", weight="C"
                ),
                name="provision_search",
            ),
        ),
    ]
