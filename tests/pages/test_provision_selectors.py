from dataclasses import replace

import pytest

from apps.billing.entitlements import VISITOR
from apps.provisions.models import MEMO_FIELDS, ProvisionStatus
from apps.provisions.selectors import (
    MEMO_LABELS,
    provision_compliance_analysis,
    provision_faq,
    provision_peers,
    provision_uniqueness,
)
from tests.factories import DocumentFactory, FAQEntryFactory, PlatformFactory, ProvisionFactory

pytestmark = pytest.mark.django_db

WATCHER = replace(VISITOR, plan_code="watcher", features=frozenset({"regulatory_citations"}))
PROFESSIONAL = replace(VISITOR, plan_code="professional", features=frozenset({"full_memo"}))
ALL_LABELS = [MEMO_LABELS[field] for field in MEMO_FIELDS]


def visible_texts(analysis):
    return [section.text for section in analysis.sections]


def test_visitor_gets_no_memo_text_and_every_label_locked():
    analysis = provision_compliance_analysis(provision=ProvisionFactory(), entitlements=VISITOR)
    assert analysis.sections == []
    assert analysis.locked == ALL_LABELS


def test_watcher_gets_the_regulatory_citations_only():
    provision = ProvisionFactory()
    analysis = provision_compliance_analysis(provision=provision, entitlements=WATCHER)
    assert visible_texts(analysis) == [provision.regulatory_framework, provision.jurisdiction_flags]
    assert analysis.locked == [
        "Governance exposure",
        "Contract and vendor implications",
        "Compliance considerations",
        "Enforcement risk",
        "Due-diligence action items",
    ]


def test_professional_gets_the_whole_memo_in_order():
    provision = ProvisionFactory()
    analysis = provision_compliance_analysis(provision=provision, entitlements=PROFESSIONAL)
    assert visible_texts(analysis) == [getattr(provision, field) for field in MEMO_FIELDS]
    assert [section.label for section in analysis.sections] == ALL_LABELS
    assert analysis.locked == []


def test_empty_memo_parts_are_neither_shown_nor_teased():
    provision = ProvisionFactory(enforcement_risk="", regulatory_framework="")
    assert (
        "Enforcement risk"
        not in provision_compliance_analysis(provision=provision, entitlements=VISITOR).locked
    )
    assert visible_texts(
        provision_compliance_analysis(provision=provision, entitlements=WATCHER)
    ) == [provision.jurisdiction_flags]


def test_uniqueness_counts_other_platforms_with_published_provisions():
    mine = ProvisionFactory()
    clause_type = mine.clause_type
    # Another provision of my own platform with the same clause type does not make it shared.
    ProvisionFactory(
        document=DocumentFactory(platform=mine.document.platform), clause_type=clause_type
    )
    assert provision_uniqueness(provision=mine).shared == 0

    ProvisionFactory(clause_type=clause_type)  # shared with a second platform
    ProvisionFactory()  # a third platform, another clause type
    ProvisionFactory(clause_type=clause_type, status=ProvisionStatus.DRAFT)  # drafts do not count
    PlatformFactory()  # a platform with nothing published does not count either
    uniqueness = provision_uniqueness(provision=mine)
    assert (uniqueness.shared, uniqueness.of, uniqueness.is_unique) == (1, 2, False)


def test_peers_show_one_provision_per_other_platform_most_severe_first():
    mine = ProvisionFactory()
    clause_type = mine.clause_type
    other_platform = PlatformFactory(name="Alpha")
    mild = ProvisionFactory(document__platform=other_platform, clause_type=clause_type, severity=1)
    severe = ProvisionFactory(
        document__platform=other_platform, clause_type=clause_type, severity=4
    )
    third = ProvisionFactory(document__platform__name="Beta", clause_type=clause_type, severity=2)
    ProvisionFactory(clause_type=clause_type, status=ProvisionStatus.IN_REVIEW, severity=4)
    ProvisionFactory(document=mine.document, clause_type=clause_type, severity=4)

    peers = provision_peers(provision=mine)
    assert peers == [severe, third]
    assert mild not in peers
    assert provision_peers(provision=mine, limit=1) == [severe]


def test_faq_does_not_repeat_a_standard_question_a_curator_answered():
    provision = ProvisionFactory(document__platform__name="Luma AI")
    FAQEntryFactory(
        provision=provision, question="Is ConductAtlas  affiliated with luma ai?", answer="No."
    )
    questions = [item.question for item in provision_faq(provision=provision)]
    assert questions == [
        f"What does Luma AI's {provision.title} clause do?",
        "How does this clause affect users?",
        "Is ConductAtlas  affiliated with luma ai?",
    ]
