"""The real page in headless Chromium against gunicorn: what a person sees, and nothing leaving the machine."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
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
    page, log = open_page(browser, server.url)
    page.log = log
    yield page
    assert log.problems() == [], log.problems()
    page.context.close()


def _map_pixels(page) -> np.ndarray:
    shot = page.locator("#atlas-map canvas").screenshot()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=np.int16)


def test_the_map_draws_every_unit(page, server, atlas):
    page.goto(server.url + "/")
    wait_for_map(page, "foreign_pct|latest")
    drawn = set(page.evaluate("Array.from(new Set(window.atlasMap.map().querySourceFeatures('units').map(f => f.id)))"))
    # At the whole-Alps zoom a unit below 1 km² is smaller than a pixel and the tiler leaves it out; every
    # other unit is drawn, and the small ones appear as soon as one zooms in.
    units = atlas.units
    not_drawn = units.index.difference(sorted(drawn))
    assert len(drawn) > 0.998 * len(units)
    assert (units.loc[not_drawn, "area_km2"] < 1).all(), units.loc[not_drawn, ["unit_id", "area_km2"]]
    legend = page.locator("#atlas-legend").inner_text()
    assert "Foreign nationals (%)" in legend
    missing = page.locator("#atlas-missing").inner_text()
    expected = int(np.isnan(atlas.series("foreign_pct").values).sum())
    assert missing == f"{expected:,} of {len(atlas.units):,} units have no value for this indicator."
    pixels = _map_pixels(page)
    assert pixels.std() > 20, "the map looks blank"
    page.evaluate("window.atlasMap.map().jumpTo({center: [11.885, 47.4395], zoom: 12})")  # Rattenberg, 0.02 km²
    page.wait_for_function(
        "() => window.atlasMap.map().loaded() && "
        "window.atlasMap.map().querySourceFeatures('units').some(f => f.id === window.atlasMap.featureOf('AT_70521'))",
        timeout=30_000,
    )


def test_switching_the_indicator_changes_legend_and_colours(page, server):
    page.goto(server.url + "/")
    wait_for_map(page, "foreign_pct|latest")
    before_legend = page.locator("#atlas-legend").inner_text()
    before = _map_pixels(page)
    innsbruck = page.evaluate("window.atlasMap.featureOf('AT_70101')")
    colour_before = page.evaluate(f"window.atlasMap.colourOf({innsbruck})")
    choose_in_dropdown(page, "#control-indicator", "share aged 65", "Share aged 65 and over (%)")
    wait_for_map(page, "share_65plus|latest")
    assert "Share aged 65 and over (%)" in page.locator("#atlas-legend").inner_text()
    assert page.locator("#atlas-legend").inner_text() != before_legend
    assert page.evaluate(f"window.atlasMap.colourOf({innsbruck})") != colour_before
    after = _map_pixels(page)
    changed = (np.abs(after - before).sum(axis=2) > 30).mean()
    assert changed > 0.05, f"only {changed:.1%} of the map's pixels changed"
    assert "indicator=share_65plus" in page.url
    timing = page.evaluate("window.atlasMap.timing()")
    assert timing["changed"] > 0


def test_searching_innsbruck_opens_its_profile(page, server):
    page.goto(server.url + "/")
    wait_for_map(page)
    choose_in_dropdown(page, "#control-search", "innsbr", "Innsbruck (Austria)")
    page.wait_for_selector("#profile-name")
    assert page.locator("#profile-name").inner_text() == "Innsbruck"
    assert "unit=AT_70101" in page.url
    assert "Population" in page.locator("#atlas-profile").inner_text()


def test_clicking_innsbruck_on_the_map_opens_its_profile(page, server):
    page.goto(server.url + "/?zoom=AT33")
    wait_for_map(page)
    time.sleep(0.3)
    point = page.evaluate("(() => { const p = window.atlasMap.map().project([11.392, 47.262]); return [p.x, p.y]; })()")
    box = page.locator("#atlas-map").bounding_box()
    # Hover first: the unit's name, country and value, and its outline drawn.
    page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    hover = page.locator(".atlas-hover")
    hover.wait_for()
    assert hover.locator("strong").inner_text() == "Innsbruck"
    assert "Austria" in hover.inner_text() and "Foreign nationals" in hover.inner_text()
    page.wait_for_function(
        "() => window.atlasMap.map().querySourceFeatures('outlines',"
        " {filter: ['==', ['get', 'kind'], 'hover']}).some(f => f.geometry)"
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_selector("#profile-name")
    assert page.locator("#profile-name").inner_text() == "Innsbruck"
    # The unit is outlined on the map without the map's values being sent again.
    page.wait_for_function(
        """() => {
            const i = window.atlasMap.featureOf('AT_70101');
            const drawn = window.atlasMap.map().querySourceFeatures(
                'outlines', {filter: ['==', ['get', 'kind'], 'selected']});
            return window.atlasMap.emphasised('selected').join() === String(i) && drawn.length > 0;
        }"""
    )
    assert page.evaluate("window.atlasMap.timing().seq") == 1
    # Every value of the profile fits its column (no number running into the percentiles beside it).
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.atlas-profile-table td, .atlas-profile-table th')]
            .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent)"""
    )
    assert overflowing == [], overflowing


POOLED = {
    "en": ("Values pooled here: Austria 2015", "in its own way"),
    "de": ("Hier zusammengefasste Werte: Österreich 2015", "auf seine Weise"),
    "fr": ("Valeurs regroupées ici\u00a0: Autriche 2015", "à sa manière"),
    "it": ("Valori riuniti qui: Austria 2015", "a modo suo"),
    "sl": ("Tu združene vrednosti: Avstrija 2015", "po svoje"),
}


@pytest.mark.parametrize("lang", list(POOLED))
def test_pooled_values_name_countries_and_years_in_the_legend_and_compare(page, server, lang):
    contributions, warning = POOLED[lang]
    page.goto(server.url + f"/?indicator=foreign_pct&lang={lang}")
    wait_for_map(page, "foreign_pct")
    note = page.locator("#atlas-indicator-note").inner_text().replace("\u00a0", " ")
    assert contributions.replace("\u00a0", " ") in note and warning in note and "2015–2022" in note, note
    page.goto(server.url + f"/?view=compare&indicator=foreign_pct&lang={lang}")
    page.wait_for_selector("#compare-table table")
    sentences = page.locator("#compare-sentences").inner_text().replace("\u00a0", " ")
    assert contributions.replace("\u00a0", " ") in sentences and warning in sentences, sentences


def test_compare_shows_n_per_group_and_sentences(page, server):
    page.goto(server.url + "/?view=compare&indicator=foreign_pct")
    page.wait_for_selector("#compare-table table")
    text = page.locator("#view-compare").inner_text()
    assert "In Austria, peripheral units have a median of " in text
    assert "(n\u00a0=\u00a0" in text  # never broken across lines
    table = page.locator("#compare-table").inner_text()
    assert "95% interval of the median" in table
    page.wait_for_selector("#compare-box .main-svg")
    assert "n = " in page.locator("#compare-box").inner_text()


def test_a_shared_url_restores_the_view_and_back_forward_work(page, server):
    url = server.url + "/?indicator=population&method=equal_interval&classes=4&countries=AT,CH&unit=CH_261"
    page.goto(url)
    wait_for_map(page, "population|latest")
    page.wait_for_selector("#profile-name")
    assert page.locator("#profile-name").inner_text() == "Zürich"
    assert page.locator("#atlas-legend li").count() == 4 + 1  # four classes and the no-value row
    assert page.locator("#control-method input[value=equal_interval]").is_checked()
    assert not page.locator("#control-countries input[value=DE]").is_checked()
    missing = page.locator("#atlas-missing").inner_text()
    assert "of 4,291 units" in missing or "units have a value" in missing
    page.locator("#control-method input[value=quantiles]").check()
    page.wait_for_function("() => location.search.includes('method') === false")
    page.go_back()
    page.wait_for_function("() => location.search.includes('method=equal_interval')")
    page.wait_for_function("() => document.querySelector('#control-method input[value=equal_interval]').checked")


def test_an_upload_with_good_and_bad_rows_reports_them_and_maps_the_good_ones(page, server, browser, tmp_path, atlas):
    from tests.test_upload import MIXED

    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    page.goto(server.url + "/?view=data")
    page.set_input_files("#upload-file input[type=file]", str(path))
    page.wait_for_selector("#upload-summary")
    summary = page.locator("#upload-summary").inner_text()
    for line in (
        "Data rows read: 7.",
        "Rows matched to a unit: 4.",
        "Rows not matched: 1.",
        "Values that are not numbers (left out): 1.",
        "Empty rows: 1.",
    ):
        assert line in summary
    report = page.locator("#upload-report").inner_text()
    assert "Nowhere" in report and "=1+1" in report and "Row 9: Altdorf" in report
    page.click("#upload-add")
    wait_for_map(page, "upload:u1")
    legend = page.locator("#atlas-legend").inner_text()
    assert "Neuzugänge (%)" in legend
    total = len(atlas.units)
    assert f"{total - 2:,} of {total:,} units have no value" in page.locator("#atlas-missing").inner_text()
    colours = page.evaluate(
        "['AT_70101', 'CH_6300', 'CH_261'].map(u => window.atlasMap.colourOf(window.atlasMap.featureOf(u)))"
    )
    assert colours[0] != colours[2] and colours[1] != colours[2]
    assert colours[2] == "#d9d9d9"  # Zürich's value was a formula: no value
    # Another visitor (a fresh browser context) sees nothing of it, even with the link.
    other, other_log = open_page(browser, server.url)
    other.goto(server.url + "/?indicator=upload:u1")
    wait_for_map(other, "foreign_pct|latest")
    assert "were reset: indicator" in other.locator("#atlas-notice").inner_text()
    assert other_log.problems() == []
    other.context.close()


@pytest.mark.parametrize(
    ("lang", "step_word", "start_text"),
    [("de", "Schritt", "Die Alpen im Wandel"), ("fr", "Étape", "Les Alpes en mutation")],
)
def test_a_full_story_in_presentation_mode(page, server, atlas, lang, step_word, start_text):
    from dashboard.stories import stories_for

    story = stories_for(atlas)["alps-in-change"]
    page.goto(f"{server.url}/?lang={lang}")
    wait_for_map(page)
    page.get_by_text(start_text).first.click()
    for number, step in enumerate(story.steps, start=1):
        wait_for_map(page, f"{step.indicator}|latest")
        page.wait_for_function(
            "n => (document.getElementById('story-step') || {}).textContent?.startsWith(n)",
            arg=f"{step_word} {number} ",
        )
        caption = page.locator("#story-caption").inner_text()
        assert caption and "{" not in caption and "nan" not in caption.lower(), caption
        assert f"step={number}" in page.url and "story=alps-in-change" in page.url
        assert page.locator("#atlas-page.atlas-present").count() == 1
        assert not page.locator(".atlas-controls").is_visible()  # controls hidden until needed
        if step.highlight:
            wanted = sorted(page.evaluate("ids => ids.map(id => window.atlasMap.featureOf(id))", list(step.highlight)))
            assert sorted(page.evaluate("window.atlasMap.emphasised('highlight')")) == wanted, step.highlight
            # Drawn, and none of them behind the caption that lies over the top of the map.
            page.wait_for_function(
                """n => {
                    const m = window.atlasMap.map();
                    const units = new Set(m.queryRenderedFeatures({layers: ['outline-highlight']})
                        .map(f => f.properties.unit));
                    return units.size === n && m.loaded();
                }""",
                arg=len(step.highlight),
            )
            hidden = page.evaluate(
                """() => {
                    const m = window.atlasMap.map();
                    const map = m.getContainer().getBoundingClientRect();
                    const box = document.querySelector('.atlas-story-box').getBoundingClientRect();
                    const covered = [[box.left - map.left, 0], [box.right - map.left, box.bottom - map.top]];
                    const behind = m.queryRenderedFeatures(covered, {layers: ['outline-highlight']});
                    return behind.map(f => f.properties.unit);
                }"""
            )
            assert hidden == [], f"step {number}: {hidden} behind the caption"
        if step.peers:  # the unit's peers outlined on the map, the closest named in the caption
            page.wait_for_function("() => window.atlasMap.emphasised('peers').length === 10")
            assert "(" in caption.rsplit(":", 1)[-1], caption
        if number < len(story.steps):
            page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "n => document.getElementById('story-step').textContent.startsWith(n)",
        arg=f"{step_word} {len(story.steps) - 1} ",
    )
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('atlas-page').classList.contains('atlas-present')")
    assert "story=" not in page.url


def test_a_poster_opens_with_legend_and_sources(page, server):
    import urllib.request

    url = f"{server.url}/poster.svg?indicator=foreign_pct&countries=AT,CH&method=natural_breaks&classes=6"
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        svg = response.read().decode()
    assert "Foreign nationals (%)" in svg
    assert "Legend (%)" in svg
    assert "Source: FSO" in svg and "Statistik Austria" in svg
    assert "EuroGeographics" in svg
    page.goto(url + "&inline=1")
    assert page.get_by_text("Foreign nationals (%)").count() >= 1  # the browser opens and draws it
    with urllib.request.urlopen(url.replace(".svg", ".pdf"), timeout=120) as response:
        pdf = response.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 500_000
    with urllib.request.urlopen(url.replace(".svg", ".png"), timeout=120) as response:
        image = Image.open(io.BytesIO(response.read()))
    assert image.size == (4966, 3508)  # A1 at 150 dpi


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/?unit=AT_70101", "#profile-name"),
        ("/?view=compare&indicator=share_65plus", "#compare-table table"),
        ("/?view=peers&unit=IT_021008", "#peer-table"),
        ("/?view=index&ix=share_65plus,dist_hospital_km,pop_change_pa&lang=de", "#index-rank-table"),
        ("/?view=data", "#upload-file"),
        ("/?view=about&lang=it", "#view-about table"),
        ("/?story=alps-in-change&step=4&lang=sl", "#story-caption"),
    ],
)
def test_no_serious_accessibility_violations(browser, server, path, ready):
    """axe-core (from npm, not copied into the repository) finds no serious or critical violation,
    WCAG 2.1 AA contrast included."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    # axe is injected as an inline script, which the app's CSP rightly forbids: this context bypasses it.
    context = browser.new_context(viewport={"width": 1500, "height": 950}, bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + path)
    page.wait_for_selector("#atlas-map[data-ready]", state="attached", timeout=60_000)
    page.wait_for_selector(ready, state="attached", timeout=60_000)
    page.wait_for_timeout(500)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                                   'best-practice']}})
              .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                                 where: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )
    context.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_keyboard_reaches_the_units_of_the_map_and_the_table(page, server, atlas):
    page.goto(server.url + "/?zoom=AT33&indicator=share_65plus")
    wait_for_map(page, "share_65plus")
    page.wait_for_timeout(500)
    page.locator("#atlas-map canvas").focus()
    page.keyboard.press("n")
    page.wait_for_function("() => document.getElementById('atlas-map-announce').textContent.length > 0")
    first = page.locator("#atlas-map-announce").inner_text()
    assert "Austria: Share aged 65 and over" in first
    page.keyboard.press("n")
    page.wait_for_function("t => document.getElementById('atlas-map-announce').textContent !== t", arg=first)
    page.keyboard.press("Enter")
    page.wait_for_selector("#profile-name")
    assert page.locator("#atlas-map-announce").inner_text().startswith(page.locator("#profile-name").inner_text())
    # The table alternative: every unit of the selection, a page at a time; a name opens its profile.
    page.locator("#map-table-toggle").click()
    page.wait_for_selector("#map-table table")
    status = page.locator("#map-table-status").inner_text()
    assert status.startswith("Page 1 of ") and f"{len(atlas.units):,} units" in status
    page.locator("#map-table-next").click()
    page.wait_for_function("() => document.getElementById('map-table-status').textContent.startsWith('Page 2 ')")
    name = page.locator("#map-table tbody tr:first-child button").inner_text()
    page.locator("#map-table tbody tr:first-child button").click()
    page.wait_for_function("n => document.getElementById('profile-name').textContent.startsWith(n)", arg=name)


def test_a_file_over_the_limit_is_named_at_once(page, server, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"unit_id,value\n" + b"AT_70101,1\n" * 600_000)  # about 6.6 MB
    page.goto(server.url + "/?view=data")
    page.set_input_files("#upload-file input[type=file]", str(big))
    page.wait_for_function("() => document.getElementById('upload-message').textContent.includes('5 MB')")
    assert "6.3 MB" in page.locator("#upload-message").inner_text()


def test_the_tab_names_fit_their_tabs_in_every_language(page, server):
    from dashboard.i18n import LANGUAGES

    page.set_viewport_size({"width": 1024, "height": 700})
    for lang in LANGUAGES:
        page.goto(server.url + f"/?lang={lang}")
        page.wait_for_selector(".atlas-tabs .tab span")
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('.atlas-tabs .tab')].filter(tab => {
                const box = tab.getBoundingClientRect(), name = tab.querySelector('span').getBoundingClientRect();
                return name.left < box.left + 4 || name.right > box.right - 4;
            }).map(tab => tab.textContent)"""
        )
        assert clipped == [], (lang, clipped)


def test_slovenia_is_mapped_by_obcina_with_region_figures_apart(page, server):
    page.goto(server.url + "/?indicator=population&countries=SI&zoom=SI&unit=SI_073")
    wait_for_map(page, "population")
    # No municipal population in the sources: every občina is missing, and said so (never the region's value).
    assert "212 of 212 units have no value" in page.locator("#atlas-missing").inner_text()
    page.wait_for_selector("#profile-region")
    assert page.locator("#profile-name").inner_text() == "Metlika"
    region = page.locator("#profile-region").inner_text()
    assert region == "Region (NUTS 3): Jugovzhodna Slovenija (SI037)"
    assert "persons" in page.locator(".atlas-region-table").inner_text()
    # Real polygons: 212 distinct features of Slovenia, each with its own colour state on another indicator.
    page.goto(server.url + "/?indicator=dist_hospital_km&countries=SI&zoom=SI")
    wait_for_map(page, "dist_hospital_km")
    assert "All 212 units have a value" in page.locator("#atlas-missing").inner_text()
    coloured = page.evaluate(
        "['SI_061', 'SI_073', 'SI_213'].map(u => window.atlasMap.colourOf(window.atlasMap.featureOf(u)))"
    )
    assert all(c and c != "#d9d9d9" for c in coloured), coloured
    assert "OpenStreetMap" in page.locator(".maplibregl-ctrl-attrib").text_content()


def test_a_spreadsheet_bomb_is_refused_in_the_page_and_a_good_file_still_reads(page, server, tmp_path):
    from bench.hostile_files import far_cell

    page.goto(server.url + "/?view=data&lang=de")
    limits = page.locator(".atlas-small", has_text="Obergrenzen").inner_text()
    assert "1.000.000 gefüllte Zellen" in limits and "1.024\u00a0MB" in limits and "20\u00a0s" in limits
    bomb = tmp_path / "bombe.xlsx"
    bomb.write_bytes(far_cell("XFD1048576"))
    page.set_input_files("#upload-file input[type=file]", str(bomb))
    page.wait_for_selector("#upload-report .atlas-error")
    message = page.locator("#upload-report .atlas-error").inner_text()
    assert "XFD1048576" in message and "50.000 Zeilen und 60 Spalten" in message
    assert page.locator("#upload-add").is_disabled()
    # The same person then uploads a good file: it is read (the refused one left nothing behind).
    good = tmp_path / "gut.csv"
    good.write_bytes(b"unit_id,Anteil (%)\nAT_70101,12.5\nCH_261,3\n")
    page.set_input_files("#upload-file input[type=file]", str(good))
    page.wait_for_selector("#upload-summary")
    assert "2" in page.locator("#upload-summary").inner_text()
    assert page.locator("#upload-report .atlas-error").count() == 0


def _peer_rows(page) -> list[str]:
    return page.locator("#peer-table tbody tr th").all_inner_texts()


def test_bolzano_shows_ten_peers_in_other_countries_outlined_and_a_shared_link_shows_the_same(page, server, browser):
    page.goto(server.url + "/?unit=IT_021008")
    wait_for_map(page)
    page.wait_for_selector("#profile-peers")
    assert page.locator("#profile-peers").inner_text() == "Most alike in other countries"
    peers = page.locator(".atlas-peer-list li")
    assert peers.count() == 10
    listed = peers.all_inner_texts()
    assert all("(Italy)" not in line and "alike in" in line for line in listed), listed
    # Outlined on the map: ten units, from a list of positions (no geometry sent).
    page.get_by_role("button", name="Show the peers on the map").click()
    page.wait_for_function("() => location.search.includes('peers=1')")
    page.wait_for_function("() => window.atlasMap.emphasised('peers').length === 10")
    # The whole table, keyboard only: the button is reached and pressed like any other.
    page.get_by_role("button", name="All indicators side by side").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#peer-table")
    assert page.locator("#peer-heading").inner_text() == "Peers of Bolzano (Italy)"
    rows = _peer_rows(page)
    assert len(rows) == 11 and rows[0] == "Bolzano (Italy)"
    assert [r.split(" (")[0] for r in rows[1:]] == [line.split(" (")[0] for line in listed]
    headers = page.locator("#peer-table thead th").all_inner_texts()
    assert {"Population", "Population density", "Degree of urbanisation"} <= set(headers)
    # A changed method goes into the URL; the link opened elsewhere shows the same screen.
    page.locator("#peer-k").fill("5")
    page.locator("#peer-k").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#peer-table tbody tr').length === 6")
    assert "pk=5" in page.url and "view=peers" in page.url
    shown = _peer_rows(page)
    other, log = open_page(browser, server.url)
    other.goto(page.url)
    other.wait_for_selector("#peer-table")
    other.wait_for_function("() => document.querySelectorAll('#peer-table tbody tr').length === 6")
    assert _peer_rows(other) == shown
    assert other.locator("#peer-k").input_value() == "5"
    # The CSV: the method and sources as '#' lines, then the same units.
    with other.expect_download() as download:
        other.get_by_role("button", name="Download the peer table (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# PlurAlps Atlas peers of IT_021008") and "# source " in text
    table = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(table) == 1 + 6 and table[1].split(",")[1] == "IT_021008"
    assert log.problems() == []
    other.context.close()
    # A peer's name opens its profile on the map.
    first = page.locator("#peer-table tbody tr:nth-child(2) th button")
    name = first.inner_text().split(" (")[0]
    first.click()
    page.wait_for_function("n => document.getElementById('profile-name')?.textContent.startsWith(n)", arg=name)


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_jesenice_finds_peers_on_what_slovenia_has_and_says_what_it_lacks(page, server, lang):
    page.goto(server.url + f"/?view=peers&unit=SI_041&lang={lang}")
    page.wait_for_selector("#peer-table")
    rows = _peer_rows(page)
    assert len(rows) == 11 and rows[0].startswith("Jesenice")
    text = page.locator("#view-peers").inner_text()
    if lang == "en":
        assert "Jesenice has no value of Population, Population density, Population change per year" in text
        assert "Compared on 3 of 3 indicators" in text
    assert page.locator("#peer-table tbody tr:first-child td.num").first.inner_text() == "–"
    assert page.locator("#peer-table").get_attribute("id") == "peer-table"
    # No label cut: the table scrolls sideways inside its region, the page does not.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def _settled(page) -> None:
    """Wait until no Dash callback is pending (the page shows the answer to the last change)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=60_000)
    page.wait_for_timeout(200)


def _index_shown(page, part: str) -> None:
    """Wait until the Index view shows the results of a method whose query has `part` (the state callback
    answers first, the results follow in their own request)."""
    page.wait_for_function(
        "part => (document.querySelector('#index-results > [data-key]')?.dataset.key || '').includes(part)",
        arg=part,
        timeout=60_000,
    )
    page.wait_for_selector("#index-rank-table")


def _index_rows(page) -> list[str]:
    return page.locator("#index-rank-table tbody tr th").all_inner_texts()


def test_housing_work_and_health_with_housing_twice_as_heavy_is_built_mapped_and_shared(page, server, browser):
    """The issue's example built by hand: tick the components, weigh per field, housing 2; the index is
    mapped with its missing units counted, ranked with intervals, explained in a profile, and a shared link
    shows the same."""
    page.goto(server.url + "/?view=index")
    page.wait_for_selector("text=Tick at least one component to build an index.")
    ticked = 0
    for field in ("3 Housing", "5 Work", "6 Health, care and support"):
        boxes = page.locator(f".atlas-index-components label:has-text('{field} ·') input")
        for n in range(boxes.count()):
            boxes.nth(n).check()
            ticked += 1
            # Each tick goes into the link before the next (a person's pace; the state callback is one at a time).
            page.wait_for_function(
                "n => (new URLSearchParams(location.search).get('ix') || '').split(',').filter(Boolean).length === n",
                arg=ticked,
            )
    page.wait_for_function("() => location.search.includes('dist_hospital_emergency_km')")
    page.get_by_label("Per field of action (1 each: equal per field, split among its indicators)").check()
    page.wait_for_function("() => location.search.includes('ixw=field')")
    housing = page.locator("#index-parts label:has-text('3 Housing') input")
    housing.fill("2")
    housing.press("Enter")
    page.wait_for_function("() => location.search.includes('ixwt=housing:2')")
    _index_shown(page, "ixwt=housing:2")
    text = page.locator("#view-index").inner_text()
    assert "units have an index;" in text and "Monte Carlo draws (seed 2008)" in text
    # The catalogue gives the housing indicators no direction: the view says the index assumed one.
    assert "Dwelling vacancy rate: the catalogue does not say whether higher values are better" in text
    assert "has no value in any unit: it was left out." in text  # the emergency hospitals: empty in the sources
    rows = _index_rows(page)
    assert len(rows) == 15 and all(r.endswith("(Switzerland)") for r in rows)  # housing: Swiss statistics only
    first = page.locator("#index-rank-table tbody tr").first.inner_text()
    assert first.startswith("1 of ")
    # On the map like any indicator, with the units left without an index counted.
    page.get_by_role("button", name="Show the index on the map").click()
    page.wait_for_function(
        "() => location.search.includes('indicator=index:score') && !location.search.includes('view=index')"
    )
    wait_for_map(page)
    page.wait_for_function("() => (window.atlasMap.timing() || {}).key?.startsWith('index:score|')")
    legend = page.locator("#atlas-legend").inner_text()
    assert "Composite index (your method)" in legend
    assert "units have no value for this indicator" in page.locator("#atlas-missing").inner_text()
    # The weights beside the map change the map and the link.
    beside = page.locator("#index-map-parts label:has-text('3 Housing') input")
    assert beside.input_value() == "2"
    beside.fill("3")
    beside.press("Enter")
    page.wait_for_function("() => location.search.includes('ixwt=housing:3')")
    # A shared link shows the same ranks.
    page.get_by_role("button", name="Index details").click()
    page.wait_for_function("() => location.search.includes('view=index')")
    _index_shown(page, "ixwt=housing:3")
    shown = _index_rows(page)
    other, log = open_page(browser, server.url)
    other.goto(page.url)
    _index_shown(other, "ixwt=housing:3")
    assert _index_rows(other) == shown
    assert other.locator("#index-parts label:has-text('3 Housing') input").input_value() == "3"
    # The CSV: method, sources and years as '#' lines, then every unit.
    with other.expect_download() as download:
        other.get_by_role("button", name="Download the index (CSV)").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv.startswith("# PlurAlps Atlas composite index") and "# component vacancy_rate:" in csv
    assert "weights per field of action (split equally): housing 3" in csv
    assert log.problems() == []
    other.context.close()
    # The best-ranked unit's profile: its rank, interval and every component's part.
    best = page.locator("#index-rank-table tbody tr:first-child th button")
    name = best.inner_text().split(" (")[0]
    best.click()
    page.wait_for_function("n => document.getElementById('profile-name')?.textContent.startsWith(n)", arg=name)
    page.wait_for_selector("#profile-index")
    profile = page.locator("#atlas-profile").inner_text()
    assert "rank 1 of" in profile and "5–95 %:" in profile and "Contribution" in profile


def test_austrias_change_in_foreign_nationals_2011_2015_is_mapped_around_zero_and_innsbruck_shows_its_years(
    page, server, atlas
):
    """The issue's example: the year 2015, "change since" 2011, the map split at zero with the units left
    out counted; relative change; the link shared; Innsbruck's profile with its series."""
    page.goto(server.url + "/?zoom=AT")
    wait_for_map(page, "foreign_pct|latest")
    choose_in_dropdown(page, "#control-year", "2015", "2015")
    page.wait_for_function("() => location.search.includes('year=2015')")
    choose_in_dropdown(page, "#control-change-since", "2011", "2011")
    page.wait_for_function(
        "() => location.search.includes('indicator=change:foreign_pct') && location.search.includes('since=2011')"
    )
    wait_for_map(page, "change:foreign_pct")
    legend = page.locator("#atlas-legend").inner_text()
    assert "Foreign nationals: change 2011–2015, difference (percentage points)" in legend
    # Independently: Austrian units with a value in both years, from the atlas's own series.
    before, after = atlas.series("foreign_pct", 2011), atlas.series("foreign_pct", 2015)
    both = (before.years == 2011) & (after.years == 2015)
    change = (after.values - before.values)[both]
    assert (change < 0).any() and (change > 0).any()
    missing = page.locator("#atlas-missing").inner_text()
    assert (
        missing
        == f"{len(atlas.units) - int(both.sum()):,} of {len(atlas.units):,} units have no value for this indicator."
    )
    rows = page.locator("#atlas-legend .atlas-legend-row").all_inner_texts() or legend.splitlines()
    assert any(r.strip().startswith("0.0") for r in rows), rows  # a class starts at zero
    innsbruck = page.evaluate("window.atlasMap.featureOf('AT_70101')")
    colour_difference = page.evaluate(f"window.atlasMap.colourOf({innsbruck})")
    page.get_by_label("relative change (%)").check()
    page.wait_for_function("() => location.search.includes('change=rel')")
    wait_for_map(page, "change=rel")
    assert "Foreign nationals: change 2011–2015, relative change (%)" in page.locator("#atlas-legend").inner_text()
    # The shared link shows the same map.
    other, log = open_page(page.context.browser, server.url)
    other.goto(page.url)
    wait_for_map(other, "change=rel")
    assert other.locator("#atlas-legend").inner_text() == page.locator("#atlas-legend").inner_text()
    assert other.locator("#control-change-since").inner_text().strip().startswith("2011")
    assert log.problems() == []
    other.context.close()
    # Innsbruck's profile: its foreign share every year beside Austria's median.
    choose_in_dropdown(page, "#control-search", "innsbr", "Innsbruck (Austria)")
    page.wait_for_selector("#profile-over-time")
    chart = page.locator(".atlas-series-table img[alt^='Foreign nationals, Innsbruck']")
    alt = chart.get_attribute("alt")
    assert alt.startswith("Foreign nationals, Innsbruck: 2011: 16.4%; 2012: 17.9%; 2013: 19.3%; 2014: 21%; 2015: 22.9%")
    assert "Median of Austria: 2011:" in alt
    assert chart.is_visible() and chart.bounding_box()["width"] >= 100
    assert colour_difference  # the unit was painted in the difference map


def test_two_self_assessments_of_innsbruck_show_as_two_radars_with_what_changed(page, server, tmp_path):
    """The SPI's cycle: the 2019 assessment, then the 2023 one (the same file name), each uploaded in the
    browser (the uploads stay in the tab's session); Innsbruck's profile draws both and tables the change."""
    from tests.test_assessments import HEADER

    for year, ratings in ((2019, "2,3,4"), (2023, "3,3,")):
        page.goto(server.url + "/?view=data")
        path = tmp_path / str(year) / "innsbruck-spi.csv"
        path.parent.mkdir()
        path.write_text(HEADER + f"AT_70101,Innsbruck,AT,{year},{ratings}\n", encoding="utf-8")
        page.set_input_files("#upload-file input[type=file]", str(path))
        page.wait_for_function(
            "() => (document.querySelector('#upload-summary')?.innerText || '').includes('matched to a unit: 1')"
        )
        page.click("#upload-add")
        page.wait_for_function("() => !location.search.includes('view=data')")
    choose_in_dropdown(page, "#control-search", "innsbr", "Innsbruck (Austria)")
    page.wait_for_selector("#profile-assessment-changes")
    # The radar's legend (SVG text) names both assessments.
    page.wait_for_function("() => document.querySelector('#profile-assessment .legend')?.textContent.includes('2023')")
    radar = page.locator("#profile-assessment .legend").text_content()
    assert "Assessment 2019 (innsbruck-spi.csv)" in radar and "Assessment 2023 (innsbruck-spi.csv)" in radar
    table = page.locator("#profile-assessment-changes").inner_text()
    assert "What changed between the two assessments" in table
    assert "+1" in table and "±0" in table and "rated once only" in table
