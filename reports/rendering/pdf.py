"""WeasyPrint plumbing shared by every PDF: fonts, the local-only URL fetcher, the
letterhead, the verification code and its QR code.

- Fonts: Noto Sans shipped in static/fonts/noto-sans (SIL OFL), declared in
  static/css/pdf.css and fetched by file:// path, so a worker never depends on the fonts
  installed on its host.
- The fetcher only reads files under the project's static folders and data: URIs; a
  document never fetches anything from the network, whatever a plan's text contains.
- The stylesheet and its FontConfiguration are built once per worker process and reused
  by every render (loading the fonts is the slowest part of a small document).
- Every PDF is tagged (PDF/UA-1) and carries its title, language and creation date.
- Documents are official: they are always rendered in Bahasa Indonesia, whatever the
  language of the person who asked, with dates like "21 Februari 2023".
"""

import base64
import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import qrcode
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from agenplan.site import site_url as public_site_url

DOCUMENT_LANGUAGE = "id"
STYLESHEET = "css/pdf.css"
# The public path that checks a code: printed on paper, so it never changes.
VERIFY_PATH = "/verify/{code}"


class LocalOnlyFetcher(URLFetcher):
    """Fetches data: URIs and files inside the static folders; refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=False)
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"file outside the static folders: {path}")
        return super().fetch(url, headers)


def _static_roots() -> list[Path]:
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return roots


@functools.cache
def _stylesheet() -> tuple[CSS, FontConfiguration, LocalOnlyFetcher, str]:
    """The PDF stylesheet with its fonts, loaded once per process, and the base URL."""
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(STYLESHEET)
    fetcher = LocalOnlyFetcher(_static_roots())
    font_config = FontConfiguration()
    css = CSS(filename=path, font_config=font_config, url_fetcher=fetcher)
    return css, font_config, fetcher, str(Path(path).parent)


# Tagged for assistive technology (PDF/UA-1): a structure tree of headings, paragraphs,
# tables and images with their alternative texts, the language of <html lang>, and the
# title of <title> shown as the window's title.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    css, font_config, fetcher, base_url = _stylesheet()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=font_config, pdf_variant=PDF_VARIANT)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template of templates/pdf/ to PDF bytes, in Bahasa Indonesia."""
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(template_name, {**document_context(), **context})
    return html_to_pdf(html)


# --- What every document prints ---------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    government: str
    secretariat: str
    bureau: str
    address: str
    region: str


def letterhead() -> Letterhead:
    """The organisation's names from settings: another province sets its own."""
    return Letterhead(
        government=settings.AGENPLAN_GOVERNMENT_NAME,
        secretariat=settings.AGENPLAN_SECRETARIAT_NAME,
        bureau=settings.AGENPLAN_BUREAU_NAME,
        address=settings.AGENPLAN_ADDRESS,
        region=settings.AGENPLAN_REGION_NAME,
    )


def document_place() -> str:
    """Where documents are signed, before the date (AGENPLAN_DOCUMENT_PLACE)."""
    return settings.AGENPLAN_DOCUMENT_PLACE


def site_url() -> str:
    """The public address printed in the QR code: AGENPLAN_SITE_URL (required in
    production), else the request's host (agenplan.site), else the first allowed host."""
    known = public_site_url()
    if known:
        return known
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    host = hosts[0] if hosts else "localhost"
    local = host in ("localhost", "127.0.0.1", "[::1]")
    return f"http://{host}" if local else f"https://{host}"


def verify_url(code: str) -> str:
    return site_url() + VERIFY_PATH.format(code=code)


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as a PNG data URI: one module per pixel, scaled up by the PDF
    without smoothing (`image-rendering: pixelated`), so it scans as sharply as a vector.
    A raster is embedded once and drawn on every page for free; an SVG would be redrawn
    as hundreds of paths on each page (measured: 70 ms a page)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def document_context() -> dict:
    return {"letterhead": letterhead(), "place": document_place(), "printed_at": timezone.now()}


def verification_context(code: str) -> dict:
    url = verify_url(code)
    return {"verification_code": code, "verify_url": url, "verify_qr": qr_data_uri(url)}


def local_date(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment) if moment else timezone.localdate()
