"""Print an HTML page to PDF with Debian's headless Chromium (the same page the user sees)."""

from __future__ import annotations

import html
import logging
import shutil
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


def html_to_pdf(
    html_path: Path, pdf_path: Path, *, landscape: bool = False, footer: str | None = None
) -> Path:
    """Print a self-contained HTML file to an A4 PDF with every network request blocked.

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
        return pool.submit(_print_pdf, html_path, pdf_path, landscape, footer).result()


def _print_pdf(html_path: Path, pdf_path: Path, landscape: bool, footer: str | None) -> Path:
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
                page.pdf(
                    path=str(pdf_path),
                    format="A4",
                    landscape=landscape,
                    print_background=True,
                    display_header_footer=footer is not None,
                    header_template="<span></span>",
                    footer_template=_FOOTER.format(text=html.escape(footer or "")),
                    margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as e:
        msg = f"Chromium could not print {str(html_path)!r} to PDF: {e}"
        raise GeoError(msg) from e
    logger.info("printed %s", pdf_path)
    return pdf_path
