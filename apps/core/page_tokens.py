"""The names of what public pages show, for the page cache's tokens (apps.core.page_cache):
a page depends on these names, and a write to the catalog invalidates the names of what it
changed (apps/site/receivers.py). In one place so the pages and the writes agree."""

HOME_PAGE = "home"
PLATFORM_LIST_PAGE = "platform-list"
REGULATION_LIST_PAGE = "regulation-list"
CLAUSE_TYPE_LIST_PAGE = "clause-type-list"
# Research articles appear beside provisions (related reading) and plans' prices in the locked
# memo's offers: rare edits, so every provision page depends on them all.
ARTICLES = "articles"
PLANS = "plans"
# Search results pages: any write to what the search index holds.
SEARCH_RESULTS = "search-results"


def platform_page_token(platform_id: int) -> str:
    """A platform's page, its documents' pages and its provisions' pages."""
    return f"platform:{platform_id}"


def clause_type_page_token(clause_type_id: int) -> str:
    """A clause type's page, and the provision pages comparing its provisions (peers)."""
    return f"clause_type:{clause_type_id}"


def regulation_page_token(regulation_id: int) -> str:
    return f"regulation:{regulation_id}"


def agency_token(agency_id: int) -> str:
    return f"agency:{agency_id}"


def provision_page_tokens(provision) -> list[str]:
    """A provision page shows its platform's things, its clause type's peers, its
    regulations and agencies (prefetched on `provision`), articles and plans."""
    return [
        platform_page_token(provision.document.platform_id),
        clause_type_page_token(provision.clause_type_id),
        *(regulation_page_token(regulation.pk) for regulation in provision.regulations.all()),
        *(agency_token(note.agency_id) for note in provision.agency_notes),
        ARTICLES,
        PLANS,
    ]
