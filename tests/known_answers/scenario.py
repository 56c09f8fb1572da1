"""A hand-made telemetry set whose report answers can be computed by hand.

Ten customers, a few hundred events. Every number the known-answer tests expect is derived in a
comment beside it from the lists below; nothing here is random.

Customers and their industry in the newest accounts snapshot (2024-05-01):

    c01, c02, c10  Financial Services (c10 was Retail in the older 2023-07-01 snapshot)
    c03, c04       Retail & Consumer Goods
    c05, c06       Healthcare & Life Sciences
    c07            Manufacturing & Automotive (was Financial Services in the older snapshot)
    c08            Other: no row in the newest snapshot (Retail in the older one)
    c09            Other: its snapshot industry, Energy & Utilities, is not one of the six

What the set exercises besides the definitions:

* window edges: events whose local time (+09:00 or -05:00 offset) falls in another UTC day,
  month, week or window than their UTC time (marked EDGE below), and events on 2023-01-31, the
  day before the window;
* a duplicate: c01's GPU serving event of 2024-03-20 (10 hours) is written twice in its day's
  file, once more in the next day's file, and again in a file of the second delivery; before its
  first valid line comes a broken copy (same event_id, usage_hours not a number), which is
  quarantined and must not take the event's place;
* a late delivery (second ingest run): new files in the old folders date=2024-01-10 (c06's
  governance action) and date=2024-03-05 (c07's first registered model), plus the re-sent
  duplicate in date=2024-03-21;
* cells under the suppression threshold: the scenario runs with suppression_min_customers = 2.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

from jobs.generate import write_accounts_snapshot, write_event_file

SUPPRESSION_MIN_CUSTOMERS = 2

_NAMESPACE = uuid.UUID("6f1d2c64-8a5e-4d0b-9a51-0b7e3c2f4a10")

FS = "Financial Services"
RETAIL = "Retail & Consumer Goods"
HLS = "Healthcare & Life Sciences"
MFG = "Manufacturing & Automotive"

OLDER_SNAPSHOT = date(2023, 7, 1)
NEWEST_SNAPSHOT = date(2024, 5, 1)

OLDER_ACCOUNTS = {
    "c01": FS, "c02": FS, "c03": RETAIL, "c04": RETAIL, "c05": HLS, "c06": HLS,
    "c07": FS, "c08": RETAIL, "c09": "Energy & Utilities", "c10": RETAIL,
}
NEWEST_ACCOUNTS = {
    "c01": FS, "c02": FS, "c03": RETAIL, "c04": RETAIL, "c05": HLS, "c06": HLS,
    "c07": MFG, "c09": "Energy & Utilities", "c10": FS,
}


def customer_id(customer: str) -> str:
    return f"ka-{customer}"


def utc(day: str, hour: int = 12) -> str:
    """An event time in UTC (`Z`) on `day` at `hour`."""
    return f"{day}T{hour:02d}:00:00Z"


def utc_date(event_ts: str) -> date:
    return datetime.fromisoformat(event_ts.replace("Z", "+00:00")).astimezone(timezone.utc).date()


class Telemetry:
    """Events in the order they are declared, with deterministic event ids."""

    def __init__(self, delivery: str) -> None:
        self.delivery = delivery
        self.events: list[dict] = []

    def _add(self, event_type: str, customer: str, event_ts: str, payload: dict) -> dict:
        event = {
            "event_id": str(uuid.uuid5(_NAMESPACE, f"{self.delivery}-{len(self.events):04d}")),
            "schema_version": 1,
            "event_type": event_type,
            "event_ts": event_ts,
            "customer_id": customer_id(customer),
            "workspace_id": f"ws-{customer}-1",
            "cloud": "aws",
            "payload": payload,
        }
        self.events.append(event)
        return event

    def logged(self, customer: str, ts: str, model_id: str, run: str = "r1") -> dict:
        return self._add("mlflow.model_logged", customer, ts,
                         {"experiment_id": f"exp-{customer}", "run_id": f"{model_id}-{run}", "model_id": model_id})

    def registered(self, customer: str, ts: str, model_name: str, version: int) -> dict:
        return self._add("mlflow.model_registered", customer, ts, {"model_name": model_name, "version": version})

    def notebook(self, customer: str, ts: str, notebook_id: str, *libraries: str) -> list[dict]:
        """One import event per library of the notebook."""
        return [self._add("notebook.library_imported", customer, ts, {"notebook_id": notebook_id, "library": library})
                for library in libraries]

    def library(self, customer: str, ts: str, library: str) -> dict:
        """A single import in a notebook of its own (tool use outside the F3 notebooks)."""
        day = utc_date(ts).isoformat()
        return self.notebook(customer, ts, f"nb-{customer}-{library}-{day}", library)[0]

    def integration(self, customer: str, ts: str, product: str) -> dict:
        return self._add("integration.used", customer, ts, {"product": product})

    def vector_search(self, customer: str, ts: str, requests: int, **embedding) -> dict:
        return self._add("vector_search.request", customer, ts,
                         {"index_id": f"idx-{customer}", "requests": requests, **embedding})

    def fm(self, customer: str, ts: str, model: str, requests: int) -> dict:
        return self._add("fm_api.request", customer, ts, {"model": model, "requests": requests})

    def serving(self, customer: str, ts: str, compute: str, hours: float) -> dict:
        return self._add("serving.usage", customer, ts,
                         {"endpoint_id": f"ep-{customer}-{compute}", "compute": compute, "usage_hours": hours})

    def uc(self, customer: str, ts: str) -> dict:
        return self._add("uc.activity", customer, ts, {"action": "read_table"})

    def serverless(self, customer: str, ts: str, product: str, units: float = 1.0) -> dict:
        return self._add("serverless.usage", customer, ts, {"product": product, "usage_units": units})


# --- F1, F2, K1, K2: MLflow -----------------------------------------------------------------
def _mlflow(t: Telemetry) -> None:
    # 2023-01, outside the window
    t.logged("c01", utc("2023-01-31"), "m-c01-jan")
    t.logged("c03", "2023-02-01T05:00:00+09:00", "m-c03-jan")            # EDGE: 2023-01-31T20:00Z
    # 2023-02: experiment c01 3 + c02 1 + c03 2 + c04 2 = 8; registered 1 + 1 + 2 + 1 = 5
    t.logged("c01", utc("2023-02-06"), "m-c01-feb-1", run="r1")
    t.logged("c01", utc("2023-02-07"), "m-c01-feb-1", run="r2")            # same model, second run
    t.logged("c01", utc("2023-02-08"), "m-c01-feb-2")
    t.logged("c01", utc("2023-02-09"), "m-c01-feb-3")
    t.registered("c01", utc("2023-02-10"), "fraud", 1)
    t.logged("c02", utc("2023-02-13"), "m-c02-feb-1")
    t.registered("c02", utc("2023-02-14"), "risk", 1)
    t.logged("c03", utc("2023-02-15"), "m-c03-feb-1")
    t.logged("c03", utc("2023-02-16"), "m-c03-feb-2")
    t.registered("c03", utc("2023-02-17"), "churn", 1)
    t.registered("c03", "2023-03-01T07:00:00+09:00", "churn", 2)          # EDGE: 2023-02-28T22:00Z
    t.logged("c04", utc("2023-02-20"), "m-c04-feb-1")
    t.logged("c04", utc("2023-02-21"), "m-c04-feb-2")
    t.registered("c04", utc("2023-02-22"), "basket", 1)
    # 2023-03: experiment c01 2 + c03 2 = 4; registered 1 + 1 = 2
    t.logged("c01", utc("2023-03-06"), "m-c01-mar-1")
    t.logged("c01", utc("2023-03-07"), "m-c01-mar-2")
    t.registered("c01", utc("2023-03-08"), "fraud", 2)
    t.logged("c03", utc("2023-03-13"), "m-c03-mar-1")
    t.logged("c03", utc("2023-03-14"), "m-c03-mar-2")
    t.registered("c03", utc("2023-03-15"), "churn", 3)
    # 2023-06: one customer only
    t.logged("c01", utc("2023-06-05"), "m-c01-jun-1")
    t.registered("c01", utc("2023-06-06"), "fraud-shadow", 1)
    # 2024-02: FS c01 2/1 + c02 2/1; Retail c03 1/1 + c04 1/1
    t.logged("c01", utc("2024-02-05"), "m-c01-feb24-1")
    t.logged("c01", utc("2024-02-06"), "m-c01-feb24-2")
    t.registered("c01", utc("2024-02-07"), "fraud", 3)
    t.logged("c02", utc("2024-02-12"), "m-c02-feb24-1")
    t.logged("c02", utc("2024-02-13"), "m-c02-feb24-2")
    t.registered("c02", utc("2024-02-14"), "risk", 2)
    t.logged("c03", utc("2024-02-19"), "m-c03-feb24-1")
    t.registered("c03", utc("2024-02-20"), "churn", 4)
    t.logged("c04", utc("2024-02-21"), "m-c04-feb24-1")
    t.registered("c04", utc("2024-02-22"), "basket", 2)
    # 2024-03 (+ c07's late registration): experiment 2 + 1 + 1 + 1 + 1 + 2 = 8; registered 2 + 2 + 1 + 1 + 1 + 1 = 8
    t.logged("c01", utc("2024-03-04"), "m-c01-mar24-1")
    t.logged("c01", utc("2024-03-05"), "m-c01-mar24-2")
    t.registered("c01", utc("2024-03-06"), "fraud", 4)
    t.registered("c01", utc("2024-03-07"), "fraud", 4)                     # same version registered again
    t.registered("c01", utc("2024-03-08"), "aml", 1)
    t.logged("c02", utc("2024-03-11"), "m-c02-mar24-1")
    t.registered("c02", utc("2024-03-12"), "risk", 3)
    t.registered("c02", utc("2024-03-13"), "risk", 4)
    t.logged("c03", utc("2024-03-14"), "m-c03-mar24-1")
    t.registered("c03", utc("2024-03-15"), "churn", 5)
    t.logged("c04", utc("2024-03-18"), "m-c04-mar24-1")
    t.registered("c04", utc("2024-03-19"), "basket", 3)
    t.logged("c05", utc("2024-03-20"), "m-c05-mar24-1")
    t.registered("c05", "2024-04-01T08:30:00+09:00", "trial", 1)          # EDGE: 2024-03-31T23:30Z
    t.logged("c07", utc("2024-03-21"), "m-c07-mar24-1")
    t.logged("c07", utc("2024-03-22"), "m-c07-mar24-2")


# --- F3, F4, K3: notebooks of application categories ----------------------------------------
def _notebooks(t: Telemetry) -> None:
    t.notebook("c01", utc("2023-01-31"), "nb-fs-0", "spacy")              # the day before the window
    # 2023-03 (F4 base month)
    t.notebook("c01", utc("2023-03-02"), "nb-fs-1", "spacy", "pandas")    # nlp (pandas: generic)
    t.notebook("c02", utc("2023-03-03"), "nb-fs-2", "nltk")               # nlp
    t.notebook("c05", utc("2023-03-06"), "nb-hl-1", "spacy")              # nlp
    t.notebook("c03", utc("2023-03-07"), "nb-rt-1", "nltk")               # nlp
    t.notebook("c05", utc("2023-03-08"), "nb-hl-2", "prophet")            # time_series
    t.notebook("c06", utc("2023-03-09"), "nb-hl-3", "statsmodels")        # time_series
    t.notebook("c03", utc("2023-03-10"), "nb-rt-2", "prophet")            # time_series
    # other months of the window
    t.notebook("c03", utc("2023-05-02"), "nb-rt-7", "geopandas")   # geospatial
    t.notebook("c02", utc("2023-06-01"), "nb-fs-7", "gensim")             # nlp
    t.notebook("c02", utc("2023-08-01"), "nb-fs-6", "shapely", "h3")      # geospatial (one notebook)
    t.notebook("c05", utc("2023-10-02"), "nb-hl-7", "geopandas")          # geospatial
    t.notebook("c06", utc("2023-11-06"), "nb-hl-8", "folium")             # geospatial
    # 2024-03 (F4 current month)
    t.notebook("c02", utc("2024-03-04"), "nb-fs-4", "spacy")              # nlp
    t.notebook("c01", utc("2024-03-05"), "nb-fs-5", "spacy")              # nlp
    t.notebook("c06", utc("2024-03-06"), "nb-hl-4", "spacy", "prophet")   # nlp + time_series
    t.notebook("c05", "2024-04-01T06:00:00+09:00", "nb-hl-5", "nltk")     # nlp; EDGE: 2024-03-31T21:00Z
    t.notebook("c04", utc("2024-03-08"), "nb-rt-3", "nltk")               # nlp
    t.notebook("c03", utc("2024-03-11"), "nb-rt-4", "spacy")              # nlp
    t.notebook("c01", utc("2024-03-12"), "nb-fs-3", "transformers", "geopandas")  # nlp + geospatial
    t.notebook("c05", utc("2024-03-12"), "nb-hl-6", "statsmodels")        # time_series
    t.notebook("c03", utc("2024-03-13"), "nb-rt-5", "prophet")            # time_series
    t.notebook("c04", utc("2024-03-14"), "nb-rt-6", "sktime")             # time_series


# --- F5, F6, K4, K5, K6: tools, LLM libraries, vector search --------------------------------
BASE_WEEK_DAYS = {  # one day in each of the 4 weekly-YoY base weeks (Mondays 2023-03-06 .. 03-27)
    "tue": ["2023-03-07", "2023-03-14", "2023-03-21", "2023-03-28"],
    "wed": ["2023-03-08", "2023-03-15", "2023-03-22", "2023-03-29"],
}
CURRENT_WEEK_DAYS = {  # one day in each of the 4 current weeks (Mondays 2024-03-04 .. 03-25)
    "tue": ["2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26"],
    "wed": ["2024-03-06", "2024-03-13", "2024-03-20", "2024-03-27"],
    "thu": ["2024-03-07", "2024-03-14", "2024-03-21", "2024-03-28"],
}


def _tools(t: Telemetry) -> None:
    # vector_db libraries: c01 pinecone-client (11 days), c03 chromadb (10), c04 pinecone-client (4)
    for day in BASE_WEEK_DAYS["tue"] + ["2023-12-05", "2023-12-19", "2024-01-02"] + CURRENT_WEEK_DAYS["tue"]:
        t.library("c01", utc(day), "pinecone-client")
    for day in BASE_WEEK_DAYS["wed"] + ["2023-12-06", "2024-01-03"] + CURRENT_WEEK_DAYS["wed"]:
        t.library("c03", utc(day), "chromadb")
    for day in CURRENT_WEEK_DAYS["tue"]:
        t.library("c04", utc(day), "pinecone-client")
    # the platform's vector search
    for day in ["2023-12-07", "2023-12-20", "2023-12-27", "2024-01-04"] + CURRENT_WEEK_DAYS["thu"]:
        t.vector_search("c02", utc(day), 10, embedding_model="all-MiniLM-L6-v2", dimension=384, modality="text")
    t.vector_search("c05", utc("2024-03-19"), 5, embedding_model="all-MiniLM-L6-v2")  # no dimension, modality
    t.vector_search("c09", "2024-04-01T07:00:00+09:00", 7,                             # EDGE: 2024-03-31T22:00Z
                    embedding_model="text-embedding-ada-002", dimension=1536, modality="text")
    t.vector_search("c06", "2024-03-31T20:00:00-05:00", 3,                             # EDGE: 2024-04-01T01:00Z
                    embedding_model="acme-embed-v1")                                   # in no catalogue

    # saas_llm: c01 and c05 openai (12 days each), c08 (5), c03 (1)
    holidays_c01 = ["2023-12-19", "2023-12-26", "2024-01-02"]
    holidays_c05 = ["2023-12-20", "2023-12-27", "2024-01-03"]
    for day in BASE_WEEK_DAYS["tue"] + ["2023-12-05"] + holidays_c01 + CURRENT_WEEK_DAYS["tue"]:
        t.library("c01", utc(day), "openai")
    for day in BASE_WEEK_DAYS["wed"] + ["2023-12-06"] + holidays_c05 + CURRENT_WEEK_DAYS["wed"]:
        t.library("c05", utc(day), "openai")
    for day in ["2024-01-04"] + CURRENT_WEEK_DAYS["thu"]:
        t.library("c08", utc(day), "openai")
    t.library("c03", utc("2024-03-19"), "openai")

    # llm_tools (LangChain) and transformer_training (c01's transformers is in nb-fs-3 above)
    t.library("c01", utc("2023-03-10"), "langchain")
    t.library("c06", utc("2023-09-05"), "langchain")
    t.library("c03", utc("2024-03-12"), "langchain")
    t.library("c05", utc("2024-03-14"), "langchain")
    t.library("c02", utc("2024-03-13"), "accelerate")

    # products through libraries
    t.library("c09", "2023-02-01T03:00:00+09:00", "plotly")               # EDGE: 2023-01-31T18:00Z
    t.library("c01", utc("2023-02-15"), "plotly")
    t.library("c03", utc("2023-03-20"), "plotly")
    t.library("c02", utc("2023-06-01"), "dash")
    t.library("c04", utc("2024-01-10"), "plotly")
    t.library("c05", "2024-04-01T08:00:00+09:00", "dash")                 # EDGE: 2024-03-31T23:00Z
    t.library("c04", utc("2023-09-12"), "dbt-core")
    t.library("c02", utc("2023-04-04"), "great-expectations")
    # libraries in no reference list
    t.library("c01", utc("2022-05-05"), "xgboost")
    t.library("c01", utc("2022-05-06"), "xgboost")
    t.library("c02", utc("2022-06-01"), "xgboost")
    t.library("c04", utc("2023-06-06"), "polars")
    t.library("c05", utc("2023-06-07"), "polars")

    # products through partner integrations (looker is in no reference list)
    t.integration("c02", utc("2022-11-15"), "dbt")
    t.integration("c02", utc("2023-05-10"), "dbt")
    t.integration("c06", utc("2024-02-20"), "dbt")
    t.integration("c05", utc("2022-10-03"), "fivetran")
    t.integration("c08", utc("2023-01-31", 10), "fivetran")               # the day before the window
    t.integration("c05", utc("2023-07-07"), "fivetran")
    t.integration("c07", utc("2024-03-11"), "fivetran")
    t.integration("c03", utc("2023-10-10"), "looker")


# --- F7, F8, K7, K8, K9: the foundation-model API -------------------------------------------
def _foundation_models(t: Telemetry) -> None:
    t.fm("c01", utc("2023-11-30"), "gpt-4", 60)                           # in the window, before the fm period
    t.fm("c04", "2023-12-01T08:00:00+09:00", "llama-2-7b", 30)            # EDGE: 2023-11-30T23:00Z
    t.fm("c06", utc("2023-12-01", 10), "mixtral-8x7b", 50)                # first (partial) week of the period
    # 2024-01-01 .. 03-31 (F8 quarter)
    t.fm("c03", utc("2024-01-08"), "gpt-3.5-turbo", 20)
    t.fm("c01", utc("2024-01-15"), "gpt-4", 100)
    t.fm("c05", utc("2024-01-22"), "llama-2-13b", 200)
    t.fm("c05", utc("2024-01-22"), "gpt-4", 300)
    t.fm("c03", utc("2024-02-01"), "gemini-pro", 10)                      # in no reference list
    t.fm("c06", utc("2024-02-05"), "llama-2-70b", 400)
    t.fm("c02", utc("2024-02-12"), "llama-2-7b", 300)
    t.fm("c04", utc("2024-02-19"), "gpt-3.5-turbo", 40)
    t.fm("c06", utc("2024-03-04"), "mixtral-8x7b", 300)
    t.fm("c08", utc("2024-03-18"), "llama-2-70b", 100)
    t.fm("c09", utc("2024-03-25"), "llama-2-7b", 100)
    t.fm("c07", utc("2024-03-28"), "dbrx", 900)
    t.fm("c09", "2024-04-01T08:00:00+09:00", "llama-2-7b", 50)            # EDGE: 2024-03-31T23:00Z
    # week of 2024-04-22
    t.fm("c02", utc("2024-04-23"), "llama-3-8b", 150)
    t.fm("c02", utc("2024-04-23"), "llama-2-7b", 100)
    t.fm("c05", utc("2024-04-24"), "llama-3-8b", 150)
    t.fm("c06", utc("2024-04-25"), "mixtral-8x7b", 100)
    t.fm("c09", utc("2024-04-26"), "llama-2-7b", 140)
    # around the K9 week 2024-05-09 .. 05-15
    t.fm("c05", utc("2024-05-08"), "llama-3-70b", 500)                    # the day before the K9 week
    t.fm("c02", utc("2024-05-10"), "llama-3-8b", 200)
    t.fm("c05", utc("2024-05-10"), "llama-3-70b", 190)
    t.fm("c02", utc("2024-05-10"), "llama-2-7b", 110)
    t.fm("c01", utc("2024-05-12"), "gpt-4", 500)                          # proprietary
    t.fm("c09", utc("2024-05-14"), "llama-2-7b", 200)
    t.fm("c06", "2024-05-16T06:00:00+09:00", "mixtral-8x7b", 300)         # EDGE: 2024-05-15T21:00Z


# --- F9, K10: model serving ------------------------------------------------------------------
DUPLICATED_GPU_EVENT_DAY = date(2024, 3, 20)


def _serving(t: Telemetry) -> dict:
    """Returns c01's GPU event of 2024-03-20, the one delivered several times."""
    # GPU, 2023-09 (6-month base)
    t.serving("c01", utc("2023-09-12"), "gpu", 10.0)
    t.serving("c02", utc("2023-09-13"), "gpu", 15.0)
    t.serving("c05", utc("2023-09-14"), "gpu", 20.0)
    t.serving("c06", utc("2023-09-15"), "gpu", 20.0)
    t.serving("c03", utc("2023-09-18"), "gpu", 10.0)
    t.serving("c04", utc("2023-09-19"), "gpu", 10.0)
    # GPU, 2024-01 .. 02
    t.serving("c01", utc("2024-01-16"), "gpu", 8.0)
    t.serving("c03", utc("2024-01-22"), "gpu", 5.0)
    t.serving("c02", utc("2024-02-14"), "gpu", 6.0)
    t.serving("c06", utc("2024-02-20"), "gpu", 10.0)
    # GPU, 2024-03
    duplicated = t.serving("c01", utc("2024-03-20"), "gpu", 10.0)
    t.serving("c01", utc("2024-03-22"), "gpu", 12.0)
    t.serving("c02", utc("2024-03-25"), "gpu", 25.0)
    t.serving("c05", utc("2024-03-12"), "gpu", 30.0)
    t.serving("c06", utc("2024-03-13"), "gpu", 20.0)
    t.serving("c03", utc("2024-03-14"), "gpu", 5.0)
    t.serving("c04", utc("2024-03-15"), "gpu", 10.0)
    # CPU
    t.serving("c01", utc("2023-09-12"), "cpu", 2.0)
    t.serving("c02", utc("2023-09-13"), "cpu", 2.0)
    t.serving("c05", utc("2023-09-14"), "cpu", 4.0)
    t.serving("c06", utc("2023-09-15"), "cpu", 6.0)
    t.serving("c09", utc("2023-09-20"), "cpu", 1.0)
    t.serving("c05", utc("2024-02-15"), "cpu", 5.0)
    t.serving("c01", utc("2024-03-20"), "cpu", 3.0)
    t.serving("c02", utc("2024-03-25"), "cpu", 3.0)
    t.serving("c05", utc("2024-03-12"), "cpu", 6.0)
    t.serving("c06", utc("2024-03-13"), "cpu", 9.0)
    t.serving("c09", utc("2024-03-18"), "cpu", 1.0)
    return duplicated


# --- F10: unified governance -----------------------------------------------------------------
def _governance(t: Telemetry) -> None:
    t.uc("c10", "2023-02-01T02:00:00+09:00")                              # EDGE: 2023-01-31T17:00Z
    t.uc("c01", utc("2023-02-03"))
    t.uc("c02", utc("2023-02-06"))
    t.uc("c01", utc("2023-06-05"))
    t.uc("c02", utc("2023-06-06"))
    t.uc("c10", utc("2023-06-07"))
    t.uc("c05", utc("2023-06-08"))
    t.uc("c06", utc("2023-06-09"))
    t.uc("c03", utc("2023-06-12"))
    t.uc("c01", utc("2024-01-08"))
    t.uc("c02", utc("2024-01-10"))
    t.uc("c05", "2024-02-01T06:00:00+09:00")                              # EDGE: 2024-01-31T21:00Z
    t.uc("c01", utc("2024-02-05"))                                        # after the F10 months


# --- F11: serverless -------------------------------------------------------------------------
def _serverless(t: Telemetry) -> None:
    for customer, day in [("c01", "2023-03-02"), ("c02", "2023-03-03"), ("c10", "2023-03-06"),
                          ("c05", "2023-03-07"), ("c06", "2023-03-08")]:
        t.serverless(customer, utc(day), "sql_warehouse")
    for customer, day in [("c01", "2023-09-04"), ("c02", "2023-09-05"), ("c05", "2023-09-06"), ("c06", "2023-09-07")]:
        t.serverless(customer, utc(day), "sql_warehouse")
    t.serverless("c04", "2024-03-01T07:00:00+09:00", "sql_warehouse")    # EDGE: 2024-02-29T22:00Z
    for customer, day in [("c01", "2024-03-04"), ("c02", "2024-03-05"), ("c10", "2024-03-07"),
                          ("c05", "2024-03-08"), ("c06", "2024-03-11"), ("c03", "2024-03-12")]:
        t.serverless(customer, utc(day), "sql_warehouse")
    t.serverless("c01", utc("2024-03-05"), "model_serving")
    t.serverless("c02", utc("2024-03-06"), "model_serving")
    t.serverless("c05", utc("2024-03-08"), "jobs")


def _accounts(snapshot: dict[str, str]) -> list[dict]:
    return [{"customer_id": customer_id(c), "industry": industry, "country": "DE", "segment": "enterprise"}
            for c, industry in sorted(snapshot.items())]


def first_delivery() -> tuple[Telemetry, dict]:
    """Every event of the first ingest run, and the GPU event that is delivered several times."""
    t = Telemetry("first")
    _mlflow(t)
    _notebooks(t)
    _tools(t)
    _foundation_models(t)
    duplicated = _serving(t)
    _governance(t)
    _serverless(t)
    return t, duplicated


def _with_payload(event: dict, **fields) -> dict:
    """A copy of `event` with these payload fields replaced (same event_id)."""
    return {**event, "payload": {**event["payload"], **fields}}


def write_first_delivery(landing: Path) -> None:
    """Both accounts snapshots and the first run's events, one `part-0000.json` per UTC day."""
    t, duplicated = first_delivery()
    by_day: dict[date, list[dict]] = defaultdict(list)
    for event in t.events:
        by_day[utc_date(event["event_ts"])].append(event)
    # the duplicate: a second time in its own day's file, a third time in the next day's file
    by_day[DUPLICATED_GPU_EVENT_DAY].append(duplicated)
    by_day[date(2024, 3, 21)].append(duplicated)
    # a broken copy before its first valid line (a rejected line is not the event's first copy)
    day = by_day[DUPLICATED_GPU_EVENT_DAY]
    day.insert(day.index(duplicated), _with_payload(duplicated, usage_hours="n/a"))

    write_accounts_snapshot(landing, OLDER_SNAPSHOT, _accounts(OLDER_ACCOUNTS))
    write_accounts_snapshot(landing, NEWEST_SNAPSHOT, _accounts(NEWEST_ACCOUNTS))
    for day, events in sorted(by_day.items()):
        write_event_file(landing, day, events, "part-0000.json")


def write_late_delivery(landing: Path) -> None:
    """The second ingest run: new files in the old folders date=2024-01-10, 2024-03-05, 2024-03-21."""
    t = Telemetry("late")
    write_event_file(landing, date(2024, 1, 10), [t.uc("c06", utc("2024-01-10", 15))], "late-0000.json")
    write_event_file(landing, date(2024, 3, 5), [t.registered("c07", utc("2024-03-05", 16), "plant", 1)],
                     "late-0000.json")
    _, duplicated = first_delivery()
    write_event_file(landing, date(2024, 3, 21), [duplicated], "late-0000.json")
