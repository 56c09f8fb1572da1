"""The report site in a real browser (dash_duo: Chromium + ChromeDriver), on a report the real
pipeline builds once per session on Sail from a small generated landing.

The landing is the integration tests' small period (eleven weeks to 2024-05-05) with 200
customers: enough that some cells pass the k=10 suppression rule (the filter test needs a figure
with values) and many do not (the suppression test needs suppressed cells).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from sodai.config import Settings
from tests.conftest import settings_for
from tests.integration.conftest import SEED, SMALL_PERIOD

SITE_CUSTOMERS = 200
CHROMIUM = os.environ.get("SODAI_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_setup_options():
    """Chromium options for dash_duo (headless comes from --headless in the pytest options)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if Path(CHROMIUM).exists():
        options.binary_location = CHROMIUM
    for argument in ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--lang=en-US"):
        options.add_argument(argument)
    return options


@dataclass
class SiteData:
    settings: Settings
    report: dict


@pytest.fixture(scope="session")
def site_data(tmp_path_factory, engines) -> SiteData:
    """Generate, ingest, refine, transform and publish once, on Sail."""
    import json

    from jobs.generate import generate_telemetry, load_generator_params
    from jobs.generate.params import PeriodParams
    from sodai import pipeline
    from sodai.config import load_settings

    root = tmp_path_factory.mktemp("site")
    settings = settings_for(root, "sail")
    base = load_settings(environ={})
    params = load_generator_params(base.resolve(base.generator.params))
    params = params.model_copy(update={"period": PeriodParams(start=SMALL_PERIOD[0], end=SMALL_PERIOD[1])})
    generate_telemetry(params, landing=settings.landing, customers=SITE_CUSTOMERS, seed=SEED, until=None, dirty_rate=0.0)
    handle = engines.handle("sail")
    spark = handle.session()
    pipeline.ingest(settings, spark)
    pipeline.refine(settings, spark)
    pipeline.transform(settings, spark, handle.url)
    path = pipeline.publish(settings, "site-test-run")
    return SiteData(settings, json.loads(Path(path).read_text()))


@pytest.fixture
def browser_available() -> None:
    if not shutil.which("chromedriver"):
        pytest.skip("chromedriver is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
