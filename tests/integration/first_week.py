"""A landing as a team brings it on its first day, not as the generator writes it.

Six days of daily event files (2024-03-04 to 2024-03-09) from twelve customers, and one accounts
snapshot, dated the day it was exported (2024-03-20), after every event day. Products that
launch mid-history, and a quiet stretch longer than the freshness lag (runs over this landing
use FRESHNESS_MAX_LAG_DAYS: two days stand for the default week, so that six days show it all):

* foundation-model API calls start on 2024-03-06 (no fm_api_request before that day);
* model serving has events on 2024-03-04, none for the following four days, and again on
  2024-03-09: on 2024-03-07 and 2024-03-08 its last event is more than two days old;
* vector search starts on the last day, 2024-03-09;
* every other event type has events on every day.

Cells need at least SUPPRESSION_MIN_CUSTOMERS customers to be published.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from jobs.generate import write_accounts_snapshot, write_event_file
from tests.known_answers.scenario import Telemetry, utc

FIRST_DAY, LAST_DAY = date(2024, 3, 4), date(2024, 3, 9)
SNAPSHOT_DATE = date(2024, 3, 20)
FM_API_START = date(2024, 3, 6)
SERVING_DAYS = (date(2024, 3, 4), date(2024, 3, 9))
SERVING_QUIET_DAYS = (date(2024, 3, 7), date(2024, 3, 8))  # last serving event more than the lag ago
VECTOR_SEARCH_START = LAST_DAY
FRESHNESS_MAX_LAG_DAYS = 2
SUPPRESSION_MIN_CUSTOMERS = 2
# what a run over this landing needs besides its paths
SETTINGS = {"SODAI__QUALITY__FRESHNESS_MAX_LAG_DAYS": str(FRESHNESS_MAX_LAG_DAYS),
            "SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": str(SUPPRESSION_MIN_CUSTOMERS)}

CUSTOMERS = 2

CUSTOMERS = [f"c{n:02d}" for n in range(1, 13)]
INDUSTRIES = {
    "c01": "Financial Services", "c02": "Financial Services", "c03": "Financial Services",
    "c04": "Healthcare & Life Sciences", "c05": "Healthcare & Life Sciences",
    "c06": "Retail & Consumer Goods", "c07": "Retail & Consumer Goods",
    "c08": "Manufacturing & Automotive", "c09": "Manufacturing & Automotive",
    "c10": "Communication, Media & Entertainment", "c11": "Public Sector & Education",
    # c12 is not in the snapshot: Other
}
LIBRARIES = ("langchain", "transformers", "openai", "spacy", "pandas", "chromadb")
PRODUCTS = ("LangChain", "Hugging Face Transformers", "Plotly Dash")


def days() -> list[date]:
    return [FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]


def _day_events(t: Telemetry, day: date, index: int) -> None:
    iso = day.isoformat()
    for n, customer in enumerate(CUSTOMERS):
        if (n + index) % 3 == 0:
            continue  # each customer is active two days in three
        hour = 8 + n % 10
        t.logged(customer, utc(iso, hour), f"m-{customer}-{iso}")
        if (n + index) % 2 == 0:
            t.registered(customer, utc(iso, hour), f"model-{customer}", index + 1)
        t.notebook(customer, utc(iso, hour), f"nb-{customer}-{iso}", LIBRARIES[n % len(LIBRARIES)],
                   LIBRARIES[(n + index) % len(LIBRARIES)])
        t.integration(customer, utc(iso, hour), PRODUCTS[(n + index) % len(PRODUCTS)])
        t.uc(customer, utc(iso, hour))
        t.serverless(customer, utc(iso, hour), "sql_warehouse", 2.5)
        if day >= FM_API_START:
            t.fm(customer, utc(iso, hour), "llama-3-8b" if n % 2 else "gpt-4", 10 + n)
        if day in SERVING_DAYS:
            t.serving(customer, utc(iso, hour), "gpu" if n % 2 else "cpu", 1.5)
        if day >= VECTOR_SEARCH_START:
            t.vector_search(customer, utc(iso, hour), 3, dimension=768, modality="text")


def write_landing(landing: Path) -> None:
    """Every event file, then the one accounts snapshot."""
    for index, day in enumerate(days()):
        t = Telemetry(f"first-week-{day.isoformat()}")
        _day_events(t, day, index)
        write_event_file(landing, day, t.events, "part-0000.json")
    rows = [{"customer_id": f"ka-{c}", "industry": industry, "country": "US", "segment": "enterprise"}
            for c, industry in INDUSTRIES.items()]
    write_accounts_snapshot(landing, SNAPSHOT_DATE, rows)
