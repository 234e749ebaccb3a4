"""Platforms and documents of the demo catalog.

`corpus` names the folder under `data/corpus/` holding copies of real versions of the document
from the Open Terms Archive collections (see ATTRIBUTION.md); `versions` lists the copied files
oldest first with the date the archive recorded each one (its commit, for provenance). Luma AI's
terms are not in that corpus: its document has no archived version, and its provisions quote
the clauses without citing one, rather than citing a version we would have had to assemble."""

PLATFORMS = [
    {
        "slug": "luma-ai",
        "name": "Luma AI",
        "website": "https://lumalabs.ai",
        "sector": "ai",
        "description": "Generative video and 3D capture models offered as an app and an API.",
        "documents": [
            {
                "slug": "luma-ai-terms-of-service",
                "title": "Luma AI Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://lumalabs.ai/legal/tos",
                "stated_last_updated": "2026-05-05",
                "first_tracked_at": "2026-05-21T00:31:47+00:00",
                "last_verified_at": "2026-05-21T00:31:47+00:00",
            }
        ],
    },
    {
        "slug": "zoom",
        "name": "Zoom",
        "website": "https://zoom.us",
        "sector": "communication",
        "description": "Video meetings, chat, phone and AI meeting assistants.",
        "documents": [
            {
                "slug": "terms-of-service",
                "title": "Zoom Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://zoom.us/terms",
                "stated_last_updated": "2023-08-11",
                "corpus": "zoom__terms-of-service",
                # 0c3e673e, 99ab2d06, 894baaa7 in OpenTermsArchive/contrib-versions
                "versions": [
                    ("v005", "2023-07-28T13:43:15+00:00"),
                    ("v006", "2023-08-07T18:49:21+00:00"),
                    ("v007", "2023-08-11T19:15:38+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "openai",
        "name": "OpenAI",
        "website": "https://openai.com",
        "sector": "ai",
        "description": "Maker of ChatGPT and the GPT family of models, sold to consumers, "
        "businesses and developers.",
        "documents": [
            {
                "slug": "terms-of-use",
                "title": "OpenAI Terms of Use (EU) and Service Terms",
                "doc_type": "terms_of_service",
                "source_url": "https://openai.com/policies/eu-terms-of-use/",
                "stated_last_updated": "2026-06-12",
                "corpus": "chatgpt__terms-of-service",
                # 81fc39cd, b9fd5c99 in OpenTermsArchive/genai-contrib-versions
                "versions": [
                    ("v006", "2026-02-02T07:09:57+00:00"),
                    ("v007", "2026-07-15T19:00:13+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "anthropic",
        "name": "Anthropic",
        "website": "https://www.anthropic.com",
        "sector": "ai",
        "description": "Developer of the Claude models and the Claude apps.",
        "documents": [
            {
                "slug": "consumer-terms",
                "title": "Claude Consumer Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://www.anthropic.com/legal/consumer-terms",
                "stated_last_updated": "2025-10-08",
                "corpus": "claude-ai__terms-of-service",
                # dc2fc4fe, 1d7fb6eb in OpenTermsArchive/genai-contrib-versions
                "versions": [
                    ("v004", "2025-10-09T00:32:05+00:00"),
                    ("v005", "2025-11-28T19:01:20+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "mistral-ai",
        "name": "Mistral AI",
        "website": "https://mistral.ai",
        "sector": "ai",
        "description": "French developer of open and commercial language models, Le Chat and "
        "La Plateforme.",
        "documents": [
            {
                "slug": "terms-of-use",
                "title": "Mistral AI Terms of Use",
                "doc_type": "terms_of_service",
                "source_url": "https://mistral.ai/terms/",
                "stated_last_updated": None,
                "corpus": "mistral-ai__terms-of-service",
                # cb75274a, b954e830 in OpenTermsArchive/genai-contrib-versions
                "versions": [
                    ("v004", "2024-09-17T00:32:18+00:00"),
                    ("v005", "2024-11-16T00:31:56+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "github",
        "name": "GitHub",
        "website": "https://github.com",
        "sector": "developer",
        "description": "Code hosting and collaboration, with Copilot AI features.",
        "documents": [
            {
                "slug": "terms-of-service",
                "title": "GitHub Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://docs.github.com/en/site-policy/github-terms/"
                "github-terms-of-service",
                "stated_last_updated": "2026-04-27",
                "corpus": "github__terms-of-service",
                # b54d9fe8, 816236ba in OpenTermsArchive/contrib-versions
                "versions": [
                    ("v005", "2025-09-29T18:09:54+00:00"),
                    ("v006", "2026-04-28T00:38:52+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "midjourney",
        "name": "Midjourney",
        "website": "https://www.midjourney.com",
        "sector": "ai",
        "description": "Image and video generation from text prompts, used through its website "
        "and Discord.",
        "documents": [
            {
                "slug": "terms-of-service",
                "title": "Midjourney Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://docs.midjourney.com/docs/terms-of-service",
                "stated_last_updated": "2024-10-24",
                "corpus": "midjourney__terms-of-service",
                # 3a9db082, cb07985a in OpenTermsArchive/genai-contrib-versions
                "versions": [
                    ("v004", "2024-08-14T00:32:38+00:00"),
                    ("v005", "2024-10-25T00:31:51+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "tiktok",
        "name": "TikTok",
        "website": "https://www.tiktok.com",
        "sector": "social",
        "description": "Short-form video sharing and live streaming.",
        "documents": [
            {
                "slug": "terms-of-service",
                "title": "TikTok Terms of Service",
                "doc_type": "terms_of_service",
                "source_url": "https://www.tiktok.com/legal/terms-of-use?lang=en",
                "stated_last_updated": "2026-07-01",
                "corpus": "tiktok__terms-of-service",
                # fdb40a68, 79b2dab5 in OpenTermsArchive/pga-versions
                "versions": [
                    ("v005", "2026-04-29T00:57:47+00:00"),
                    ("v006", "2026-07-14T13:09:28+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "airbnb",
        "name": "Airbnb",
        "website": "https://www.airbnb.com",
        "sector": "mobility",
        "description": "Marketplace for short-term stays and experiences.",
        "documents": [
            {
                "slug": "terms-of-service",
                "title": "Airbnb Terms of Service for European Users",
                "doc_type": "terms_of_service",
                "source_url": "https://www.airbnb.co.uk/help/article/2908/terms-of-service",
                "stated_last_updated": "2022-02-10",
                "corpus": "airbnb__terms-of-service",
                # 4f143957, 464482cc in OpenTermsArchive/contrib-versions
                "versions": [
                    ("v006", "2021-11-23T10:03:31+00:00"),
                    ("v007", "2022-02-11T00:30:27+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "spotify",
        "name": "Spotify",
        "website": "https://www.spotify.com",
        "sector": "media",
        "description": "Music, podcast and audiobook streaming.",
        "documents": [
            {
                "slug": "privacy-policy",
                "title": "Spotify Privacy Policy",
                "doc_type": "privacy_policy",
                "source_url": "https://www.spotify.com/us/legal/privacy-policy/",
                "stated_last_updated": "2026-06-12",
                "corpus": "spotify__privacy-policy",
                # 5bc87a0e, 0cd42248 in OpenTermsArchive/pga-versions
                "versions": [
                    ("v006", "2026-04-14T00:55:54+00:00"),
                    ("v007", "2026-06-13T00:56:36+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "tinder",
        "name": "Tinder",
        "website": "https://tinder.com",
        "sector": "social",
        "description": "Dating app operated by Match Group.",
        "documents": [
            {
                "slug": "terms-of-use",
                "title": "Tinder Terms of Use",
                "doc_type": "terms_of_service",
                "source_url": "https://policies.tinder.com/terms/intl/en",
                "stated_last_updated": "2026-03-05",
                "corpus": "tinder__terms-of-service",
                # cf1121af, dce1abb6 in OpenTermsArchive/contrib-versions
                "versions": [
                    ("v007", "2026-03-05T13:13:16+00:00"),
                    ("v008", "2026-03-06T00:50:54+00:00"),
                ],
            }
        ],
    },
    {
        "slug": "netflix",
        "name": "Netflix",
        "website": "https://www.netflix.com",
        "sector": "media",
        "description": "Subscription streaming of films, series, live events and games.",
        "documents": [
            {
                "slug": "terms-of-use",
                "title": "Netflix Terms of Use",
                "doc_type": "terms_of_service",
                "source_url": "https://help.netflix.com/legal/termsofuse",
                "stated_last_updated": "2026-04-10",
                "corpus": "netflix__terms-of-service",
                # b0dfcf31, dc48a2b6 in OpenTermsArchive/contrib-versions
                "versions": [
                    ("v006", "2025-12-10T12:45:43+00:00"),
                    ("v007", "2026-04-11T00:43:52+00:00"),
                ],
            }
        ],
    },
]
