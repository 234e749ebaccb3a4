"""HTML → PDF with WeasyPrint. The memo templates are self-contained (their CSS inline, no
images), so rendering needs to fetch nothing: the fetcher allows data: URLs only, which also
keeps text written by a curator from making the server reach out."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def pdf_render(*, template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols=frozenset({"data"}))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
