"""Pure transforms of ingest and refine on inline DataFrames."""

from datetime import date, datetime

from jobs.contract import EVENT_TYPES_BY_NAME
from jobs.ingest.job import mark_duplicates
from jobs.refine.transforms import canonical_industry, flatten_event_type, newest_accounts, pseudonymize_events

BATCH = "event_id string, landing_date date, file_path string, line_number bigint, reject_rule string"


def test_first_occurrence_wins_and_seen_ids_are_duplicates(spark):
    batch = spark.createDataFrame(
        [
            ("a", date(2024, 3, 2), "events/date=2024-03-02/p.json", 5, None),
            ("a", date(2024, 3, 1), "events/date=2024-03-01/p.json", 9, None),  # earlier landing date: first
            ("b", date(2024, 3, 1), "events/date=2024-03-01/p.json", 1, None),  # already in bronze
            ("c", date(2024, 3, 1), "events/date=2024-03-01/p.json", 2, "invalid_json"),
            ("d", date(2024, 3, 1), "events/date=2024-03-01/p.json", 3, None),
            # A broken line does not take the event's place: the valid copy after it is the first.
            ("e", date(2024, 3, 1), "events/date=2024-03-01/p.json", 4, "wrong_type"),
            ("e", date(2024, 3, 1), "events/date=2024-03-01/p.json", 6, None),
            ("e", date(2024, 3, 1), "events/date=2024-03-01/p.json", 7, None),
        ],
        BATCH,
    )
    seen = spark.createDataFrame([("b",), ("z",)], "event_id string")  # accepted before, each once
    rows = mark_duplicates(batch, seen).collect()
    assert len(rows) == batch.count()
    status = {(r.file_path[12:22], r.line_number): r.status for r in rows}
    assert status == {
        ("2024-03-02", 5): "duplicate",
        ("2024-03-01", 9): "accepted",
        ("2024-03-01", 1): "duplicate",
        ("2024-03-01", 2): "quarantined",
        ("2024-03-01", 3): "accepted",
        ("2024-03-01", 4): "quarantined",
        ("2024-03-01", 6): "accepted",
        ("2024-03-01", 7): "duplicate",
    }


def test_flatten_types_payload_and_drops_pii(spark):
    bronze = spark.createDataFrame(
        [
            ("e1", datetime(2024, 3, 31, 23, 30), "cust-1", "ws-1", "x@y.z", "10.0.0.1", "aws", "serving.usage",
             '{"endpoint_id":"ep","compute":"gpu","usage_hours":2.5,"zone":"eu"}', "r1", "f", 1),
            ("e2", datetime(2024, 3, 31, 23, 30), "cust-1", "ws-1", None, None, None, "uc.activity",
             '{"action":"grant"}', "r1", "f", 2),
        ],
        "event_id string, event_ts timestamp, customer_id string, workspace_id string, user_email string, "
        "client_ip string, cloud string, event_type string, payload_json string, ingest_run_id string, "
        "file_path string, line_number bigint",
    )
    silver = flatten_event_type(pseudonymize_events(bronze, b"key"), EVENT_TYPES_BY_NAME["serving.usage"])
    rows = silver.collect()
    assert len(rows) == 1
    row = rows[0].asDict()
    assert (row["endpoint_id"], row["compute"], row["usage_hours"]) == ("ep", "gpu", 2.5)
    assert row["event_date"] == date(2024, 3, 31)
    assert len(row["customer_key"]) == 64 and row["customer_key"] != "cust-1"
    assert not {"customer_id", "workspace_id", "user_email", "client_ip"} & set(row)
    assert '"zone":"eu"' in row["payload_json"]


def test_newest_snapshot_wins_and_unknown_industry_is_other(spark):
    accounts = spark.createDataFrame(
        [
            ("c1", date(2024, 1, 1), "Financial Services", "us", "SMB"),
            ("c1", date(2024, 5, 1), " retail & consumer goods ", "us", "smb"),
            ("c2", date(2024, 5, 1), "Energy & Utilities", None, None),
        ],
        "customer_id string, snapshot_date date, industry string, country string, segment string",
    )
    rows = sorted(newest_accounts(accounts, b"k").collect(), key=lambda r: r.industry)
    assert [(r.industry, r.snapshot_date) for r in rows] == [
        ("Other", date(2024, 5, 1)),
        ("Retail & Consumer Goods", date(2024, 5, 1)),
    ]
    assert rows[1].country == "US" and rows[0].industry_reported == "Energy & Utilities"


def test_canonical_industry_matches_the_six_only(spark):
    frame = spark.createDataFrame([("Healthcare & Life Sciences",), ("healthcare",), (None,)], "i string")
    assert [r.c for r in frame.select(canonical_industry("i").alias("c")).collect()] == [
        "Healthcare & Life Sciences", "Other", "Other",
    ]
