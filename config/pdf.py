"""Templates turned into PDF files, on the server, with WeasyPrint.

WeasyPrint needs Pango, HarfBuzz and fonts from the system (README, "PDF reports").
The stylesheet is inlined by the templates (templates/pdf/base.html), so nothing is
fetched over the network while a file is made.
"""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string

FILENAME_LENGTH = 100


def content_disposition(filename: str) -> str:
    """An attachment header safe for any name: an ASCII fallback, and the full name in
    UTF-8 as RFC 6266 / RFC 5987 spell it (`filename*`), both cut to FILENAME_LENGTH."""
    stem, _, extension = filename.rpartition(".")
    stem = stem[:FILENAME_LENGTH]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._") or "report"
    full = quote(f"{stem}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_stem}.{extension}\"; filename*=UTF-8''{full}"


def render_pdf(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The template rendered in the request's language, as a PDF attachment."""
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    return response
