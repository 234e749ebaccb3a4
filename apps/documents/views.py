import hashlib
import zlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.documents.archive import ArchiveUnavailable, archive_read
from apps.documents.diffing import change_summary_build, text_diff
from apps.documents.models import DocumentVersion
from apps.documents.selectors import (
    version_chain_intact,
    version_get,
    version_numbers,
    version_pair_get,
)


def version_diff(request, platform_slug, document_slug, from_number, to_number):
    pair = version_pair_get(
        platform_slug=platform_slug,
        document_slug=document_slug,
        from_number=from_number,
        to_number=to_number,
    )
    if pair is None:
        raise Http404("No such document or versions.")
    document, old, new = pair
    stored = new.change_summary
    summary = (
        stored
        if stored.get("from_number") == old.number
        else change_summary_build(old.text, new.text)
    )
    context = {
        "document": document,
        "platform": document.platform,
        "old": old,
        "new": new,
        "summary": summary,
        "hunks": text_diff(old.text, new.text),
    }
    return render(request, "documents/diff.html", context)


def version_detail(request, platform_slug, document_slug, number):
    version = _version_or_404(platform_slug, document_slug, number)
    document = version.document
    chain_ok = version_chain_intact(version)
    return render(
        request,
        "documents/version_detail.html",
        {
            "document": document,
            "platform": document.platform,
            "version": version,
            "text_sha256": hashlib.sha256(version.text.encode()).hexdigest(),
            "numbers": version_numbers(document=document),
            "evidence_verified": chain_ok
            and version.snapshot is not None
            and version.snapshot.last_verification_ok is True,
            "chain_ok": chain_ok,
        },
    )


def version_raw(request, platform_slug, document_slug, number):
    """The exact bytes captured, as stored: they hash to the snapshot's SHA-256. Sent as an
    attachment of an opaque type, so archived HTML never runs as a page of this site."""
    version = _version_or_404(platform_slug, document_slug, number)
    if version.snapshot is None:
        raise Http404("This version has no archived file.")
    try:
        raw = archive_read(version.snapshot.storage_name)
    except (OSError, EOFError, zlib.error) as error:
        raise Http404("The archived file of this version cannot be read.") from error
    except ArchiveUnavailable:
        return HttpResponse(
            "The archive cannot be reached right now. Please try again in a few minutes.",
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "120"},
        )
    return _attachment(
        raw, filename=f"{_file_stem(version)}{_extension(version.snapshot.content_type)}"
    )


def version_text(request, platform_slug, document_slug, number):
    """The extracted text (Markdown), UTF-8."""
    version = _version_or_404(platform_slug, document_slug, number)
    return _attachment(
        version.text.encode(),
        filename=f"{_file_stem(version)}.md",
        content_type="text/markdown; charset=utf-8",
    )


def version_compare(request, platform_slug, document_slug):
    """The document page's picker: any two versions, in either order, to their diff."""
    document_url = reverse(
        "platforms:document_detail",
        kwargs={"platform_slug": platform_slug, "document_slug": document_slug},
    )
    try:
        numbers = sorted({int(request.GET["from"]), int(request.GET["to"])})
    except (KeyError, ValueError):
        numbers = []
    if len(numbers) != 2:
        messages.error(request, "Choose two different versions to compare.")
        return redirect(f"{document_url}#compare")
    return redirect(
        "documents:version_diff",
        platform_slug=platform_slug,
        document_slug=document_slug,
        from_number=numbers[0],
        to_number=numbers[1],
    )


def _version_or_404(platform_slug, document_slug, number) -> DocumentVersion:
    version = version_get(platform_slug=platform_slug, document_slug=document_slug, number=number)
    if version is None:
        raise Http404("No such document or version.")
    return version


def _file_stem(version: DocumentVersion) -> str:
    return f"{version.document.record_id}-v{version.number}"


_EXTENSIONS = {"text/html": ".html", "application/pdf": ".pdf", "text/plain": ".txt"}


def _extension(content_type: str) -> str:
    return _EXTENSIONS.get(content_type.split(";")[0].strip().lower(), ".bin")


def _attachment(body: bytes, *, filename: str, content_type: str = "application/octet-stream"):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
