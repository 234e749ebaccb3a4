"""The catalog clause types the UNFAIR-ToS categories map to (apps/assist/labels.py), created
where the catalog lacks them. Existing rows (the demo catalog has several) are left as curated.
The rows are copied here, as a migration's data must not change when the code does."""

from django.db import migrations

CLAUSE_TYPES = [
    (
        "liability-limitation",
        "Limitation of liability",
        "Caps and exclusions on what the platform owes users when something goes wrong.",
    ),
    (
        "account-termination",
        "Account suspension & termination",
        "When the platform may suspend or close accounts, with or without notice, and what "
        "users lose when it does.",
    ),
    (
        "unilateral-changes",
        "Unilateral changes to terms",
        "The platform's right to change the terms, prices or features, how much notice users "
        "get, and whether continued use counts as acceptance.",
    ),
    (
        "content-removal",
        "Content removal",
        "The platform's right to delete or disable what users post or store, with or without "
        "notice or a reason.",
    ),
    (
        "contract-by-using",
        "Contract by using",
        "Terms that bind users merely because they use or visit the service, without an "
        "explicit agreement.",
    ),
    (
        "choice-of-law",
        "Choice of law",
        "Which country's or state's law governs the contract and disputes about it.",
    ),
    (
        "jurisdiction",
        "Jurisdiction & venue",
        "Which courts hear disputes, and where users must bring or defend claims.",
    ),
    (
        "arbitration-class-action-waiver",
        "Arbitration & class-action waiver",
        "Clauses that move disputes out of court into private arbitration, waive jury trials, "
        "or bar users from joining class or mass actions.",
    ),
]


def create_missing(apps, schema_editor):
    ClauseType = apps.get_model("provisions", "ClauseType")
    for slug, name, description in CLAUSE_TYPES:
        ClauseType.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assist", "0001_clause_suggestions"),
        ("provisions", "0005_provision_impact_from_documents"),
    ]

    # Reversing keeps the clause types: provisions may already use them.
    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
