"""The UNFAIR-ToS clause categories (CLAUDETTE, in LexGLUE's split) the classifier predicts, and
the catalog clause type each one suggests. The clause types are created by this app's data
migration when the catalog lacks them."""

from django.db import models


class ClauseLabel(models.TextChoices):
    LIMITATION_OF_LIABILITY = "Limitation of liability"
    UNILATERAL_TERMINATION = "Unilateral termination"
    UNILATERAL_CHANGE = "Unilateral change"
    CONTENT_REMOVAL = "Content removal"
    CONTRACT_BY_USING = "Contract by using"
    CHOICE_OF_LAW = "Choice of law"
    JURISDICTION = "Jurisdiction"
    ARBITRATION = "Arbitration"


# In the order of the classifier's output columns.
LABELS: tuple[str, ...] = tuple(ClauseLabel.values)

# UNFAIR-ToS category → catalog clause type (slug, name, description).
LABEL_CLAUSE_TYPES: dict[str, tuple[str, str, str]] = {
    ClauseLabel.LIMITATION_OF_LIABILITY: (
        "liability-limitation",
        "Limitation of liability",
        "Caps and exclusions on what the platform owes users when something goes wrong.",
    ),
    ClauseLabel.UNILATERAL_TERMINATION: (
        "account-termination",
        "Account suspension & termination",
        "When the platform may suspend or close accounts, with or without notice, and what "
        "users lose when it does.",
    ),
    ClauseLabel.UNILATERAL_CHANGE: (
        "unilateral-changes",
        "Unilateral changes to terms",
        "The platform's right to change the terms, prices or features, how much notice users "
        "get, and whether continued use counts as acceptance.",
    ),
    ClauseLabel.CONTENT_REMOVAL: (
        "content-removal",
        "Content removal",
        "The platform's right to delete or disable what users post or store, with or without "
        "notice or a reason.",
    ),
    ClauseLabel.CONTRACT_BY_USING: (
        "contract-by-using",
        "Contract by using",
        "Terms that bind users merely because they use or visit the service, without an "
        "explicit agreement.",
    ),
    ClauseLabel.CHOICE_OF_LAW: (
        "choice-of-law",
        "Choice of law",
        "Which country's or state's law governs the contract and disputes about it.",
    ),
    ClauseLabel.JURISDICTION: (
        "jurisdiction",
        "Jurisdiction & venue",
        "Which courts hear disputes, and where users must bring or defend claims.",
    ),
    ClauseLabel.ARBITRATION: (
        "arbitration-class-action-waiver",
        "Arbitration & class-action waiver",
        "Clauses that move disputes out of court into private arbitration, waive jury trials, "
        "or bar users from joining class or mass actions.",
    ),
}
