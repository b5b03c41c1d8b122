"""The declaration as a PDF for the person to read and sign, in the packaged DejaVu fonts, which
cover Latin and Cyrillic on any machine."""

from pathlib import Path
from typing import Any

from waypoint.cases.documents import render_pdf

_STYLESHEET = Path(__file__).resolve().parent / "static" / "returns" / "declaration.css"


def declaration_pdf(content: dict[str, Any]) -> bytes:
    return render_pdf(
        "returns/declaration_pdf.html", {"content": content}, extra_stylesheets=[_STYLESHEET]
    )
