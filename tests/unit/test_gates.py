"""Quality gates without an engine: the suites built from the contract, seeds and marts' yml,
and the gates' state (latest.json: merge per layer, blocking, publish refused)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import yaml
from typer.testing import CliRunner

from expectations import LAYERS, GateParams, suites_for
from expectations.common import contract_check, contract_set
from expectations.gold import SHARE_GROUPS, column_range, suppression_invariant
from jobs.contract import EVENT_TYPES, EVENT_TYPES_BY_NAME, INDUSTRIES, OTHER_INDUSTRY
from jobs.refine.tables import EVENT_TABLES
from sodai import pipeline
from sodai.config import PROJECT_ROOT, load_settings
from sodai.gate_state import Finding, SuiteResult, failed_suites, merge, read_latest, write_latest
from sodai.gates import gate_params, suite_result
from sodai.publish import PublishError

MARTS = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/marts/_marts__models.yml").read_text())["models"]


@pytest.fixture
def params(tmp_path) -> GateParams:
    return GateParams(lakehouse=tmp_path / "lakehouse", dbt_project=PROJECT_ROOT / "dbt_project",
                      suppression_min_customers=7, share_tolerance=1e-6, freshness_max_lag_days=3,
                      unclassified_library_share_warn=0.02, newest_landing_date=date(2024, 5, 19))


def _by_name(layer, params):
    return {t.name: t for t in suites_for(layer, params)}


def _where(expectation) -> str | None:
    condition = getattr(expectation, "row_condition", None)
    return getattr(condition, "pass_through_filter", condition)


def _find(suite, kind, column=None, where=None):
    return [e for e in suite.expectations if e.expectation_type == kind
            and (column is None or getattr(e, "column", None) == column)
            and (where is None or _where(e) == where)]


def test_one_suite_per_table_and_layer(params):
    assert set(_by_name("bronze", params)) == {"bronze.events", "bronze.accounts"}
    assert set(_by_name("silver", params)) == {s.qualified for s in EVENT_TABLES.values()} | {"silver.accounts"}
    assert set(_by_name("gold", params)) == {f"gold.{m['name']}" for m in MARTS}
    for layer in LAYERS:
        for table in suites_for(layer, params):
            assert table.layer == layer and len(table.suite.expectations) >= 5, table.name
            assert table.path.is_relative_to(params.lakehouse / layer), table.path
    with pytest.raises(ValueError):
        suites_for("platinum", params)


def test_accepted_sets_come_from_the_contract_and_seeds(params):
    bronze = _by_name("bronze", params)["bronze.events"].suite
    event_types = _find(bronze, "expect_column_values_to_be_in_set", "event_type")
    assert event_types[0].value_set == [e.name for e in EVENT_TYPES]
    assert _where(event_types[0]) == "status = 'accepted'"

    silver = _by_name("silver", params)
    compute = contract_set({f.name: f for f in EVENT_TYPES_BY_NAME["serving.usage"].fields}["compute"].check)
    assert _find(silver["silver.serving_usage"].suite, "expect_column_values_to_be_in_set", "compute")[0].value_set == compute
    usage = _find(silver["silver.serving_usage"].suite, "expect_column_values_to_be_between", "usage_hours")[0]
    assert usage.min_value == 0 and not usage.strict_min
    industries = _find(silver["silver.accounts"].suite, "expect_column_values_to_be_in_set", "industry")[0]
    assert industries.value_set == [*INDUSTRIES, OTHER_INDUSTRY]

    gold = _by_name("gold", params)
    seeds = [r["industry_key"] for r in params.seed("industries")]
    fig09 = gold["gold.fig09_serving_by_industry"].suite
    assert _find(fig09, "expect_column_values_to_be_in_set", "compute_type")[0].value_set == compute
    assert _find(fig09, "expect_column_values_to_be_in_set", "industry_key")[0].value_set == seeds
    fig03 = gold["gold.fig03_application_share_by_industry"].suite
    assert _find(fig03, "expect_column_values_to_be_in_set", "industry_key")[0].value_set == [*seeds, "all"]


def test_every_contract_check_is_an_expectation():
    for event_type in EVENT_TYPES:
        for field in event_type.fields:
            if field.check:
                contract_check(field.name, field.check)  # no form left untranslated
    assert contract_check("x", "v > 0").strict_min is True
    with pytest.raises(ValueError):
        contract_check("x", "length(v) < 3")


def test_schema_types_and_keys(params):
    silver = _by_name("silver", params)["silver.fm_api_request"].suite
    ordered = _find(silver, "expect_table_columns_to_match_ordered_list")[0].column_list
    assert ordered[:2] == ["event_id", "event_ts"] and "tokens_in" in ordered
    assert _find(silver, "expect_column_values_to_be_of_type", "tokens_in")[0].type_ == "LongType"
    assert _find(silver, "expect_column_values_to_be_unique", "event_id")
    assert {e.column for e in _find(silver, "expect_column_values_to_not_be_null")} >= {"model", "requests", "customer_key"}
    assert not _find(silver, "expect_column_values_to_not_be_null", "tokens_in")  # optional in the contract


def _check(suite, name):
    """The expectation of `suite` with this name (meta.check)."""
    found = [e for e in suite.expectations if (e.meta or {}).get("check") == name]
    assert len(found) == 1, (suite.name, name, len(found))
    return found[0]


def _severity(expectation) -> str:
    return getattr(expectation.severity, "value", expectation.severity)


def test_freshness_fails_on_the_landing_once_and_warns_per_event_type(params):
    """The landing's freshness (the newest landed events lag the run date) is one critical check
    on bronze.events; an event type with no events yet, or none lately, is a silver warning."""
    bronze = _by_name("bronze", params)["bronze.events"].suite
    landing = _check(bronze, "landing_freshness")
    assert _severity(landing) == "critical"
    assert "from {batch}" in landing.unexpected_rows_query
    assert "max(landing_date) is null or max(landing_date) < date'2024-05-16'" in landing.unexpected_rows_query
    silver = _by_name("silver", params)
    for event_type in EVENT_TYPES:
        suite = silver[EVENT_TABLES[event_type.name].qualified].suite
        quiet = _check(suite, "event_type_quiet")
        assert _severity(quiet) == "warning"
        assert "max(event_date) is null or max(event_date) < date'2024-05-16'" in quiet.unexpected_rows_query
        assert not _find(suite, "expect_column_max_to_be_between")
    for table in (*_by_name("bronze", params).values(), *silver.values()):
        freshness = [e for e in table.suite.expectations if "max(" in getattr(e, "unexpected_rows_query", "") and
                     "having max(" in e.unexpected_rows_query]
        critical = [e for e in freshness if _severity(e) != "warning"]
        assert len(critical) == (1 if table.name == "bronze.events" else 0), table.name


def test_a_dated_run_judges_freshness_against_its_day(params):
    from dataclasses import replace

    dated = replace(params, newest_landing_date=date(2024, 3, 1), run_date=date(2024, 3, 10))
    assert dated.freshness_date == date(2024, 3, 10)
    landing = _check(_by_name("bronze", dated)["bronze.events"].suite, "landing_freshness")
    assert "< date'2024-03-07'" in landing.unexpected_rows_query  # the run date less 3 days


def test_no_accounts_snapshot_is_a_warning_not_a_failure(params):
    accounts = _by_name("silver", params)["silver.accounts"].suite
    snapshots = _find(accounts, "expect_column_unique_value_count_to_be_between", "snapshot_date")[0]
    assert (snapshots.min_value, snapshots.max_value) == (0, 1)  # at most one snapshot at a time
    missing = _check(accounts, "accounts_snapshot_missing")
    assert _severity(missing) == "warning" and missing.min_value == 1


def test_scoped_suites_check_their_batches_against_the_rest_of_the_table(params):
    """A scheduled run's gate validates new batches (sodai/gate_scope.py): reconciliation over those
    batches, and the whole-table checks (uniqueness across batches, freshness) as queries on the
    whole table, since the validated frame holds the new batches only."""
    from dataclasses import replace

    scoped = replace(params, scopes={"bronze.events": ("ingest-2",), "silver.uc_activity": ("ingest-2",)})
    bronze = _by_name("bronze", scoped)
    assert bronze["bronze.events"].batched and not bronze["bronze.accounts"].batched
    queries = [e.unexpected_rows_query for e in _find(bronze["bronze.events"].suite, "unexpected_rows_expectation")]
    assert all("ingest_run_id in ('ingest-2')" in q for q in queries if "reconciliation" in q or "quarantine" in q)
    across = [q for q in queries if "not in ('ingest-2')" in q]
    assert len(across) == 2 and any("t.event_id = b.event_id" in q for q in across)
    assert any("max(landing_date) < date'2024-05-16'" in q and "from delta.`" in q for q in queries)

    silver = _by_name("silver", scoped)
    uc = [e.unexpected_rows_query for e in _find(silver["silver.uc_activity"].suite, "unexpected_rows_expectation")]
    assert any("ingest_run_id in ('ingest-2')" in q and "count(distinct event_id)" in q for q in uc)
    assert any("t.event_id = b.event_id" in q and "not in ('ingest-2')" in q for q in uc)
    assert any("max(event_date) < date'2024-05-16'" in q and "from delta.`" in q for q in uc)
    # a suite without a scope is the whole-table suite, unchanged
    assert silver["silver.serving_usage"].suite.expectations == _by_name("silver", params)["silver.serving_usage"].suite.expectations


def test_no_freshness_without_landing(params):
    from dataclasses import replace

    nothing_landed = replace(params, newest_landing_date=None)
    for table in (*suites_for("bronze", nothing_landed), *suites_for("silver", nothing_landed)):
        checks = {(e.meta or {}).get("check") for e in table.suite.expectations}
        assert not checks & {"landing_freshness", "event_type_quiet"}, table.name


def test_mart_suites_carry_the_yml_invariants(params):
    gold = _by_name("gold", params)
    for model in MARTS:
        suite = gold[f"gold.{model['name']}"].suite
        columns = [c["name"] for c in model["columns"]]
        assert _find(suite, "expect_table_columns_to_match_set")[0].column_set == columns
        if "is_suppressed" in columns:
            hidden = _find(suite, "expect_column_values_to_be_null")
            assert hidden and all(_where(e).endswith("= true") for e in hidden), model["name"]
            counted = [e for e in _find(suite, "expect_column_values_to_be_between") if e.min_value == 7]
            assert counted, model["name"]  # k from the settings, not a constant
    fig01 = gold["gold.fig01_models_over_time"].suite
    ratio = _find(fig01, "expect_column_values_to_be_between", "experiment_to_registered_ratio")[0]
    assert ratio.min_value == 0 and ratio.strict_min
    for mart, (share, _) in SHARE_GROUPS.items():
        queries = [e.unexpected_rows_query for e in _find(gold[f"gold.{mart}"].suite, "unexpected_rows_expectation")]
        assert any(share in q and "1e-06" in q for q in queries), mart
    key_findings = gold["gold.key_findings"].suite
    shares = _find(key_findings, "expect_column_values_to_be_between", "value", where="unit = 'share'")
    assert shares[0].max_value == 1


def test_unclassified_libraries_is_a_warning(params):
    suite = _by_name("gold", params)["gold.unclassified_libraries"].suite
    warnings = [e for e in suite.expectations if e.meta and e.meta.get("severity") == "warning"]
    assert len(warnings) == 1 and "> 0.02" in warnings[0].unexpected_rows_query
    assert warnings[0].severity.value == "warning"


def test_yml_forms():
    assert column_range(">= 0") == {"min_value": 0.0, "strict_min": False}
    assert column_range("> 0 and share <= 1") == {"min_value": 0, "max_value": 1, "strict_min": True}
    assert column_range("between 1 and 6") == {"min_value": 1.0, "max_value": 6.0}
    assert column_range("<= parameters_billion") is None
    flag, hidden, counted = suppression_invariant(
        "case when is_suppressed then a is null and b is null "
        "else coalesce(c >= {{ var('suppression_min_customers') }}, false) end")
    assert (flag, hidden, counted) == ("is_suppressed", ["a", "b"], ["c"])


def test_gate_params_from_settings(tmp_path):
    (tmp_path / "landing" / "events" / "date=2024-03-02").mkdir(parents=True)
    (tmp_path / "landing" / "events" / "date=2024-03-02" / "part-0000.json").write_text("{}\n")
    (tmp_path / "landing" / "events" / "date=2024-03-09").mkdir()
    (tmp_path / "landing" / "events" / "date=2024-03-09" / "part-0000.json").write_text("{}\n")
    settings = load_settings(environ={}).with_overrides(
        paths={"landing": str(tmp_path / "landing")}, report={"suppression_min_customers": 12},
        quality={"freshness_max_lag_days": 2})
    params = gate_params(settings)
    assert params.newest_landing_date == date(2024, 3, 9)
    assert params.suppression_min_customers == 12 and params.freshness_max_lag_days == 2


# --- latest.json ---------------------------------------------------------------------------------

def _result(layer, suite, ok=True):
    failed = [] if ok else [Finding("expect_column_values_to_be_between", "usage_hours", "3 unexpected")]
    return SuiteResult(layer, suite, ok, 10, failed, [])


def test_merge_keeps_the_latest_result_of_each_layer():
    at = datetime(2024, 5, 20, tzinfo=timezone.utc)
    state = merge(None, "bronze", [_result("bronze", "bronze.events")], "run-1", "/docs/index.html", at)
    assert state["checked_at"] == "2024-05-20T00:00:00Z" and not state["publication_blocked"]
    state = merge(state, "silver", [_result("silver", "silver.a"), _result("silver", "silver.b", ok=False)], "run-1", None)
    assert state["publication_blocked"] and failed_suites(state) == ["silver.b"]
    assert [g["layer"] for g in state["gates"]] == ["bronze", "silver", "silver"]
    failed = state["gates"][2]
    assert failed["failed"] == [{"expectation": "expect_column_values_to_be_between", "column": "usage_hours",
                                 "details": "3 unexpected", "check": None, "summary": "", "remedy": ""}]
    assert set(failed) == {"layer", "suite", "success", "evaluated", "failed", "warnings"}
    # a later run: bronze passes, silver still blocked until it passes again
    state = merge(state, "bronze", [_result("bronze", "bronze.events")], "run-2", None)
    assert state["run_id"] == "run-2" and state["publication_blocked"]
    state = merge(state, "silver", [_result("silver", "silver.a"), _result("silver", "silver.b")], "run-2", None)
    assert not state["publication_blocked"] and failed_suites(state) == []
    assert len(state["gates"]) == 3  # a layer's suites replaced, not appended


def test_blocked_state_refuses_publish_and_keeps_the_report(tmp_path):
    settings = load_settings(environ={}).with_overrides(paths={"output": str(tmp_path / "output"),
                                                                "lakehouse": str(tmp_path / "lakehouse")})
    report = pipeline.report_path(settings)
    report.parent.mkdir(parents=True)
    report.write_bytes(b'{"the": "last good report"}\n')
    write_latest(settings.output, merge(None, "silver", [_result("silver", "silver.serving_usage", ok=False)], "r", None))
    assert read_latest(settings.output)["publication_blocked"]
    with pytest.raises(PublishError, match="silver.serving_usage"):
        pipeline.publish(settings, "r")
    assert report.read_bytes() == b'{"the": "last good report"}\n'

    from sodai.cli import app

    env = {"SODAI__PATHS__OUTPUT": str(settings.output), "SODAI__PATHS__LAKEHOUSE": str(settings.lakehouse)}
    published = CliRunner().invoke(app, ["publish"], env=env)
    assert published.exit_code == 1 and "silver.serving_usage" in published.output
    status = CliRunner().invoke(app, ["status"], env=env)
    assert status.exit_code == 0 and "Publication blocked" in status.output
    assert report.read_bytes() == b'{"the": "last good report"}\n'
    unknown = CliRunner().invoke(app, ["gate", "platinum"], env=env)
    assert unknown.exit_code == 2


def test_warnings_do_not_fail_a_suite():
    from types import SimpleNamespace

    def outcome(success, severity, column):
        config = SimpleNamespace(type="expect_column_values_to_be_in_set", kwargs={"column": column, "value_set": ["a"]},
                                 severity=SimpleNamespace(value=severity), meta={}, description=None)
        return SimpleNamespace(success=success, expectation_config=config, exception_info={},
                               result={"unexpected_count": 2, "element_count": 9, "partial_unexpected_list": ["z", "z"]})

    validation = SimpleNamespace(suite_name="silver.accounts", results=[
        outcome(True, "critical", "a"), outcome(False, "warning", "segment")])
    result = suite_result("silver", validation)
    assert result.success and result.evaluated == 2 and not result.failed
    assert result.warnings[0].column == "segment" and "2 unexpected of 9 rows" in result.warnings[0].details
    validation.results.append(outcome(False, "critical", "industry"))
    result = suite_result("silver", validation)
    assert not result.success and [f.column for f in result.failed] == ["industry"]
    assert "value_set=['a']" in result.failed[0].details
