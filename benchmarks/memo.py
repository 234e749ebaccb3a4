"""How long a compliance memo PDF takes to build: one provision's, and a whole platform's.

In a throw-away database (SQLite in a temporary folder, or a scratch test_<name> database next
to the PostgreSQL one --database-url or DATABASE_URL names), builds one platform whose document
has --provisions published provisions (each citing an archived version, with regulations,
agencies and a full memo), then asks for the memo files as a Professional member would, through
the real views (selectors, template, WeasyPrint), and prints the median and slowest time of
--runs requests (and the median CPU time, which a busy machine inflates less) for:

- the memo PDF of one provision;
- the platform memo: every provision of the platform with a table of contents.

    .venv/bin/python benchmarks/memo.py [--provisions 50] [--runs 5]
        [--database-url postgres://postgres@127.0.0.1:5432/conductatlas]
"""

import argparse
import io
import statistics
import time

from scratch import add_database_argument, scratch_environment

MEMO_PARAGRAPH = (
    "The clause engages the GDPR where the data concerns people in the EU/EEA, and the CCPA "
    "for California residents. Enterprise customers should ask which categories of data are "
    "used, how they are aggregated, and whether an opt-out exists. Regulators have treated "
    "undisclosed uses of customer data as a deceptive practice."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provisions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    add_database_argument(parser)
    args = parser.parse_args()

    with scratch_environment(database_url=args.database_url, prefix="conductatlas-memo-"):
        run(args)


def run(args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scopes_disabled

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"]
    database_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        with scopes_disabled():
            measure(args)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)


def build(provisions: int):
    """One platform, one document with an archived version quoting every clause, and
    `provisions` published provisions with a full memo, two regulations and an agency each."""
    from apps.documents.models import VersionKind
    from apps.provisions.models import MEMO_FIELDS, ProvisionAgency, Severity
    from tests.factories import (
        AgencyFactory,
        DocumentFactory,
        DocumentVersionFactory,
        PlatformFactory,
        ProvisionFactory,
        RegulationFactory,
    )

    platform = PlatformFactory(name="Benchmark AI", slug="benchmark-ai")
    document = DocumentFactory(platform=platform, title="Benchmark AI Terms", slug="terms")
    clauses = [
        f"Clause {number}: the provider may use customer content and usage data to improve "
        f"and train its services, subject to section {number}."
        for number in range(provisions)
    ]
    version = DocumentVersionFactory(
        document=document,
        number=1,
        kind=VersionKind.FIRST_RECORD,
        text="# Terms\n\n" + "\n\n".join(clauses),
        archive_url="https://web.archive.org/web/2026/https://benchmark.example/terms",
    )
    regulations = [
        RegulationFactory(name="General Data Protection Regulation", short_name="GDPR"),
        RegulationFactory(name="California Consumer Privacy Act", short_name="CCPA"),
    ]
    agency = AgencyFactory(name="Federal Trade Commission", short_name="FTC")
    memo = dict.fromkeys(MEMO_FIELDS, MEMO_PARAGRAPH)
    built = []
    for number, clause in enumerate(clauses):
        provision = ProvisionFactory(
            document=document,
            title=f"Use of customer data, clause {number}",
            slug=f"clause-{number}",
            severity=Severity.values[number % 4],
            clause_text=clause,
            cited_version=version,
            **memo,
        )
        provision.regulations.add(*regulations)
        ProvisionAgency.objects.create(provision=provision, agency=agency, note="Competent.")
        built.append(provision)
    return platform, built


def timed(label: str, client, url: str, runs: int) -> None:
    from pypdf import PdfReader

    seconds, cpu_seconds, response = [], [], None
    for _run in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
        assert response.status_code == 200, (url, response.status_code)
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    print(
        f"{label}: median {statistics.median(seconds):.2f} s (CPU "
        f"{statistics.median(cpu_seconds):.2f} s), slowest {max(seconds):.2f} s over {runs} "
        f"runs ({pages} pages, {len(response.content) / 1024:.0f} KiB)"
    )


def measure(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tests.tiers import member_on_plan

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    platform, provisions = build(args.provisions)
    user, _organization = member_on_plan("professional")
    client = Client()
    client.force_login(user)
    print(
        f"1 platform with {len(provisions)} provisions, built in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
    )
    one = provisions[0]
    timed(
        "one-provision memo PDF",
        client,
        reverse(
            "workspace:provision_memo_pdf",
            kwargs={
                "platform_slug": platform.slug,
                "document_slug": one.document.slug,
                "provision_slug": one.slug,
            },
        ),
        args.runs,
    )
    timed(
        f"{len(provisions)}-provision platform memo PDF",
        client,
        reverse("workspace:platform_memo_pdf", kwargs={"platform_slug": platform.slug}),
        args.runs,
    )


if __name__ == "__main__":
    main()
