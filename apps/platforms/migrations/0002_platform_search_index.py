import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

import apps.core.search


class Migration(migrations.Migration):
    """The GIN index behind platform search on PostgreSQL: the expression of
    search_vector(PLATFORM_SEARCH_FIELDS) (apps.platforms.selectors), written out."""

    dependencies = [
        ("platforms", "0001_initial"),
    ]

    operations = [
        apps.core.search.AddIndexOnPostgreSQL(
            model_name="platform",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("name", config="english", weight="A")
                + django.contrib.postgres.search.SearchVector(
                    "description", config="english", weight="B"
                ),
                name="platform_search",
            ),
        ),
    ]
