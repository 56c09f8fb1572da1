"""The report site in Chromium: every page loads without a browser error, filters change the
data of a figure, the CSV download holds the figure's rows, the language switch translates the
page, and a suppressed cell reads "suppressed". A screenshot of every page lands in
test-artifacts/screenshots."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from dashboards.app import create_app
from dashboards.components import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.sail, pytest.mark.timeout(300),
              pytest.mark.usefixtures("browser_available")]


def dom_id(kind: str, figure: str, indexed: bool = False) -> str:
    """The DOM id Dash gives a pattern-matching id (its JSON with sorted keys)."""
    return json.dumps({"fig": figure, **({"n": 0} if indexed else {}), "type": f"fig-{kind}"}, separators=(",", ":"))


def element(dash_duo, element_id: str):
    """An element by its exact id (pattern-matching ids are JSON, awkward in CSS selectors)."""
    found = dash_duo.driver.execute_script("return document.getElementById(arguments[0]);", element_id)
    assert found is not None, element_id
    return found


def graph_data(dash_duo, figure: str) -> list[dict]:
    return dash_duo.driver.execute_script(
        "const el = document.getElementById(arguments[0]).querySelector('.js-plotly-plot');"
        "const plain = a => a == null ? null : Array.from(a, v => (typeof v === 'number' && isNaN(v)) ? null : v);"
        # _fullData: the traces as drawn, typed arrays decoded (data keeps the encoded form)
        "return el && el._fullData ? el._fullData.map(t => ({name: t.name, x: plain(t.x), y: plain(t.y), meta: t.meta})) : null;",
        dom_id("graph", figure))


def wait_until(condition, timeout: float = 10.0, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def open_page(dash_duo, path: str, title: str | None = None) -> None:
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element("#page-title", timeout=15)
    if title:
        dash_duo.wait_for_text_to_equal("#page-title", title, timeout=15)


def test_every_page_loads_without_errors_and_is_captured(dash_duo, site_data, screenshots):
    dash_duo.start_server(create_app(site_data.settings))
    for key, path in PAGES:
        open_page(dash_duo, path)
        expected = [m["id"] for m in site_data.report["figures"] + site_data.report["beyond"]
                    if m["section"] == key and m["id"] != "B3" and m["rows"]]
        for figure in expected:  # every chart of the page has drawn
            drawn = lambda figure=figure: graph_data(dash_duo, figure)  # noqa: E731
            wait_until(drawn, 15, f"{figure} on {path}")
        assert dash_duo.get_logs() == [], path
        dash_duo.driver.save_screenshot(str(screenshots / f"{key}.png"))
        assert (screenshots / f"{key}.png").stat().st_size > 10_000


def test_industry_filter_changes_the_figure_data(dash_duo, site_data):
    rows = next(m for m in site_data.report["figures"] if m["id"] == "F11")["rows"]
    fs = [r for r in rows if r["industry_key"] == "fs" and r["serverless_product"] == "any" and not r["is_suppressed"]]
    assert fs, "the test data must have published Financial Services cells"
    dash_duo.start_server(create_app(site_data.settings))
    open_page(dash_duo, "/regulated-industries")
    before = wait_until(lambda: graph_data(dash_duo, "F11"), 15, "F11")
    assert "Financial Services" in [t["name"] for t in before]
    dropdown = element(dash_duo, dom_id("industry", "F11", indexed=True))
    dash_duo.select_dcc_dropdown(dropdown, value="Financial Services")  # toggles it off
    after = wait_until(lambda: (d := graph_data(dash_duo, "F11")) and d != before and d, 10, "F11 to change")
    names = [t["name"] for t in after]
    assert "Financial Services" not in names and len(names) < len(before)
    assert dash_duo.get_logs() == []


def test_csv_download_holds_the_figures_rows(dash_duo, site_data):
    figure = next(m for m in site_data.report["figures"] if m["id"] == "F8")
    dash_duo.start_server(create_app(site_data.settings))
    open_page(dash_duo, "/regulated-industries")
    element(dash_duo, dom_id("csv", "F8")).click()
    target = Path(dash_duo.download_path) / "F8.csv"
    wait_until(lambda: target.is_file() and target.stat().st_size > 0, 15, "F8.csv")
    csv = pd.read_csv(target)
    published = pd.DataFrame(figure["rows"])
    assert list(csv.columns) == [c["name"] for c in figure["columns"]]
    assert sorted(csv["industry_key"]) == sorted(published["industry_key"])
    merged = csv.merge(published, on="industry_key", suffixes=("", "_published"))
    for row in merged.itertuples():
        if row.is_suppressed:
            assert pd.isna(row.requests_per_customer)  # empty, never 0
        else:
            assert row.requests_per_customer == pytest.approx(row.requests_per_customer_published)


def test_language_switch_translates_the_headings(dash_duo, site_data):
    dash_duo.start_server(create_app(site_data.settings))
    open_page(dash_duo, "/", "Key findings")
    dash_duo.wait_for_text_to_equal("#nav-status", "Pipeline status")
    korean = dash_duo.driver.find_element(By.XPATH, "//*[@id='language']//label[contains(., '한국어')]")
    korean.click()
    dash_duo.wait_for_text_to_equal("#page-title", "주요 결과", timeout=10)
    dash_duo.wait_for_text_to_equal("#nav-status", "파이프라인 상태")
    assert "1년 전보다" in dash_duo.find_element("#finding-K1").text
    open_page(dash_duo, "/methodology?lang=fr", "Méthodologie")
    dash_duo.wait_for_text_to_equal("#nav-overview", "Conclusions clés")
    assert dash_duo.get_logs() == []


def test_a_suppressed_cell_reads_suppressed(dash_duo, site_data):
    figure = next(m for m in site_data.report["figures"] if m["id"] == "F8")
    hidden = [r["industry"] for r in figure["rows"] if r["is_suppressed"]]
    assert hidden, "the test data must have a suppressed F8 cell"
    dash_duo.start_server(create_app(site_data.settings))
    open_page(dash_duo, "/regulated-industries")
    traces = wait_until(lambda: graph_data(dash_duo, "F8"), 15, "F8")
    (bars,) = [t for t in traces if t["meta"] != "suppressed"]
    values = dict(zip(bars["x"], bars["y"]))
    for industry in hidden:
        assert values.get(industry, "missing") is None, values  # no bar (NaN/null), not a zero bar
    chart = element(dash_duo, dom_id("graph", "F8")).get_attribute("textContent")
    assert "suppressed (< 10 customers)" in chart
    table = element(dash_duo, dom_id("table", "F8")).get_attribute("textContent")
    assert table.count("suppressed (< 10 customers)") >= len(hidden)
