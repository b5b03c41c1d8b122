"""The declaration as a PDF for the person to read and sign, rendered by WeasyPrint.

The page is laid out in DejaVu fonts, which cover Latin and Cyrillic (Debian's fonts-dejavu).
"""

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from weasyprint import CSS, HTML

_STYLESHEET = Path(__file__).resolve().parent / "static" / "returns" / "declaration.css"


def declaration_pdf(content: dict[str, Any]) -> bytes:
    html = render_to_string("returns/declaration_pdf.html", {"content": content})
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(_STYLESHEET))])
    assert pdf is not None
    return pdf
