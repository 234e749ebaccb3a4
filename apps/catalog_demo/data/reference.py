"""Clause types, categories, regulations and agencies of the demo catalog. Descriptions are our
own summaries; complaint and reference URLs are the bodies' real public pages."""

CLAUSE_TYPES = [
    {
        "slug": "arbitration-class-action-waiver",
        "name": "Arbitration & class-action waiver",
        "description": "Clauses that move disputes out of court into private arbitration, waive "
        "jury trials, or bar users from joining class or mass actions.",
    },
    {
        "slug": "ai-training-on-user-content",
        "name": "AI training on user content",
        "description": "Whether and how the platform uses what users submit (prompts, files, "
        "posts, recordings) to train or improve machine-learning models, and the opt-outs.",
    },
    {
        "slug": "output-use-restrictions",
        "name": "AI development & output use restrictions",
        "description": "Bans on using the service, its content or its AI output to build, train "
        "or benchmark other AI models or competing products.",
    },
    {
        "slug": "data-retention",
        "name": "Data retention",
        "description": "How long the platform keeps personal data and content, including after "
        "deletion requests or account closure.",
    },
    {
        "slug": "unilateral-changes",
        "name": "Unilateral changes to terms",
        "description": "The platform's right to change the terms, prices or features, how much "
        "notice users get, and whether continued use counts as acceptance.",
    },
    {
        "slug": "liability-limitation",
        "name": "Limitation of liability",
        "description": "Caps and exclusions on what the platform owes users when something goes "
        "wrong.",
    },
    {
        "slug": "content-licence",
        "name": "Licence to user content",
        "description": "The rights users grant the platform over what they upload or create: "
        "scope, duration, sublicensing and purposes.",
    },
    {
        "slug": "account-termination",
        "name": "Account suspension & termination",
        "description": "When the platform may suspend or close accounts, with or without notice, "
        "and what users lose when it does.",
    },
    {
        "slug": "usage-data-ownership",
        "name": "Usage data ownership",
        "description": "Who owns telemetry, usage patterns and aggregated data derived from how "
        "people use the service, and what the platform may build from it.",
    },
    {
        "slug": "indemnification",
        "name": "Indemnification",
        "description": "Promises by users to cover the platform's costs and losses from claims "
        "connected to their use or content.",
    },
]

CATEGORIES = [
    {"slug": "ai-governance", "name": "AI governance"},
    {"slug": "data-rights", "name": "Data rights"},
    {"slug": "arbitration-clauses", "name": "Arbitration clauses"},
    {"slug": "intellectual-property", "name": "Intellectual property"},
    {"slug": "retention-policies", "name": "Retention policies"},
    {"slug": "account-control", "name": "Account control"},
    {"slug": "liability-and-risk", "name": "Liability & risk"},
    {"slug": "indemnification", "name": "Indemnification"},
    {"slug": "contract-changes", "name": "Contract changes"},
]

EUR_LEX_AI_ACT = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"

REGULATIONS = [
    {
        "slug": "eu-ai-act",
        "name": "EU AI Act",
        "short_name": "EU AI Act",
        "jurisdiction": "European Union",
        "description": "Regulation (EU) 2024/1689 on artificial intelligence: transparency "
        "duties, obligations for general-purpose AI model providers, and a risk-based regime "
        "for AI systems placed on the EU market.",
        "reference_url": EUR_LEX_AI_ACT,
    },
    {
        "slug": "eu-ai-act-high-risk",
        "name": "EU AI Act - High Risk Provisions",
        "short_name": "AI Act high-risk",
        "jurisdiction": "EU",
        "description": "Chapter III of the EU AI Act: data governance, documentation, human "
        "oversight and accuracy duties for high-risk AI systems and their deployers.",
        "reference_url": EUR_LEX_AI_ACT,
    },
    {
        "slug": "gdpr",
        "name": "GDPR",
        "short_name": "GDPR",
        "jurisdiction": "European Union",
        "description": "Regulation (EU) 2016/679: lawful bases, purpose limitation, storage "
        "limitation, transparency and data-subject rights for personal data.",
        "reference_url": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
    },
    {
        "slug": "ccpa",
        "name": "CCPA",
        "short_name": "CCPA",
        "jurisdiction": "US-CA",
        "description": "California Consumer Privacy Act as amended by the CPRA: notice at "
        "collection, rights to know, delete, correct and opt out, and purpose limits.",
        "reference_url": "https://oag.ca.gov/privacy/ccpa",
    },
    {
        "slug": "california-ab-2013",
        "name": "California AB 2013 AI Training Data Transparency",
        "short_name": "CA AB 2013",
        "jurisdiction": "US-CA",
        "description": "Requires developers of generative AI systems offered to Californians to "
        "publish a summary of the datasets used to train them, from 2026.",
        "reference_url": "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml"
        "?bill_id=202320240AB2013",
    },
    {
        "slug": "colorado-ai-act",
        "name": "Colorado AI Act",
        "short_name": "Colorado AI Act",
        "jurisdiction": "US-CO",
        "description": "SB 24-205: duties of reasonable care for developers and deployers of "
        "high-risk AI systems used in consequential decisions about consumers.",
        "reference_url": "https://leg.colorado.gov/bills/sb24-205",
    },
    {
        "slug": "texas-ai-act",
        "name": "Texas AI Act",
        "short_name": "TRAIGA",
        "jurisdiction": "Texas, USA",
        "description": "The Texas Responsible Artificial Intelligence Governance Act (HB 149, "
        "2025): prohibited AI practices, disclosure duties and Attorney General enforcement.",
        "reference_url": "https://capitol.texas.gov/BillLookup/History.aspx?LegSess=89R&Bill=HB149",
    },
    {
        "slug": "us-executive-order-ai-policy-framework",
        "name": "Trump Executive Order on AI Policy Framework",
        "short_name": "AI policy EO",
        "jurisdiction": "US",
        "description": "Federal executive order of 2025 setting a national AI policy framework "
        "and directing agencies to challenge state AI rules seen as conflicting with it.",
        "reference_url": "https://www.whitehouse.gov/presidential-actions/",
    },
    {
        "slug": "ftc-act-section-5",
        "name": "FTC Act Section 5",
        "short_name": "FTC Act §5",
        "jurisdiction": "US",
        "description": "15 U.S.C. § 45: prohibits unfair or deceptive acts or practices, the "
        "FTC's main tool against misleading data and AI claims.",
        "reference_url": "https://www.law.cornell.edu/uscode/text/15/45",
    },
    {
        "slug": "federal-arbitration-act",
        "name": "Federal Arbitration Act",
        "short_name": "FAA",
        "jurisdiction": "US",
        "description": "9 U.S.C. § 1 et seq.: makes written arbitration agreements enforceable, "
        "subject to general contract defences such as unconscionability.",
        "reference_url": "https://www.law.cornell.edu/uscode/text/9",
    },
    {
        "slug": "eu-unfair-contract-terms-directive",
        "name": "EU Unfair Contract Terms Directive",
        "short_name": "Directive 93/13/EEC",
        "jurisdiction": "European Union",
        "description": "Council Directive 93/13/EEC: standard terms that create a significant "
        "imbalance to the consumer's detriment are not binding on the consumer.",
        "reference_url": "https://eur-lex.europa.eu/eli/dir/1993/13/oj",
    },
]

AGENCIES = [
    {
        "slug": "ftc",
        "name": "Federal Trade Commission",
        "short_name": "FTC",
        "jurisdiction": "US",
        "description": "Enforces the FTC Act against unfair or deceptive practices, including "
        "privacy and AI claims.",
        "complaint_url": "https://reportfraud.ftc.gov/",
    },
    {
        "slug": "california-ag",
        "name": "California Attorney General",
        "short_name": "California AG",
        "jurisdiction": "US-CA",
        "description": "Enforces the CCPA and California's consumer protection laws.",
        "complaint_url": "https://oag.ca.gov/contact/consumer-complaint-against-business-or-company",
    },
    {
        "slug": "cppa",
        "name": "California Privacy Protection Agency",
        "short_name": "CPPA",
        "jurisdiction": "US-CA",
        "description": "California's dedicated privacy regulator; takes consumer complaints "
        "under the CCPA.",
        "complaint_url": "https://cppa.ca.gov/webapplications/complaint",
    },
    {
        "slug": "state-attorneys-general",
        "name": "State attorneys general",
        "short_name": "State AG",
        "jurisdiction": "US",
        "description": "Each state's attorney general enforces its consumer protection and "
        "privacy statutes; the directory leads to each office's complaint form.",
        "complaint_url": "https://www.naag.org/find-my-ag/",
    },
    {
        "slug": "colorado-ag",
        "name": "Colorado Attorney General",
        "short_name": "Colorado AG",
        "jurisdiction": "US-CO",
        "description": "Enforces the Colorado AI Act, the Colorado Privacy Act and consumer "
        "protection law.",
        "complaint_url": "https://coag.gov/file-complaint/",
    },
    {
        "slug": "texas-ag",
        "name": "Texas Attorney General",
        "short_name": "Texas AG",
        "jurisdiction": "Texas, USA",
        "description": "Enforces the Texas AI Act (TRAIGA), the Texas Data Privacy and Security "
        "Act and the Deceptive Trade Practices Act.",
        "complaint_url": "https://www.texasattorneygeneral.gov/consumer-protection/"
        "file-consumer-complaint",
    },
    {
        "slug": "irish-dpc",
        "name": "Data Protection Commission (Ireland)",
        "short_name": "Irish DPC",
        "jurisdiction": "Ireland / EU",
        "description": "Lead GDPR supervisory authority for many platforms with their EU "
        "establishment in Ireland.",
        "complaint_url": "https://www.dataprotection.ie/en/individuals/exercising-your-rights/"
        "complaints-handling-investigations-and-enforcement-individuals",
    },
    {
        "slug": "cnil",
        "name": "Commission nationale de l'informatique et des libertés",
        "short_name": "CNIL",
        "jurisdiction": "France / EU",
        "description": "French data protection authority; GDPR lead authority for companies "
        "established in France.",
        "complaint_url": "https://www.cnil.fr/fr/plaintes",
    },
]
