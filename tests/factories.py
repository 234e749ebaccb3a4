import hashlib

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.models import User
from apps.documents.models import Document, DocumentType, DocumentVersion, VersionKind
from apps.platforms.models import Platform, Sector
from apps.provisions.models import (
    Category,
    ClauseType,
    FAQEntry,
    Provision,
    ProvisionStatus,
    Severity,
)
from apps.regulations.models import Agency, Regulation


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Platform {n}")
    slug = factory.Sequence(lambda n: f"platform-{n}")
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example")
    sector = Sector.AI


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    platform = factory.SubFactory(PlatformFactory)
    title = factory.LazyAttribute(lambda o: f"{o.platform.name} Terms of Service")
    slug = factory.Sequence(lambda n: f"terms-of-service-{n}")
    doc_type = DocumentType.TERMS_OF_SERVICE
    source_url = factory.LazyAttribute(lambda o: f"{o.platform.website}/terms")
    first_tracked_at = factory.LazyFunction(timezone.now)


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentVersion

    document = factory.SubFactory(DocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = VersionKind.FIRST_RECORD
    captured_at = factory.LazyFunction(timezone.now)
    text = factory.Sequence(lambda n: f"# Terms\n\nClause number {n} applies to every user.")
    text_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.text.encode()).hexdigest())


class ClauseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClauseType

    name = factory.Sequence(lambda n: f"Clause type {n}")
    slug = factory.Sequence(lambda n: f"clause-type-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulation

    name = factory.Sequence(lambda n: f"Regulation {n}")
    slug = factory.Sequence(lambda n: f"regulation-{n}")
    jurisdiction = "European Union"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    jurisdiction = "US"
    complaint_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example/complaint")


class ProvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provision

    document = factory.SubFactory(DocumentFactory)
    title = factory.Sequence(lambda n: f"Provision {n}")
    slug = factory.Sequence(lambda n: f"provision-{n}")
    status = ProvisionStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    severity = Severity.MEDIUM
    clause_type = factory.SubFactory(ClauseTypeFactory)
    clause_text = factory.Sequence(lambda n: f"The user grants a licence number {n}.")
    summary = "What the clause says, in plain words."
    why_it_matters = "Why a compliance team should care."
    consumer_impact = "What it means for a user."
    regulatory_framework = "LOCKED-REGULATORY-FRAMEWORK GDPR Art. 6(1)(f) applies."
    governance_exposure = "LOCKED-GOVERNANCE-EXPOSURE Medium."
    jurisdiction_flags = "LOCKED-JURISDICTION-FLAGS EU/EEA."
    contract_vendor_implications = "LOCKED-CONTRACT-IMPLICATIONS Negotiate limits."
    compliance_considerations = "LOCKED-COMPLIANCE-CONSIDERATIONS Map the data."
    enforcement_risk = "LOCKED-ENFORCEMENT-RISK Moderate."
    action_items = "LOCKED-ACTION-ITEMS Review the clause."
    analysis_generated_at = factory.LazyFunction(timezone.now)


class FAQEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQEntry

    provision = factory.SubFactory(ProvisionFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer."


TEST_PASSWORD = "a-long-test-passphrase-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email address is verified, as after allauth's confirmation step."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
