"""The search quality set (tests/search/quality.py) on the demo catalog: prints, for the
database used, each query that is not fully satisfied and the share of queries whose expected
results are all in the top five of their kind.

Loads the demo catalog into a throw-away database (SQLite in a temporary folder, or a scratch
PostgreSQL database next to --database-url / DATABASE_URL).

    .venv/bin/python benchmarks/search_quality.py [--database-url postgres://...]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import pages  # noqa: E402


def measure(args) -> None:
    from django.db import connection

    from apps.catalog_demo.loader import demo_catalog_load
    from tests.search.quality import QUERY_SET, TOP, missing

    demo_catalog_load()
    satisfied = 0
    for quality_query in QUERY_SET:
        problems = missing(quality_query)
        if problems:
            print(f"  {quality_query.query!r}: {'; '.join(problems)}")
        else:
            satisfied += 1
    print(
        f"search quality on {connection.vendor}: {satisfied} of {len(QUERY_SET)} queries "
        f"({satisfied / len(QUERY_SET):.0%}) have all their expected results in the top {TOP}"
    )


if __name__ == "__main__":
    pages.main(measure, description=__doc__)
