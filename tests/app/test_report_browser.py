"""The report page in a real browser (Debian's headless Chromium through Playwright), 1280 px wide.

Every image must decode, the page must log no console error, and nothing may be wider than the
page: neither the page itself nor any table in its scroll box (a box that scrolls hides columns).
"""

from __future__ import annotations

import pytest

from tests.app.conftest import CHROMIUM_ARGS

WIDTH = 1280


def inspect(chromium_path: str, page_file, screenshot) -> dict:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - the fixture checked it is there

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            images = page.evaluate("Promise.all([...document.images].map(i => i.decode().then("
                                   "() => ({width: i.naturalWidth, right: i.getBoundingClientRect().right}))))")
            page_width = page.evaluate("document.documentElement.scrollWidth")
            boxes = page.evaluate("[...document.querySelectorAll('.scroll, pre')]"
                                  ".filter(e => e.closest('details') === null)"
                                  ".map(e => [e.scrollWidth, e.clientWidth])")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"errors": errors, "images": images, "page_width": page_width, "boxes": boxes}


@pytest.mark.parametrize("which", ["run_report", "sweep_report"])
def test_report_page_in_chromium(chromium_path, request, tmp_path, which) -> None:
    folder = request.getfixturevalue(which)
    seen = inspect(chromium_path, folder / "report.html", tmp_path / "page.png")
    charts = len(list(folder.glob("*.png")))
    assert len(seen["images"]) == charts and all(i["width"] > 0 for i in seen["images"])  # decode() resolved
    assert all(i["right"] <= WIDTH for i in seen["images"])
    assert seen["errors"] == []
    assert seen["page_width"] <= WIDTH
    assert seen["boxes"] and all(scroll <= client for scroll, client in seen["boxes"]), seen["boxes"]
