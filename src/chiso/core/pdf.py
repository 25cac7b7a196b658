"""PDF from HTML with WeasyPrint — the one place every report goes through.

Only data: URLs may be read while laying out: a report never reaches the network (provincial
networks may be closed) or the file system (a crafted value in a report cannot pull a file in).
"""

from __future__ import annotations


def html_document(html: str):
    """WeasyPrint's HTML object for a page, with the restricted URL fetcher."""
    from weasyprint import HTML  # WeasyPrint takes a second to load: only when a PDF is made
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))


def pdf_from_html(html: str) -> bytes:
    return html_document(html).write_pdf()
