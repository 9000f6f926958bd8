"""Open the report in Debian's Chromium, driven by Playwright, as a reader would see it.

Playwright's own browser download is not used: `make browser` installs Debian's chromium.
The switches keep the browser from reaching the network by itself (updates, sync, QUIC), so
every request the page makes is the page's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Every chart container holds a Plotly SVG once Plotly has drawn it.
CHARTS_DRAWN = """() => [...document.querySelectorAll('.chart')].every(
    c => c.querySelector('svg.main-svg') !== null)"""


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator:
    """A Playwright page in a fresh headless Chromium, closed (with the browser) on exit."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: install Debian's chromium with `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def open_report(page, report: Path) -> None:
    """Load the report from disk and wait until every chart has drawn."""
    page.goto(Path(report).resolve().as_uri())
    page.wait_for_load_state("load")
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)


def screenshot(report: Path, output: Path, width: int = 1040) -> Path:
    """The top of the report: the night and the most printed claim, its first printing opened."""
    with chromium_page(width, 1400) as page:
        open_report(page, report)
        first = page.locator("article.claim").first.locator("ol.printings > li").first
        first.locator("summary").click()
        page.wait_for_timeout(300)  # Plotly relayouts after the page grew
        box = first.bounding_box()
        output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(output), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": box["y"] + box["height"] + 12})
    return output
