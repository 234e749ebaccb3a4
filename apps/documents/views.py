from django.http import Http404
from django.shortcuts import render

from apps.documents.diffing import change_summary_build, text_diff
from apps.documents.selectors import version_pair_get


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
