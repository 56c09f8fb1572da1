"""Known answers: the marts beyond the report (vector search products and embeddings, unclassified items)."""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, one, rows

pytestmark = pytest.mark.integration


def test_vector_search_products_weekly_counts_each_product_apart(marts):
    weekly = marts["vector_search_products_weekly"]
    assert set(weekly["product"]) == {"Pinecone", "Chroma", "Platform vector search"}
    for week in ("2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"):
        pinecone = one(weekly, product="Pinecone", activity_week=week)
        assert pinecone.customers == 2                 # c01, c04 (pinecone-client)
        assert pinecone.product_kind == "client_library"
    assert rows(weekly, product="Chroma").is_suppressed.all()  # c03 alone, every week


def test_vector_search_products_weekly_platform_search_by_utc_week(marts):
    platform = rows(marts["vector_search_products_weekly"], product="Platform vector search")
    assert set(platform.product_kind) == {"platform"}
    assert one(platform, activity_week="2024-03-18").customers == 2  # c02, c05
    assert one(platform, activity_week="2024-03-25").customers == 2  # c02, c09 (2024-04-01T07:00+09:00 = 03-31 UTC)
    assert_suppressed(one(platform, activity_week="2024-03-04"), "customers")  # c02 alone
    assert_suppressed(one(platform, activity_week="2024-04-01"), "customers")  # c06 (2024-03-31T20:00-05:00) alone


def test_vector_search_embeddings_resolves_dimension_and_modality_from_the_model(marts):
    embeddings = marts["vector_search_embeddings"]
    cells = {(r.embedding_dimension, r.embedding_modality) for r in embeddings.itertuples()}
    assert cells == {(384, "text"), (1536, "text"), (0, "unknown")}
    minilm = one(embeddings, embedding_dimension=384, embedding_modality="text")
    assert_published(minilm)
    assert minilm.customers == 2                       # c02 (reported), c05 (all-MiniLM-L6-v2: 384, text by the seed)
    assert minilm.request_count == 85                  # c02 8 x 10 + c05 5
    assert_suppressed(one(embeddings, embedding_dimension=1536, embedding_modality="text"),
                      "customers", "request_count")    # c09 alone
    assert_suppressed(one(embeddings, embedding_dimension=0, embedding_modality="unknown"),
                      "customers", "request_count")    # c06's acme-embed-v1, in no catalogue


# Totals over the whole telemetry: 100 notebook imports (27 in the category notebooks + 73 single
# imports of scenario._tools); 8 integration uses; 5,600 fm requests (c01 660, c02 860, c03 30, c04 70,
# c05 1340, c06 1150, c07 900, c08 100, c09 490); 95 vector search requests (c02 80, c05 5, c09 7, c06 3).
@pytest.mark.parametrize(("source_type", "source_key", "events", "customers", "share", "first_seen", "last_seen"), [
    ("library", "xgboost", 3, 2, 3 / 100, "2022-05-05", "2022-06-01"),
    ("library", "polars", 2, 2, 2 / 100, "2023-06-06", "2023-06-07"),
    ("integration", "looker", 1, 1, 1 / 8, "2023-10-10", "2023-10-10"),
    ("foundation_model", "gemini-pro", 10, 1, 10 / 5600, "2024-02-01", "2024-02-01"),
    ("embedding_model", "acme-embed-v1", 3, 1, 3 / 95, "2024-04-01", "2024-04-01"),  # 2024-03-31T20:00-05:00
])
def test_unclassified_items(marts, source_type, source_key, events, customers, share, first_seen, last_seen):
    row = one(marts["unclassified_libraries"], source_type=source_type, source_key=source_key)
    assert (row.events, row.customers) == (events, customers)
    assert row.share_of_source_events == pytest.approx(share)
    assert (row.first_seen, row.last_seen) == (first_seen, last_seen)


def test_unclassified_lists_nothing_the_reference_data_knows(marts):
    # pandas (generic), plotly, openai, chromadb, dbt, fivetran, dbrx, all-MiniLM-L6-v2, ... are all classified
    assert len(marts["unclassified_libraries"]) == 5
