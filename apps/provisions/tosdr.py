"""ToS;DR import: how its data maps onto the catalog.

ToS;DR ("Terms of Service; Didn't Read") points carry a *case*: one of a few hundred standard
findings ("The service can delete your account without prior notice and without a reason"). Each
case we import is listed under the clause type it belongs to; a case that is not listed is
skipped with the reason "no clause type for this case" and named in the import's summary, so
the table can grow. Skipping was chosen over a catch-all clause type: clause types are what the
public pages compare across platforms, and a bucket of unrelated findings would compare nothing.
Deliberately unmapped: "The service provides a free help desk" (a service feature, not a term).

The clause types below are created on import when missing, with these names. Those the demo
catalog and the clause classifier's categories (apps/assist/labels.py) also use have the same
slug, name and description here, so either may create them first."""

from apps.documents.models import DocumentType
from apps.provisions.models import Severity

TOSDR_ATTRIBUTION = "ToS;DR contributors"
TOSDR_LICENCE = "CC BY-SA 3.0"
TOSDR_LICENCE_URL = "https://creativecommons.org/licenses/by-sa/3.0/"
TOSDR_URL = "https://tosdr.org/"

# ToS;DR classification → severity: how much the finding should worry a reader.
SEVERITY_BY_CLASSIFICATION = {
    "good": Severity.LOW,
    "neutral": Severity.MEDIUM,
    "bad": Severity.HIGH,
    "blocker": Severity.CRITICAL,
}

# A point names its document ("Privacy Policy", "TERMS OF USE", "Amazon Privacy Notice"); the
# first word found decides its type, in this order.
DOCUMENT_TYPE_BY_WORD = (
    ("privacy", DocumentType.PRIVACY_POLICY),
    ("data policy", DocumentType.PRIVACY_POLICY),
    ("cookie", DocumentType.OTHER),
    ("acceptable use", DocumentType.ACCEPTABLE_USE),
    ("community", DocumentType.COMMUNITY_GUIDELINES),
    ("guidelines", DocumentType.COMMUNITY_GUIDELINES),
    ("terms", DocumentType.TERMS_OF_SERVICE),
    ("conditions", DocumentType.TERMS_OF_SERVICE),
    ("agreement", DocumentType.TERMS_OF_SERVICE),
    ("licen", DocumentType.TERMS_OF_SERVICE),
)
# What a point with no document name is filed under.
UNNAMED_DOCUMENT_TITLE = "Document not named by ToS;DR"

# Every clause type a mapped case needs, created on import when missing. The demo catalog's
# (apps/catalog_demo/data/reference.py) are reused by slug, with the same names and descriptions,
# for an import that runs before or without the demo data.
CLAUSE_TYPES = {
    "terms-transparency": {
        "name": "Readability & transparency of the terms",
        "description": (
            "Whether the terms are dated, readable, translated, archived and complete, or point to "
            "documents users cannot find."
        ),
    },
    "eligibility-and-age": {
        "name": "Eligibility & age limits",
        "description": "Who may use the service: minimum age and other conditions of eligibility.",
    },
    "warranty-disclaimer": {
        "name": "Disclaimer of warranties",
        "description": (
            "The service offered “as is”: no promise of availability, accuracy, quality or fitness "
            "for the user's needs."
        ),
    },
    "tracking-and-cookies": {
        "name": "Tracking & cookies",
        "description": (
            "Cookies, pixels, fingerprinting and other tracking, on the service and elsewhere, and "
            "whether users can refuse it."
        ),
    },
    "choice-of-law": {
        "name": "Choice of law",
        "description": "Which country's or state's law governs the contract and disputes about it.",
    },
    "jurisdiction": {
        "name": "Jurisdiction & venue",
        "description": "Which courts hear disputes, and where users must bring or defend claims.",
    },
    "severability-and-waiver": {
        "name": "Severability & waiver",
        "description": (
            "Boilerplate that keeps the rest of the terms in force when part is void, and keeps "
            "rights the service has not enforced."
        ),
    },
    "data-sale-and-sharing": {
        "name": "Sale & sharing of personal data",
        "description": (
            "Whether personal data is sold, transferred in a merger or bankruptcy, or shared with "
            "or gathered from third parties."
        ),
    },
    "data-subject-rights": {
        "name": "Access, deletion & opt-outs",
        "description": (
            "Users' rights over their data: access, deletion, export, complaints, and opting out of"
            " marketing or targeted advertising."
        ),
    },
    "security-practices": {
        "name": "Security",
        "description": (
            "Account security duties, the security measures described, encryption and breach "
            "notification."
        ),
    },
    "content-removal": {
        "name": "Content removal",
        "description": (
            "The platform's right to delete or disable what users post or store, with or without "
            "notice or a reason."
        ),
    },
    "acceptable-use": {
        "name": "Acceptable use",
        "description": (
            "What users may not do or post: illegal content, harassment, spam, scraping, "
            "unauthorised access."
        ),
    },
    "personal-data-use": {
        "name": "Collection & use of personal data",
        "description": (
            "What personal data is collected (including location and biometrics), for which "
            "purposes, advertising among them, and where it is processed."
        ),
    },
    "accounts-and-identity": {
        "name": "Accounts & identity",
        "description": (
            "Registration, real names or pseudonyms, multiple or shared accounts, personal and non-"
            "commercial use."
        ),
    },
    "payments-and-refunds": {
        "name": "Payments & refunds",
        "description": "Recurring charges, refunds and other money terms.",
    },
    "government-requests": {
        "name": "Government requests",
        "description": (
            "How the service handles and discloses requests for user data from authorities."
        ),
    },
    "indemnification": {
        "name": "Indemnification",
        "description": (
            "Promises by users to cover the platform's costs and losses from claims connected to "
            "their use or content."
        ),
    },
    "liability-limitation": {
        "name": "Limitation of liability",
        "description": (
            "Caps and exclusions on what the platform owes users when something goes wrong."
        ),
    },
    "unilateral-changes": {
        "name": "Unilateral changes to terms",
        "description": (
            "The platform's right to change the terms, prices or features, how much notice users "
            "get, and whether continued use counts as acceptance."
        ),
    },
    "account-termination": {
        "name": "Account suspension & termination",
        "description": (
            "When the platform may suspend or close accounts, with or without notice, and what "
            "users lose when it does."
        ),
    },
    "content-licence": {
        "name": "Licence to user content",
        "description": (
            "The rights users grant the platform over what they upload or create: scope, duration, "
            "sublicensing and purposes."
        ),
    },
    "data-retention": {
        "name": "Data retention",
        "description": (
            "How long the platform keeps personal data and content, including after deletion "
            "requests or account closure."
        ),
    },
    "arbitration-class-action-waiver": {
        "name": "Arbitration & class-action waiver",
        "description": (
            "Clauses that move disputes out of court into private arbitration, waive jury trials, "
            "or bar users from joining class or mass actions."
        ),
    },
}

CASES_BY_CLAUSE_TYPE = {
    "terms-transparency": (
        "There is a date of the last update of the terms",
        "The terms for this service are easy to read",
        (
            "This service provides archives of their Terms of Service so that changes can be viewed"
            " over time"
        ),
        "The service refers users to external documents for more information",
        "The terms for this service are translated into different languages",
        "Other applicable rules, terms, conditions or guidelines",
        (
            "The service provides information about its attitude towards ethical, social or "
            "political problems or controversies"
        ),
        "This service employs separate policies for different parts of the service",
        "The service reviews its privacy policy on a regular basis",
        "The policy refers to documents that are missing or unfindable",
        "legal documents published under reusable license",
    ),
    "eligibility-and-age": ("This service is only available to users over a certain age",),
    "warranty-disclaimer": (
        "The service is provided 'as is' and to be used at the users' sole risk",
        (
            "The service provider makes no warranty regarding uninterrupted, timely, secure or "
            "error-free service"
        ),
        "The service does not guarantee accuracy or reliability of the information provided",
        (
            "This service does not guarantee that it or the products obtained through it meet the "
            "users' expectations or requirements"
        ),
        "The service does not guarantee that software errors will be corrected",
        "This services gives no guarantee regarding quality",
        "Accessibility to this service is guaranteed at 99% or more",
        "This service will warn users about website maintenance",
    ),
    "tracking-and-cookies": (
        (
            "The service may use tracking pixels, web beacons, browser fingerprinting, and/or "
            "device fingerprinting on users."
        ),
        "Blocking first party cookies may limit your ability to use the service",
        (
            "This service ignores the Do Not Track (DNT) header and tracks users anyway even if "
            "they set this header."
        ),
        "This service uses third-party cookies for statistics",
        "Tracking via third-party cookies for other purposes without your consent.",
        "This service requires first-party cookies",
        "This service does not track you",
        "This service employs third-party cookies, but with opt-out instructions",
        "This service collects your IP address for location use",
        "The service provides a complete list of all cookies set by its website",
        "The service uses social media cookies/pixels",
        "This service tracks which web page referred you to it",
        (
            "The cookies used by this service do not contain information that would personally "
            "identify you"
        ),
        "This service tracks you on other websites",
        "This service respects your browser's Do Not Track (DNT) headers",
        "IP addresses of website visitors are not tracked",
        "This service only uses temporary session cookies",
        "Device fingerprinting",
        "This service can view your browser history",
        "Tracking pixels are used in service-to-user communication",
        "The service does not use third-party analytics or tracking platforms",
        "Tracking cookies refused will not limit your ability to use the service",
    ),
    "indemnification": (
        (
            "You agree to defend, indemnify, and hold the service harmless in case of a claim "
            "related to your use of the service"
        ),
        (
            "You are solely responsible for claims made against the service and agree to indemnify "
            "and hold harmless the service."
        ),
        "defend, indemnify, hold harmless; survives termination",
    ),
    "liability-limitation": (
        (
            "This service assumes no liability for any losses or damages resulting from any matter "
            "relating to the service"
        ),
        (
            "The service is not responsible for linked or (clearly) quoted content from third-party"
            " content providers"
        ),
        (
            "This service assumes no responsibility and liability for the contents of links to "
            "other websites"
        ),
        (
            "Users are responsible for any risks, damages, or losses they may incur by downloading "
            "materials"
        ),
        "Any liability on behalf of the service is only limited to the fees you paid as a user",
        "This service cannot be held responsible for disputes that you may have with other users",
        "This service assumes no liability for unauthorized access to your personal information",
    ),
    "unilateral-changes": (
        "Terms may be changed any time at their discretion, without notice to the user",
        (
            "The service may change its terms at any time, but the user will receive notification "
            "of the changes."
        ),
        (
            "Users should revisit the terms periodically, although in case of material changes, the"
            " service will notify"
        ),
        (
            "When the service wants to make a material change to its terms, users are notified at "
            "least 30 days in advance"
        ),
        "When the service wants to change its terms, users are notified a week or more in advance.",
        "User feedback is invited regarding changes to the terms.",
        "The service makes critical changes to its terms without user involvement",
        (
            "Conditions may change, but your continued acceptance is not inferred from an earlier "
            "acceptance"
        ),
    ),
    "account-termination": (
        "The service can delete your account without prior notice and without a reason",
        "You have the right to leave this service at any time",
        "They may stop providing the service at any time",
        "The service can suspend your account for several reasons",
        (
            "Users who have been permanently banned from this service are not allowed to re-"
            "register under a new account"
        ),
        "Usernames can be rejected for any reason",
        "The service gives 30 days of notice before closing your account",
        (
            "User accounts can be terminated after having been in breach of the terms of service "
            "repeatedly"
        ),
        "User suspension from the service will be fair and proportionate.",
        "You cannot delete your account of this service",
    ),
    "content-licence": (
        "You maintain ownership of your data",
        "You waive your moral rights",
        (
            "If you offer suggestions to the service, they become the owner of the ideas that you "
            "give them"
        ),
        "The service can distribute your content through any media known now or in the future",
        "This service can use your content for all their existing and future services",
        "This service can license user content to third parties",
        (
            "This service keeps a license on user-generated content even after users close their "
            "accounts."
        ),
        (
            "The copyright license maintained by the service over user data and/or content is "
            "broader than necessary."
        ),
        (
            "If you offer suggestions to the service, they may use that without your approval or "
            "compensation, but they do not become the owner"
        ),
        "Features of the website are made available under a free software license",
        "This service retains rights to your content even after you stop using your account",
        "Content is published under a free license instead of a bilateral one",
        "The service has non-exclusive use of your content",
        (
            "Copyright license limited for the purposes of that same service but transferable and "
            "sublicenseable"
        ),
        (
            "Users are free to choose the type of copyright license that they want to use over "
            "their content"
        ),
        "very broad",
        (
            "The copyright license that users grant this service is limited to the parties that "
            "make up the service's broader platform."
        ),
        "You can choose the copyright license",
        "You are allowed to quote their content with attribution",
        (
            "This service will continue using anonymized user-generated content even after erasure "
            "of personal information"
        ),
        "You cannot delete your contributions, but it makes sense for this service",
        "You grant perpetual license to anything you publish-bad-80",
        (
            "This service employs a broad copyright license over user content including the right "
            "to distribute through any media"
        ),
        "This service takes credit for your content",
    ),
    "data-retention": (
        (
            "The service's data retention period is kept to the minimum necessary for fulfilling "
            "its purposes"
        ),
        (
            "This service may keep personal data after a request for erasure for business interests"
            " or legal obligations"
        ),
        "User logs are deleted after a finite period of time",
        "This service keeps user logs for an undefined period of time",
        "This service holds onto content that you've deleted",
        "Only necessary user logs are kept by the service to ensure quality",
        (
            "The service may keep a secure, anonymized record of users' data for analytical "
            "purposes even after the data retention period"
        ),
        "They store data on you even if you did not interact with the service",
        "The service deletes tracking data after a period of time and allows you to opt out",
    ),
    "arbitration-class-action-waiver": (
        "You waive your right to a class action.",
        "This service forces users into binding arbitration in the case of disputes",
        "Users have a reduced time period to take legal action against the service",
        "This service does not force users into binding arbitration",
    ),
    "choice-of-law": ("Users agree to comply with the law of the service's country",),
    "jurisdiction": (
        "The court of law governing the terms is in location X",
        (
            "The court of law governing the terms is in a jurisdiction that is less friendly to "
            "user privacy protection."
        ),
        (
            "The court of law governing the terms is in a jurisdiction that is friendlier to user "
            "privacy protection."
        ),
    ),
    "severability-and-waiver": (
        (
            "Failure to enforce any provision of the Terms of Service does not constitute a waiver "
            "of such provision"
        ),
        (
            "Invalidity of any portion of the Terms of Service does not entail invalidity of its "
            "remainder"
        ),
    ),
    "data-sale-and-sharing": (
        "This service does not sell your personal data",
        (
            "The service can sell or otherwise transfer your personal data as part of a bankruptcy "
            "proceeding or other type of financial transaction."
        ),
        "Third parties may be involved in operating the service",
        "This service gathers information about you through third parties",
        "Your personal data is given to third parties",
        "The service informs users that its privacy policy does not apply to third party websites",
        "The service does not share user information with third parties",
        (
            "This service reserves the right to disclose your personal information without "
            "notifying you"
        ),
        "Many third parties are involved in operating the service",
        "Third parties used by the service are bound by confidentiality obligations",
        (
            "The service will not allow third parties to access your personal information without a"
            " legal basis"
        ),
        "This service only shares user information with third parties when given specific consent",
        "This service can share your personal information to third parties",
        "Only aggregate data is given to third parties",
        "The service allows you to opt out of providing personal information to third parties",
        "may sell your data in merger",
        "Promises will be kept after a merger or acquisition",
        "The service may sell your data unless you opt out",
        "The service explains how to prevent disclosure of personal information to third parties",
        "The service warns you of the potential consequences related to third-party access",
    ),
    "data-subject-rights": (
        "You can request access and deletion of personal data",
        "You can opt out of promotional communications",
        "You can delete your content from this service",
        "This service allows you to retrieve an archive of your data",
        "The service provides a complaint mechanism for the handling of personal data",
        "You can opt out of targeted advertising",
        "This service provides a way for you to export your data",
        "You can limit how your information is used by third-parties and the service",
    ),
    "security-practices": (
        (
            "You are responsible for maintaining the security of your account and for the "
            "activities on your account"
        ),
        "The user is informed about security practices",
        "The service provides two factor authentification for your account",
        "User-generated content is encrypted, and this service cannot decrypt it",
        "The services will notify users if personal data has been affected by data breaches",
        "info given about security practices",
    ),
    "content-removal": (
        "The service can delete specific content without reason and may do it without prior notice",
        "Provides instructions on how to submit a copyright claim",
        "This service can delete your content if you violate the terms",
        "If you are the target of a copyright claim, your content may be removed",
        (
            "If you are the target of a copyright holder's take down notice, this service gives you"
            " the opportunity to defend yourself"
        ),
        "Service can block or censor user communications",
        "The service can intervene in user disputes",
        "The service disables software that you are not licensed to use.",
    ),
    "acceptable-use": (
        "Users agree not to use the service for illegal purposes",
        "Users agree not to submit libelous, harassing or threatening content",
        "Spidering or crawling is not allowed",
        (
            "This service prohibits users sending chain letters, junk mail, spam or any unsolicited"
            " messages"
        ),
        "Prohibits the posting of pornographic content",
        "Users agree not to submit illegal content",
        "Users shall not interfere with another person's enjoyment of the service",
        "This service does not condone any ideas contained in its user-generated contents",
        "The service informs users about the risk of publishing personal info online",
        (
            "Prohibits the posting of content which promotes or glorifies violence or politically "
            "or religiously extremist values."
        ),
        "Users cannot scrape the website of the service",
        (
            "This service prohibits users from attempting to gain unauthorized access to other "
            "computer systems"
        ),
        "You can choose with whom you share content",
        "Prohibits political discussions or campaigning",
        "Per the service's terms, users may not express negative opinions about them",
        "Users can scrape the site, as long as it doesn't impact the server too much",
        "Prohibits public posting of private messages",
        "This service throttles your use",
        "This service fines spammers",
    ),
    "personal-data-use": (
        "The service provides details about what kinds of personal information they collect",
        "Your data may be processed and stored anywhere in the world",
        "This service may use your personal information for marketing purposes",
        "The service uses your personal data to employ targeted third-party advertising",
        "The service provides information about how they intend to use your personal data",
        "Your personal data is aggregated into statistics",
        "Your personal data is used for limited purposes",
        "This service may collect, use, and share location data",
        "The service collects many different types of personal data",
        "The service provides information about how they collect personal data",
        "This service uses your personal information for many different purposes",
        "The service can read your private messages",
        "The service uses your personal data for advertising",
        (
            "Users can access most of the pages on the service's website without revealing any "
            "personal information"
        ),
        "Your private content may be accessed by people working for the service",
        "Your profile is combined across various products",
        "Your biometric data is collected",
        "App required for this service requires broad device permissions",
        "This service does not collect, use, or share location data",
        "The service may collect extra data about you through promotions",
        "This service receives your location through GPS coordinates",
        "Your identity is used in ads that are shown to other users",
        "The service does not index or open files that you upload",
        (
            "If the service shares personal information outside of its jurisdiction, it is "
            "processed according to the original jurisdiction's data protection standards"
        ),
    ),
    "accounts-and-identity": (
        "The service allows you to use pseudonyms",
        "This service is only available for use individually and non-commercially.",
        "Service does not allow alternative accounts",
        "You must provide your legal name, pseudonyms are not allowed",
        "only for your individual use",
        "No need to register",
        (
            "Users are not allowed to use pseudonyms, as trust and transparency between users "
            "regarding their identities is relevant to the service."
        ),
        "You must create an account to use this service",
        "You cannot distribute or disclose your account to third parties",
    ),
    "payments-and-refunds": (
        "The service has a no refund policy",
        "You authorise the service to charge a credit card supplied on re-occurring basis",
        (
            "Users are entitled to a refund if certain thresholds or standards are not met by the "
            "service"
        ),
        "This service has a no refund policy with some exceptions",
        "You have the right to request lower Charges from Third Party Providers",
    ),
    "government-requests": (
        (
            "The service is transparent regarding government requests or inquiries that may involve"
            " user data."
        ),
        (
            "The service promises to inform and/or notify users regarding government inquiries that"
            " may involve users' personal data"
        ),
        "The service will resist legal requests for user information where reasonably possible",
        "The service will only respond to government requests that are reasonable",
        (
            "The service is not transparent regarding government requests or inquiries that may "
            "involve user data."
        ),
    ),
}

CLAUSE_TYPE_BY_CASE = {case: slug for slug, cases in CASES_BY_CLAUSE_TYPE.items() for case in cases}
