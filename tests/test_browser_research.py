"""What researchers and workshops use beyond the map, in the real page (headless Chromium against gunicorn):
the bivariate map built with its control; the QR code of the view's link read back by an independent
decoder (zxing-cpp, not the segno that drew it); the archive downloaded from About; the API fetched from
the page's origin."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Gunicorn,
    choose_in_dropdown,
    chromium_available,
    open_page,
    wait_for_map,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def server(build_folder):
    app = Gunicorn(build_folder)
    yield app
    log = app.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def browser():
    if not chromium_available():
        pytest.skip(f"Chromium not found at {CHROMIUM} (installed by .ci/system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, server):
    page, log = open_page(browser, server.url, viewport=(1280, 800))
    yield page
    assert log.problems() == [], log.problems()
    page.context.close()


def test_a_bivariate_map_of_foreign_nationals_and_ageing_built_with_its_control(page, server, atlas):
    from dashboard.bivariate import PALETTE
    from dashboard.mapdata import map_model
    from dashboard.state import State

    page.goto(server.url + "/?indicator=foreign_pct&countries=AT,CH&lang=en")
    wait_for_map(page, "foreign_pct|latest|classes|")
    choose_in_dropdown(page, "#control-versus", "aged 65", "Share aged 65 and over (%)")
    wait_for_map(page, "foreign_pct|latest|versus=share_65plus")
    assert "versus=share_65plus" in page.url
    model = map_model(atlas, State(indicator="foreign_pct", versus="share_65plus", countries=("AT", "CH")))
    cells = page.locator(".atlas-bivariate-cell")
    assert cells.count() == 9
    shown = {cells.nth(i).get_attribute("data-cell"): int(cells.nth(i).inner_text().replace(",", "")) for i in range(9)}
    expected = {f"{c},{r}": int(model.bivariate.counts[r, c]) for r in range(3) for c in range(3)}
    assert shown == expected
    assert page.get_by_text("Top right (dark): high Foreign nationals and high Share aged 65 and over").count() == 1
    missing = page.locator("#atlas-missing").inner_text()
    assert f"{model.missing:,} of {model.in_selection:,} units lack a value" in missing
    painted = page.locator("#atlas-map").get_attribute("data-painted-key")
    assert painted.endswith("|bivariate|" + ",".join(PALETTE))
    # The map shows the grid's colours: sample the canvas.
    shot = np.asarray(Image.open(io.BytesIO(page.locator("#atlas-map canvas").screenshot())).convert("RGB"))
    colours = {tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in PALETTE}
    seen = {tuple(p) for p in shot.reshape(-1, 3)[::7]}
    assert len(colours & seen) >= 6
    # A shared link restores it, and "one indicator" undoes it.
    other, other_log = open_page(page.context.browser, server.url)
    other.goto(page.url)
    wait_for_map(other, "foreign_pct|latest|versus=share_65plus")
    assert other.locator(".atlas-bivariate-cell").count() == 9
    assert other_log.problems() == []
    other.context.close()
    choose_in_dropdown(page, "#control-versus", "one", "— (one indicator)")
    wait_for_map(page, "foreign_pct|latest|classes|")
    assert "versus" not in page.url and page.locator(".atlas-bivariate-cell").count() == 0


def _decoded(page) -> list[str]:
    shot = page.locator("#qr-image").screenshot()
    image = Image.open(io.BytesIO(shot)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("present", [False, True])
def test_the_qr_code_opens_the_view_on_a_phone(page, server, present):
    query = "?indicator=change:foreign_pct&year=2015&since=2011&change=rel&countries=AT&lang=de"
    page.goto(server.url + "/" + query + ("&present=1" if present else ""))
    wait_for_map(page, "change:foreign_pct|2015")
    button = page.locator("#qr-button")
    assert button.inner_text() == "QR-Code"
    button.click()
    page.wait_for_function(
        "() => document.getElementById('qr-image').complete && document.getElementById('qr-image').naturalWidth > 0"
    )
    assert page.locator("#qr-title").inner_text() == "Scannen, um diese Ansicht zu öffnen"
    box = page.locator("#qr-image").bounding_box()
    assert box["width"] >= 500 and box["height"] >= 500  # 70 % of the height of a 1280 × 800 screen
    decoded = _decoded(page)
    assert decoded == [page.url]
    assert "since=2011" in decoded[0] and "change=rel" in decoded[0]
    assert page.locator("#qr-link").inner_text() == page.url
    # A phone opening the decoded link sees the same map.
    phone, phone_log = open_page(page.context.browser, server.url, viewport=(390, 844))
    phone.goto(decoded[0])
    wait_for_map(phone, "change:foreign_pct|2015")
    assert phone_log.problems() == []
    phone.context.close()
    # Esc closes the code and nothing else: presentation mode stays on.
    page.keyboard.press("Escape")
    page.wait_for_selector("#qr-dialog", state="hidden")
    assert page.evaluate("document.activeElement.id") == "qr-button"
    on = page.evaluate("document.getElementById('atlas-page').classList.contains('atlas-present')")
    assert on is present


def test_the_qr_code_follows_the_view_while_open(page, server):
    page.goto(server.url + "/?indicator=share_65plus")
    wait_for_map(page, "share_65plus|")
    page.locator("#qr-button").click()
    page.wait_for_function("() => document.getElementById('qr-image').naturalWidth > 0")
    first = _decoded(page)
    assert first == [page.url]
    page.locator("#qr-close").click()
    page.wait_for_selector("#qr-dialog", state="hidden")
    page.goto(server.url + "/?indicator=foreign_pct&countries=CH&unit=CH_261")
    wait_for_map(page, "foreign_pct|")
    page.locator("#qr-button").click()
    page.wait_for_function(
        "(old) => document.getElementById('qr-image').src !== old && "
        "document.getElementById('qr-image').naturalWidth > 0",
        arg="",
    )
    page.wait_for_timeout(300)
    second = _decoded(page)
    assert second == [page.url] and second != first
    assert "unit=CH_261" in second[0]


def test_the_server_draws_codes_of_its_own_links_only(server):
    import urllib.error
    import urllib.parse
    import urllib.request

    for link in ("https://example.org/phish", "javascript:alert(1)", ""):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/qr.svg?link={urllib.parse.quote(link)}", timeout=30)
        assert refused.value.code == 400


def test_about_offers_the_archive_and_it_is_the_build(page, server, atlas):
    page.goto(server.url + "/?view=about&lang=fr")
    link = page.locator("#about-archive-link")
    link.wait_for(timeout=60_000)
    assert link.inner_text() == "Télécharger tout le jeu de données harmonisé de ce build"
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    name = atlas.manifest["archive"]["name"]
    assert download.suggested_filename == name
    body = Path(download.path()).read_bytes()
    assert hashlib.sha256(body).hexdigest() == atlas.manifest["archive"]["sha256"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        stem = name.removesuffix(".zip")
        sums = archive.read(f"{stem}/SHA256SUMS").decode().splitlines()
        for line in sums:
            digest, member = line.split("  ", 1)
            assert hashlib.sha256(archive.read(f"{stem}/{member}")).hexdigest() == digest
    assert page.get_by_text("Document OpenAPI").count() == 1


def test_the_page_origin_serves_the_api_the_page_describes(page, server, atlas):
    page.goto(server.url + "/?view=about")
    page.locator("#about-archive-link").wait_for(timeout=60_000)
    answer = page.evaluate(
        """async () => {
            const r = await fetch('/api/v1/values?indicator=foreign_pct&year=2022&countries=CH');
            return {status: r.status, body: await r.json()};
        }"""
    )
    assert answer["status"] == 200
    body = answer["body"]
    values = np.array([np.nan if r["value"] is None else r["value"] for r in body["values"]])
    series = atlas.series("foreign_pct", 2022)
    ch = (atlas.units["country"] == "CH").to_numpy()
    np.testing.assert_allclose(values, series.values[ch], equal_nan=True)
    assert body["missing"] == int(np.isnan(series.values[ch]).sum())
    # A bad request from a script (not the page: the browser would log the 400 as a console error).
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/v1/values?indicator=foreign_pct&year=1850", timeout=30)
    bad = {"status": refused.value.code, "body": json.loads(refused.value.read())}
    assert bad["status"] == 400 and bad["body"]["parameter"] == "year"
    assert json.dumps(bad["body"]).count("2022") == 1
