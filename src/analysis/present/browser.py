"""Open published pages in headless Chromium: check them as a reader's browser sees them.

Used by the browser tests and by ``analysis publish --screenshot``. Chromium is Debian's
package (``/usr/bin/chromium``; ``make browser`` installs it) driven through playwright's
Python package, with flags for a closed network. Every request that is not for a local
file or inline data is blocked and recorded, so a page that would fetch anything from the
internet is caught, not silently served.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
_LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


@dataclass
class PageCheck:
    """What a browser saw opening a page."""

    title: str
    images: int
    broken_images: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


@contextmanager
def chromium(executable: str = CHROMIUM) -> Iterator[Any]:
    """A headless Chromium browser (playwright ``Browser``)."""
    if not Path(executable).is_file():
        raise AnalysisError(
            f"Chromium is not installed at {executable}.",
            "Install it with 'sudo apt-get install chromium' (or 'make browser' as root).",
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Any, path: str | Path, width: int = 1000) -> Iterator[tuple[Any, PageCheck]]:
    """Open a local HTML file; yield the playwright page and its :class:`PageCheck`, filled in on load."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    check = PageCheck(title="", images=0)
    page.on("console", lambda message: check.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: check.console_errors.append(str(error)))

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(_LOCAL_SCHEMES):
            request_route.continue_()
        else:
            check.external_requests.append(url)
            request_route.abort()

    page.route("**/*", route)
    try:
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        check.title = page.title()
        images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])")
        check.images = len(images)
        check.broken_images = [alt or "(no alt text)" for alt, loaded in images if not loaded]
        yield page, check
    finally:
        page.close()


def check_page(path: str | Path, screenshot: str | Path | None = None, width: int = 1000) -> PageCheck:
    """Open a page in headless Chromium and report its title, images, console errors and external requests."""
    with chromium() as browser, open_page(browser, path, width) as (page, check):
        if screenshot is not None:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            check.screenshot = Path(screenshot)
        return check


def screenshot(path: str | Path, png: str | Path, width: int = 1000) -> PageCheck:
    """Save a full-page screenshot of a published page (e.g. for the README)."""
    return check_page(path, screenshot=png, width=width)
