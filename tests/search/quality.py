"""The search quality set: queries a person would type on the demo catalog, each with the
results they would expect among the first five of their kind. Written from the demo data
(apps/catalog_demo/data: provision titles, clause types, regulations, agencies, articles), not
from what the search returns. Used by tests/search/test_quality.py on every database and by
benchmarks/search_quality.py, which prints the share of queries fully satisfied."""

from dataclasses import dataclass

from apps.core.search import search_input_parse
from apps.site.models import SearchKind
from apps.site.search_selectors import SearchFilters, catalog_search

TOP = 5
PROVISION = SearchKind.PROVISION
PLATFORM = SearchKind.PLATFORM
CLAUSE_TYPE = SearchKind.CLAUSE_TYPE
REGULATION = SearchKind.REGULATION
AGENCY = SearchKind.AGENCY
ARTICLE = SearchKind.ARTICLE


@dataclass(frozen=True)
class QualityQuery:
    query: str
    expected: tuple[tuple[str, str], ...]
    # Results that must not appear at all (whole words: "ai" is not in "Airbnb").
    unexpected: tuple[tuple[str, str], ...] = ()


QUERY_SET = (
    QualityQuery("GDPR", ((REGULATION, "GDPR"),)),
    QualityQuery(
        "EU AI Act", ((REGULATION, "EU AI Act"), (REGULATION, "EU AI Act - High Risk Provisions"))
    ),
    QualityQuery(
        "Colorado", ((REGULATION, "Colorado AI Act"), (AGENCY, "Colorado Attorney General"))
    ),
    QualityQuery("Texas", ((REGULATION, "Texas AI Act"), (AGENCY, "Texas Attorney General"))),
    QualityQuery(
        "California",
        (
            (REGULATION, "California AB 2013 AI Training Data Transparency"),
            (AGENCY, "California Attorney General"),
            (AGENCY, "California Privacy Protection Agency"),
        ),
    ),
    QualityQuery("Federal Trade Commission", ((AGENCY, "Federal Trade Commission"),)),
    QualityQuery("Irish data protection", ((AGENCY, "Data Protection Commission (Ireland)"),)),
    QualityQuery(
        "arbitration",
        (
            (PROVISION, "Mandatory Arbitration and Jury Trial Waiver"),
            (PROVISION, "Arbitrator Decides Arbitrability; Awards Bind Only the Individual"),
            (CLAUSE_TYPE, "Arbitration & class-action waiver"),
            (REGULATION, "Federal Arbitration Act"),
        ),
    ),
    QualityQuery(
        "arbitation",  # a typo
        (
            (PROVISION, "Mandatory Arbitration and Jury Trial Waiver"),
            (CLAUSE_TYPE, "Arbitration & class-action waiver"),
        ),
    ),
    QualityQuery(
        "class action waiver",
        (
            (PROVISION, "Class Action Waiver Including Pending Actions"),
            (PROVISION, "Class Action and Representative Proceeding Waiver (US)"),
        ),
    ),
    QualityQuery('"jury trial"', ((PROVISION, "Mandatory Arbitration and Jury Trial Waiver"),)),
    QualityQuery(
        "terminate",  # stemming: the titles say "Termination"
        (
            (PROVISION, "Termination for Any Reason on 30 Days' Notice"),
            (PROVISION, "Termination for Any Reason Without Refund"),
            (PROVISION, "Termination for Violations or Fraudulent Use"),
        ),
    ),
    QualityQuery(
        "suspension",
        (
            (PROVISION, "Suspension, Restriction or Termination of Accounts"),
            (PROVISION, "Suspension for Non-Compliance and Termination Without Cause"),
            (PROVISION, "Account Suspension or Termination on Objective Grounds"),
        ),
    ),
    QualityQuery(
        "training data",
        (
            (PROVISION, "Personal Data Used to Train Machine Learning Models"),
            (PROVISION, "Licence to Input for Training, Usage Data and Aggregated Data"),
        ),
    ),
    QualityQuery(
        "opt out of training",
        (
            (PROVISION, "Training on Your Content Unless You Opt Out"),
            (PROVISION, "Model Training on Chats Unless You Opt Out, With Exceptions"),
            (PROVISION, "AI Feature Inputs and Outputs Used for Training Unless You Opt Out"),
        ),
    ),
    QualityQuery(
        "ai",
        (
            (PLATFORM, "Luma AI"),
            (PLATFORM, "Mistral AI"),
            (CLAUSE_TYPE, "AI training on user content"),
        ),
        unexpected=((PLATFORM, "Airbnb"),),
    ),
    QualityQuery(
        "delete my account", ((PROVISION, "Data Kept After Account Deletion for Limited Purposes"),)
    ),
    QualityQuery(
        "liability cap",
        (
            (PROVISION, "Liability Capped at Six Months of Fees or €100"),
            (PROVISION, "€100 Liability Cap for Free Services"),
        ),
    ),
    QualityQuery(
        "limitation of liability",
        (
            (CLAUSE_TYPE, "Limitation of liability"),
            (PROVISION, "Liability Limited to 12 Months of Fees"),
        ),
    ),
    QualityQuery(
        "indemnity",
        (
            (PROVISION, "User Indemnity for Use of the Service"),
            (PROVISION, "Customer Indemnity for Misuse, Offerings and User Data"),
        ),
    ),
    QualityQuery(
        "perpetual licence",
        (
            (PROVISION, "Perpetual, Transferable Licence to Profile Content"),
            (PROVISION, "Perpetual Licence to Customer Content for Permitted Uses"),
        ),
    ),
    QualityQuery(
        "irrevocable licence prompts",
        ((PROVISION, "Irrevocable Licence to Prompts and Generated Images"),),
    ),
    QualityQuery(
        "competing models",
        (
            (PROVISION, "Ban on Using Claude to Build Competing AI Models"),
            (PROVISION, "Prohibition on Using Output to Train Competing AI Models"),
            (PROVISION, "No Using Output to Build Competing Models"),
        ),
    ),
    QualityQuery(
        '"machine learning"',
        (
            (PROVISION, "Ban on Using the Service for Machine Learning Development"),
            (PROVISION, "Personal Data Used to Train Machine Learning Models"),
        ),
    ),
    QualityQuery("price changes", ((PROVISION, "Price and Plan Changes With One Month's Notice"),)),
    QualityQuery(
        "30 days notice",
        (
            (PROVISION, "Changes to the Terms With 30 Days' Notice"),
            (PROVISION, "Termination for Any Reason on 30 Days' Notice"),
        ),
    ),
    QualityQuery(
        "streaming history", ((PROVISION, "Streaming History Kept for the Life of the Account"),)
    ),
    QualityQuery(
        "duet stitch", ((PROVISION, "Duets and Stitches Survive Deletion of Your Content"),)
    ),
    QualityQuery(
        "zoom audio video", ((PROVISION, "No AI Training on Audio, Video and Chat Content"),)
    ),
    QualityQuery("tinder", ((PLATFORM, "Tinder"),)),
    QualityQuery("Spotify", ((PLATFORM, "Spotify"),)),
    QualityQuery(
        "usage data",
        (
            (PROVISION, "Usage Data and Aggregated Data Ownership"),
            (CLAUSE_TYPE, "Usage data ownership"),
        ),
    ),
    QualityQuery(
        "data retention",
        (
            (CLAUSE_TYPE, "Data retention"),
            (PROVISION, "Data Kept After Account Deletion for Limited Purposes"),
        ),
    ),
    QualityQuery("unilateral changes", ((CLAUSE_TYPE, "Unilateral changes to terms"),)),
    QualityQuery(
        "continued use acceptance",
        ((PROVISION, "Continued Use Means Acceptance of Changed Terms"),),
    ),
    QualityQuery(
        "third-party AI tools",
        ((PROVISION, "Ban on Third-Party AI Tools Interacting With the Service"),),
    ),
    QualityQuery("reported content", ((PROVISION, "Reported Content Used to Improve Models"),)),
    QualityQuery(
        "consequential damages", ((PROVISION, "Exclusion of Indirect and Consequential Damages"),)
    ),
    QualityQuery(
        "how platforms describe AI training",
        ((ARTICLE, "How eight platforms describe AI training on what users give them"),),
    ),
)


def top_results(query: str) -> dict[str, list[str]]:
    """The titles of the first `TOP` results of each kind, as the search page lists them."""
    results = catalog_search(
        search=search_input_parse(query), filters=SearchFilters(), per_page=TOP
    )
    top = {kind: [hit.title for hit in hits] for kind, hits in _groups_by_kind(results)}
    top[PROVISION] = [hit.title for hit in results.page.object_list]
    return top


def _groups_by_kind(results):
    for _label, hits in results.groups:
        yield hits[0].kind, hits


def missing(quality_query: QualityQuery) -> list[str]:
    """What this query's top results lack or wrongly hold; empty when fully satisfied."""
    top = top_results(quality_query.query)
    problems = [
        f"{kind} {title!r} not in the top {TOP}"
        for kind, title in quality_query.expected
        if title not in top.get(kind, [])
    ]
    problems += [
        f"{kind} {title!r} found"
        for kind, title in quality_query.unexpected
        if title in top.get(kind, [])
    ]
    return problems
