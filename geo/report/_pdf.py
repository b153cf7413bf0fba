"""Print an HTML page to PDF with Debian's headless Chromium (the same page the user sees)."""

from __future__ import annotations

import html
import logging
import math
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from geo.errors import GeoError

logger = logging.getLogger(__name__)

#: Launch arguments for a closed network: no background requests, no sandbox (root in CI).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_path() -> Path:
    """Return Debian's Chromium executable.

    Raises
    ------
    GeoError
        If Chromium is not installed (the message says how to install it).
    """
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    msg = "Chromium is needed to print PDFs; install it with `apt-get install -y chromium`."
    raise GeoError(msg)


#: Chromium's footer template: the given text at the left, the page number at the right.
_FOOTER = (
    '<div style="width: 100%; margin: 0 12mm; font: 7pt sans-serif; color: #333;">'
    '<span>{text}</span><span style="float: right">sida <span class="pageNumber"></span> av '
    '<span class="totalPages"></span></span></div>'
)


#: The printable area of an A4 page inside the margins :func:`html_to_pdf` prints with, in
#: CSS px (96 a inch): 186 × 273 mm.
_PRINTABLE_PX = ((210 - 2 * 12) / 25.4 * 96, (297 - 2 * 12) / 25.4 * 96)


def html_to_pdf(
    html_path: Path,
    pdf_path: Path,
    *,
    landscape: bool = False,
    footer: str | None = None,
    fit_scale: float | None = None,
) -> Path:
    """Print a self-contained HTML file to an A4 tagged PDF with every network request blocked.

    The PDF is tagged (its structure tree holds the page's headings, tables, lists and images
    with their alt text), in the language of the page's ``lang``, titled by its ``<title>``
    (shown in the viewer's title bar) and has the headings as bookmarks.

    Parameters
    ----------
    html_path
        The page (opened as ``file://``).
    pdf_path
        Where the PDF is written.
    landscape
        Print in landscape orientation.
    footer
        Text printed at the foot of every page, with "sida N av M" (the page's own footer
        shows on the last page only).
    fit_scale
        If given, a page a little longer than one A4 page is printed smaller, down to this
        scale (``0.85``: 85 %), so that it fits on one (:func:`one_page_scale`); a longer
        one is printed at full size on several pages. Portrait only.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    GeoError
        If Chromium is missing or cannot print the page.

    Notes
    -----
    Playwright's sync API refuses to start inside a running asyncio loop (a web server, a
    notebook, another Playwright session), so the printing runs in a thread of its own.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-pdf") as pool:
        job = pool.submit(_print_pdf, html_path, pdf_path, landscape, footer, fit_scale)
        return job.result()


def one_page_scale(height_at: Callable[[float], float], fit_scale: float) -> float:
    """Return the largest scale, in steps of 5 %, at which content fits on one A4 page.

    Parameters
    ----------
    height_at
        The content's height in CSS px when laid out for a scale: at scale *s* the page is
        as wide as the printable width divided by *s* (its lines wrap less), and prints
        *s* times as tall.
    fit_scale
        The smallest scale allowed.

    Returns
    -------
    float
        1 when the content fits as it is, or when even ``fit_scale`` is not enough (it is
        then printed at full size on several pages); else the largest fitting scale.
    """
    steps = [1.0 - 0.05 * i for i in range(math.floor((1.0 - fit_scale) / 0.05 + 1e-9) + 1)]
    for scale in steps:
        # 1 % to spare: the printed layout may round a line differently from the screen's
        if height_at(scale) * scale <= 0.99 * _PRINTABLE_PX[1]:
            return scale
    return 1.0


def _print_pdf(
    html_path: Path,
    pdf_path: Path,
    landscape: bool,
    footer: str | None,
    fit_scale: float | None,
) -> Path:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(exe), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page()
                page.route("http*://**", lambda route: route.abort())
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                scale = 1.0
                if fit_scale is not None and not landscape:

                    def height_at(s: float) -> float:
                        # low: the document is never shorter than its viewport
                        width = math.ceil(_PRINTABLE_PX[0] / s)
                        page.set_viewport_size({"width": width, "height": 100})
                        return float(page.evaluate("document.documentElement.scrollHeight"))

                    scale = one_page_scale(height_at, fit_scale)
                page.pdf(
                    path=str(pdf_path),
                    format="A4",
                    landscape=landscape,
                    scale=scale,
                    print_background=True,
                    display_header_footer=footer is not None,
                    header_template="<span></span>",
                    footer_template=_FOOTER.format(text=html.escape(footer or "")),
                    margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"},
                    # an accessible PDF (DOS-lagen, EN 301 549): a structure tree of the
                    # page's headings, tables, lists and images with their alt text, the
                    # page's lang as the PDF's language, and its headings as bookmarks;
                    # Playwright prints untagged unless asked
                    tagged=True,
                    outline=True,
                )
            finally:
                browser.close()
    except PlaywrightError as e:
        msg = f"Chromium could not print {str(html_path)!r} to PDF: {e}"
        raise GeoError(msg) from e
    logger.info("printed %s", pdf_path)
    return pdf_path
