"""Quality gates without an engine: the bronze and silver suites built from the contract, gold's
checks in the dbt project (each once, as dbt tests), the gold gate's verdict read from a build's
results, and the gates' state (latest.json: merge per layer, blocking, publish refused)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import yaml
from typer.testing import CliRunner

from expectations import GateParams, suites_for
from expectations.common import OFFENDING_ROWS, contract_check, contract_set
from jobs.contract import EVENT_TYPES, EVENT_TYPES_BY_NAME, INDUSTRIES, OTHER_INDUSTRY
from jobs.refine.tables import EVENT_TABLES
from sodai import pipeline
from sodai.config import PROJECT_ROOT, load_settings
from sodai.gates import gate_params, suite_result
from sodai.gates.state import Finding, SuiteResult, failed_suites, merge, read_latest, write_latest
from sodai.publish import PublishError

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
MARTS = {model["name"]: model for path in sorted((DBT_PROJECT / "models" / "marts").glob("*/*.yml"))
         for model in yaml.safe_load(path.read_text())["models"]}


@pytest.fixture
def params(tmp_path) -> GateParams:
    return GateParams(lakehouse=tmp_path / "lakehouse", freshness_max_lag_days=3, newest_landing_date=date(2024, 5, 19))


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
    for layer in ("bronze", "silver"):
        for table in suites_for(layer, params):
            assert table.layer == layer and len(table.suite.expectations) >= 5, table.name
            assert table.path.is_relative_to(params.lakehouse / layer), table.path
    with pytest.raises(ValueError):
        suites_for("platinum", params)


def test_accepted_sets_come_from_the_contract(params):
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


def test_gold_enumerations_from_the_contract_are_the_contracts():
    """The marts' enumerations that come from the contract (not from a seed) are literal lists in
    dbt; they must be the contract's sets (plus the marts' overall keys)."""
    def contract(event_type, field):
        return contract_set({f.name: f for f in EVENT_TYPES_BY_NAME[event_type].fields}[field].check)

    def listed(mart, column):
        check = next(c for c in _checks(MARTS[mart]).values() if c.startswith(f"{column} in ("))
        return [v.strip(" '") for v in check[len(column) + 5:-1].split(",")]

    assert listed("fig09_serving_by_industry", "compute_type") == contract("serving.usage", "compute")
    assert listed("fig11_serverless_adoption_by_industry", "serverless_product") == \
        [*contract("serverless.usage", "product"), "any"]
    assert listed("vector_search_embeddings", "embedding_modality") == \
        [*contract("vector_search.request", "modality"), "unknown"]


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
    columns = _find(silver, "expect_table_columns_to_match_set")[0].column_set
    assert {"event_id", "event_ts", "tokens_in"} <= set(columns)
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


def test_a_tables_row_rules_are_one_expectation_that_names_every_rule(params):
    """Bronze's and silver's rules that return offending rows share one expectation per table
    (expectations/common.py row_rules): every rule is in its query and in meta.rules, a scheduled
    run's rules against earlier batches included."""
    from dataclasses import replace

    def rules(table):
        [expectation] = [e for e in _find(table.suite, OFFENDING_ROWS) if (e.meta or {}).get("rules")]
        for name in expectation.meta["rules"]:
            assert f"select '{name}' as rule, to_json(struct(*)) as found from (" in expectation.unexpected_rows_query
        return set(expectation.meta["rules"])

    scoped = replace(params, scopes={"bronze.events": ("ingest-2",), "silver.uc_activity": ("ingest-2",)})
    assert rules(_by_name("bronze", params)["bronze.events"]) == {"reconciled", "quarantine_complete"}
    assert rules(_by_name("bronze", scoped)["bronze.events"]) == {"reconciled", "quarantine_complete", "event_id_new",
                                                                  "file_line_new"}
    for name, table in _by_name("silver", params).items():
        if name != "silver.accounts":
            assert rules(table) == {"reconciled", "dates_consistent"}, name
    assert rules(_by_name("silver", scoped)["silver.uc_activity"]) == {"reconciled", "dates_consistent", "event_id_new"}


def test_scoped_suites_check_their_batches_against_the_rest_of_the_table(params):
    """A scheduled run's gate validates new batches (sodai/gates/scope.py): reconciliation over those
    batches, and the whole-table checks (uniqueness across batches, freshness) as queries on the
    whole table, since the validated frame holds the new batches only."""
    from dataclasses import replace

    scoped = replace(params, scopes={"bronze.events": ("ingest-2",), "silver.uc_activity": ("ingest-2",)})
    bronze = _by_name("bronze", scoped)
    assert bronze["bronze.events"].batched and not bronze["bronze.accounts"].batched
    queries = [e.unexpected_rows_query for e in _find(bronze["bronze.events"].suite, OFFENDING_ROWS)]
    assert all("ingest_run_id in ('ingest-2')" in q for q in queries if "reconciliation" in q or "quarantine" in q)
    [rules] = [q for q in queries if "not in ('ingest-2')" in q]  # the table's row rules: one query
    assert rules.count("not in ('ingest-2')") == 2 and "t.event_id = b.event_id" in rules
    assert any("max(landing_date) < date'2024-05-16'" in q and "from delta.`" in q for q in queries)

    silver = _by_name("silver", scoped)
    uc = [e.unexpected_rows_query for e in _find(silver["silver.uc_activity"].suite, OFFENDING_ROWS)]
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


def _tests(model: dict) -> dict[str, dict]:
    """A model's model-level dbt tests by generic test name -> arguments."""
    found = {}
    for test in model.get("data_tests", []):
        name, body = next(iter(test.items())) if isinstance(test, dict) else (test, {})
        found[name] = (body or {}).get("arguments", {})
    return found


def _checks(model: dict) -> dict[str, str]:
    checks = _tests(model).get("row_checks", {}).get("checks", [])
    return {c if isinstance(c, str) else c["name"]: c if isinstance(c, str) else c["expression"] for c in checks}


def test_every_mart_is_checked_in_dbt_once_per_rule():
    assert len(MARTS) == 16
    for name, model in MARTS.items():
        checks = _checks(model)
        assert checks, name  # the row-level rules: one scan per model
        columns = [c["name"] for c in model["columns"]]
        if "is_suppressed" in columns:
            invariant = checks["suppression_invariant"]
            assert "var('suppression_min_customers')" in invariant, name  # k from the settings
        assert _tests(model)["row_checks"].get("unique_key"), name  # its key, in the same statement
        for column in model["columns"]:  # per-column rules and keys are folded into the model's row_checks
            assert {next(iter(t)) if isinstance(t, dict) else t for t in column.get("data_tests", [])} <= \
                {"relationships"}, (name, column["name"])
    assert _tests(MARTS["fig03_application_share_by_industry"])["shares_add_up"]["share"] == "notebook_share"
    assert _tests(MARTS["fig07_open_model_usage_weekly"])["shares_add_up"]["group_by"] == ["activity_week"]
    assert "'share' then value between 0 and 1" in _checks(MARTS["key_findings"])["value_in_unit_range"]
    industries = _tests(MARTS["fig02_model_ratio_by_industry"])["references"]
    assert industries == {"to": "ref('industries')", "columns": {"industry": "industry", "industry_key": "industry_key"}}


def test_no_great_expectations_suite_for_gold(params):
    with pytest.raises(ValueError, match="gold"):
        suites_for("gold", params)


def test_unclassified_libraries_is_a_warning():
    sql = (DBT_PROJECT / "tests" / "warn_unclassified_library_share.sql").read_text()
    assert "severity='warn'" in sql and "var('unclassified_library_share_warn')" in sql


def test_gate_params_from_settings(tmp_path):
    (tmp_path / "landing" / "events" / "date=2024-03-02").mkdir(parents=True)
    (tmp_path / "landing" / "events" / "date=2024-03-02" / "part-0000.json").write_text("{}\n")
    (tmp_path / "landing" / "events" / "date=2024-03-09").mkdir()
    (tmp_path / "landing" / "events" / "date=2024-03-09" / "part-0000.json").write_text("{}\n")
    settings = load_settings(environ={}).with_overrides(
        paths={"landing": str(tmp_path / "landing")}, quality={"freshness_max_lag_days": 2})
    params = gate_params(settings)
    assert params.newest_landing_date == date(2024, 3, 9)
    assert params.freshness_max_lag_days == 2


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

    from orchestration.cli import app

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


# --- the gold gate: dbt's verdict -----------------------------------------------------------------

def _build(target, results: list[tuple[str, str, str, int | None, str]]):
    """A build's run_results.json and manifest.json: (test name, model, status, failures, message)."""
    import json

    nodes, rows = {}, []
    for name, model, status, failures, message in results:
        unique_id = f"test.sodai.{name}"
        nodes[unique_id] = {"name": name, "resource_type": "test", "attached_node": f"model.sodai.{model}",
                            "depends_on": {"nodes": [f"model.sodai.{model}"]}, "column_name": None,
                            "test_metadata": {"name": name.split("_")[0] + "_checks" if name.startswith("row") else "unique"}}
        rows.append({"unique_id": unique_id, "status": status, "failures": failures, "message": message,
                     "compiled_code": f"select * from {model}"})
    target.mkdir(parents=True)
    (target / "run_results.json").write_text(json.dumps({"results": rows}))
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}))


def test_the_gold_gate_is_the_verdict_of_the_builds_tests(tmp_path):
    from sodai.gates import dbt_tests

    target = tmp_path / "target"
    _build(target, [
        ("row_checks_fig01", "fig01_models_over_time", "fail", 2, "Got 2 results, configured to fail if != 0"),
        ("unique_fig01_activity_month", "fig01_models_over_time", "pass", 0, ""),
        ("row_checks_fig02", "fig02_model_ratio_by_industry", "pass", 0, ""),
        ("unique_warned", "unclassified_libraries", "warn", 1, "Got 1 result, configured to warn if != 0"),
    ])
    asked = []

    def found(query):
        asked.append(query)
        return [{"failed_check": "suppression_invariant", "failing_rows": 3},
                {"failed_check": "customers >= 0", "failing_rows": 1}]

    suites = {s.suite: s for s in dbt_tests.suites(target, found)}
    assert set(suites) == {"gold.fig01_models_over_time", "gold.fig02_model_ratio_by_industry",
                           "gold.unclassified_libraries"}
    fig01 = suites["gold.fig01_models_over_time"]
    assert not fig01.success and fig01.evaluated == 2 and len(fig01.failed) == 1
    assert fig01.failed[0].check == "row_checks_fig01"
    assert "3 rows break 'suppression_invariant'; 1 rows break 'customers >= 0'" in fig01.failed[0].summary
    assert suites["gold.fig02_model_ratio_by_industry"].success
    warned = suites["gold.unclassified_libraries"]
    assert warned.success and len(warned.warnings) == 1  # a warning never blocks
    assert asked == ["select * from fig01_models_over_time", "select * from unclassified_libraries"]  # failed, warned


def test_no_build_yet_fails_the_gold_gate(tmp_path):
    from sodai.gates import dbt_tests

    suites = dbt_tests.suites(tmp_path / "target")
    assert len(suites) == 1 and not suites[0].success and "sodai transform" in suites[0].failed[0].remedy


def test_the_suites_of_models_the_build_left_keep_their_last_verdict(tmp_path):
    """A scheduled day leaves the marts its telemetry cannot change (sodai/mart_scope.py): their
    suites keep the verdict of the build that last built them. A model the build did build keeps
    no older verdict, even without tests now; a dropped model's suite goes."""
    import json

    from sodai.gates import dbt_tests

    target = tmp_path / "target"
    _build(target, [("row_checks_fig07", "fig07_open_model_usage_weekly", "pass", 0, "")])
    manifest, results = (json.loads((target / name).read_text()) for name in ("manifest.json", "run_results.json"))
    for model in ("fig01_models_over_time", "fig07_open_model_usage_weekly", "stg_silver__uc_activity"):
        manifest["nodes"][f"model.sodai.{model}"] = {"name": model, "resource_type": "model"}
    for model in ("fig07_open_model_usage_weekly", "stg_silver__uc_activity"):  # built; staging has no test
        results["results"].append({"unique_id": f"model.sodai.{model}", "status": "success"})
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(results))
    latest = merge(None, "gold", [_result("gold", "gold.fig01_models_over_time", ok=False),
                                  _result("gold", "gold.fig07_open_model_usage_weekly"),
                                  _result("gold", "gold.stg_silver__uc_activity", ok=False),
                                  _result("gold", "gold.a_dropped_model")], "run-1", None)
    current = {s.suite for s in dbt_tests.suites(target)}
    kept = dbt_tests.unbuilt_suites(target, latest, current)
    assert [(s.suite, s.success, s.failed[0].column) for s in kept] == [("gold.fig01_models_over_time", False, "usage_hours")]
    assert dbt_tests.unbuilt_suites(target, None, current) == []
