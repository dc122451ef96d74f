"""A PDF response's text, read back with pypdf, whitespace collapsed."""

import io

from pypdf import PdfReader


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_count(response) -> int:
    return len(PdfReader(io.BytesIO(response.content)).pages)
