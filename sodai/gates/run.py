"""A layer's quality gate. Bronze and silver: the layer's Great Expectations suites
(expectations/) run as one checkpoint on the engine's Spark Connect DataFrames. Gold: the verdict
of dbt's tests in the latest build (sodai/gates/dbt_tests.py). Results into gates/latest.json.

The GE project is a file context under <output>/gx (suites, validation definitions, checkpoints
and validation results as JSON), rebuilt from the suites in code on every gate; its Data Docs
site is <output>/gx/data_docs. An expectation with severity `warning` is recorded, not blocking.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Dict

from expectations.common import first_rows_per_rule
from jobs import storage
from sodai.config import Settings
from sodai.gates import dbt_tests
from sodai.gates.messages import broken_rules, explain
from sodai.gates.report import GateFailed, GateReport
from sodai.gates.state import Finding, SuiteResult, merge, read_latest, write_latest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

DATASOURCE = "sodai"
DOCS_SITE = "sodai"
KEEP_RESULTS = 5  # validation results kept per suite (Data Docs history), newest first
_MAX_DETAIL = 300
EXAMPLE_ROWS = 3  # offending rows read back per failed unexpected-rows check (per rule of a row_rules one)
# A gate first screens every suite for pass or fail only, then re-validates a suite with any
# unsuccessful expectation (a failure or a warning) with counts, observed values and samples
# (DETAIL_FORMAT). Any other format fetches each column expectation's unexpected values, a query
# of its own even when no sample is asked for (GE runs it with limit 0): 143 of a silver gate's
# 406 queries on a scheduled day.
SCREEN_FORMAT = {"result_format": "BOOLEAN_ONLY"}
DETAIL_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


def docs_index(settings: Settings) -> Path:
    return storage.data_docs_dir(settings.output) / "index.html"


def newest_landing_date(landing: Path, as_of: date | None = None) -> date | None:
    """The newest events date folder in the landing zone (up to `as_of`, the day a scheduled run
    processes): telemetry's 'now' for freshness."""
    from jobs.ingest.landing import EVENTS_DIR, files_for_day, list_landing

    if not landing.is_dir():
        return None
    files, _ = list_landing(landing)
    dates = [f.partition_date for f in (files_for_day(files, as_of) if as_of else files) if f.kind == EVENTS_DIR]
    return max(dates) if dates else None


def gate_params(settings: Settings, as_of: date | None = None):
    from expectations import GateParams

    quality = settings.quality
    return GateParams(
        lakehouse=settings.lakehouse,
        freshness_max_lag_days=quality.freshness_max_lag_days,
        newest_landing_date=newest_landing_date(settings.landing, as_of),
        run_date=as_of,
    )


def gx_context(settings: Settings):
    """The file context under <output>/gx, its Data Docs site at <output>/gx/data_docs."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="file", project_root_dir=str(storage.gx_project_root(settings.output)))
    site = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": "data_docs/"},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    sites = context.variables.data_docs_sites or {}
    if sites.get(DOCS_SITE) != site or set(sites) != {DOCS_SITE}:
        context.variables.data_docs_sites = {DOCS_SITE: site}
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.analytics_enabled = False
        context.variables.save()
    return context


def _checkpoint_class():
    import great_expectations as gx

    class GateCheckpoint(gx.Checkpoint):
        """A checkpoint whose validation definitions each validate their own DataFrame:
        batch_parameters maps a validation definition's name to its batch parameters."""

        def _run_validation_definitions(self, batch_parameters: Dict[str, Any], expectation_parameters,
                                        result_format, run_id):
            results = {}
            for definition in self.validation_definitions:
                result = definition.run(
                    checkpoint_id=self.id, batch_parameters=batch_parameters[definition.name],
                    expectation_parameters=expectation_parameters, result_format=result_format, run_id=run_id,
                )
                key = self._build_result_key(validation_definition=definition, run_id=run_id,
                                             batch_identifier=result.batch_id)
                results[key] = result
            return results

    return GateCheckpoint


def run_gate(settings: Settings, spark, layer: str, run_id: str | None = None, as_of: date | None = None,
             new_batches_only: bool = False) -> GateReport:
    """Validate every table of `layer`; write latest.json and Data Docs; raise GateFailed on a
    failed (critical) expectation, return the report otherwise (warnings included).

    With `new_batches_only` (a scheduled run's gate), a table that only grows by ingest batches
    is validated on the batches its suite has not passed on yet (sodai/gates/scope.py)."""
    from sodai.engine import current_session

    if layer == dbt_tests.LAYER:
        return _dbt_gate(settings, spark, run_id)
    with current_session(spark):  # GE's Spark execution engine looks its session up itself
        return _ge_gate(settings, spark, layer, run_id, as_of, new_batches_only)


def _ge_gate(settings: Settings, spark, layer: str, run_id: str | None, as_of: date | None,
             new_batches_only: bool) -> GateReport:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier
    from pyspark.sql import functions as F

    from expectations import suites_for
    from sodai.gates import scope as gate_scope

    started = time.perf_counter()
    report = GateReport(layer, run_id)
    context = gx_context(settings)
    datasource = context.data_sources.add_or_update_spark(DATASOURCE, persist=False)
    datasource._spark = spark  # validate on the pipeline's own Connect session (temp views are per session)
    params = gate_params(settings, as_of)
    committed = _committed_runs(settings)
    # suites are built twice: once to know their tables, then with the scopes they validate
    scopes = _scopes(settings, suites_for(layer, params), committed, new_batches_only)
    report.scopes = {suite: scope.reason for suite, scope in scopes.items()}
    params = replace(params, scopes={suite: s.runs for suite, s in scopes.items() if not s.whole_table})
    definitions, frames = [], {}
    for table in suites_for(layer, params):
        if not storage.is_delta_table(table.path):
            report.results.append(SuiteResult(layer, table.name, False, 0, [
                Finding("table_exists", None, f"no Delta table at {table.path}")]))
            continue
        asset = datasource.add_dataframe_asset(table.name)
        batch = asset.add_batch_definition_whole_dataframe("whole table")
        suite = _replace(context.suites, table.suite)
        definition = _replace(context.validation_definitions,
                              gx.ValidationDefinition(name=table.name, data=batch, suite=suite))
        definitions.append(definition)
        frame = spark.read.format("delta").load(str(table.path))
        scope = scopes.get(table.name)
        if scope is not None and not scope.whole_table:
            # New batches after a first pass: a day's rows, or a few days'. In one partition each
            # of the suite's aggregate queries is one stage without an exchange: on the JVM
            # engine 70 ms a query instead of 120 (a silver gate asks ~300).
            frame = frame.where(F.col("ingest_run_id").isin(list(scope.runs))).coalesce(1)
        frames[table.name] = {"dataframe": _snapshot(frame)}
    if definitions:
        gx_run_id = RunIdentifier(run_name=run_id or f"gate.{layer}")
        results = _validate(context, layer, definitions, frames, gx_run_id, SCREEN_FORMAT)
        unsuccessful = [d for d in definitions if not all(r.success for r in _result_for(results, d.name).results)]
        if unsuccessful:
            # those suites again with counts and samples: stored under the same key, so Data
            # Docs and the findings show what was found, at a cost only a suite with news pays
            results.update(_validate(context, layer, unsuccessful, frames, gx_run_id, DETAIL_FORMAT))
        _prune_results(context)
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[
            *results.keys(),
            *(ExpectationSuiteIdentifier(name=d.suite.name) for d in definitions),
        ])
        for validation in results.values():
            frame = frames[validation.suite_name]["dataframe"]
            report.results.append(suite_result(
                layer, validation, lambda query, limit, f=frame: _offending_rows(spark, f, query, limit)))
    else:
        context.build_data_docs(site_names=[DOCS_SITE])
    for result in report.results:
        if result.success and result.suite in scopes:
            gate_scope.record_pass(settings.lakehouse, result.suite, scopes[result.suite], committed, run_id)
    order = {t: i for i, t in enumerate(sorted(r.suite for r in report.results))}
    report.results.sort(key=lambda r: order[r.suite])
    return _recorded(settings, report, started)


def _dbt_gate(settings: Settings, spark, run_id: str | None) -> GateReport:
    """The gold gate: the verdict of dbt's tests in the latest build (sodai/gates/dbt_tests.py)."""
    from sodai.dbt_build import DbtPaths

    started = time.perf_counter()
    report = GateReport(dbt_tests.LAYER, run_id)

    target = DbtPaths.of(settings).target_path
    declared = []

    def found(query: str) -> list[dict]:
        if not declared:  # a failed test's query names dbt's tables: declare them in this session once
            from sodai.catalog import manifest_from_json, point_catalog_at

            declared.append(point_catalog_at(spark, manifest_from_json(target / "manifest.json"), settings.lakehouse))
        try:
            return [row.asDict() for row in spark.sql(query).limit(dbt_tests.SAMPLE_ROWS).collect()]
        except Exception:  # noqa: BLE001 - the failure itself is already recorded
            return []

    report.results = dbt_tests.suites(target, found if spark is not None else None)
    report.scopes = {r.suite: "latest dbt build" for r in report.results}
    kept = dbt_tests.unbuilt_suites(target, read_latest(settings.output), set(report.scopes))
    report.results = sorted(report.results + kept, key=lambda r: r.suite)
    report.scopes |= {r.suite: "an earlier dbt build (the model was left as it was since)" for r in kept}
    return _recorded(settings, report, started)


def _recorded(settings: Settings, report: GateReport, started: float) -> GateReport:
    """The gate's results into gates/latest.json (its layer replaced); GateFailed when a suite failed."""
    index = docs_index(settings)
    report.data_docs = index if index.is_file() else None
    write_latest(settings.output, merge(read_latest(settings.output), report.layer, report.results, report.run_id,
                                        str(report.data_docs) if report.data_docs else None))
    report.elapsed_s = time.perf_counter() - started
    if not report.success:
        raise GateFailed(report)
    return report


def _committed_runs(settings: Settings) -> list[str]:
    """The committed ingest batches, read with deltalake (ops.ingest_runs)."""
    from jobs.ingest.tables import INGEST_RUNS
    from sodai.delta_read import read_arrow

    path = storage.table_path(settings.lakehouse, INGEST_RUNS)
    if not storage.is_delta_table(path):
        return []
    rows = read_arrow(path, ["ingest_run_id", "state"]).to_pydict()
    return sorted({run for run, state in zip(rows["ingest_run_id"], rows["state"]) if state == "committed"})


def _scopes(settings: Settings, tables, committed: list[str], new_batches_only: bool) -> dict:
    """suite -> gate_scope.Scope of each batched table that exists."""
    from sodai.gates import scope as gate_scope

    scopes = {}
    for table in tables:
        if not table.batched or not storage.is_delta_table(table.path):
            continue
        if new_batches_only:
            scopes[table.name] = gate_scope.scope_for(settings.lakehouse, table.name, table.path, committed)
        else:
            scopes[table.name] = gate_scope.Scope(None, gate_scope.table_version(table.path), "whole table")
    return scopes


def _snapshot(frame):
    """The table read once for the gate's many queries: a local checkpoint on engines that have
    one (each query on the JVM engine would otherwise re-resolve the Delta log and re-read the
    files: a gate's ~300 queries took twice as long), the table itself elsewhere (Sail has no
    checkpoint without an object-store path, and its scans are cheap)."""
    from pyspark.errors import PySparkException

    try:
        return frame.localCheckpoint()
    except PySparkException:  # the engine refused the checkpoint: validate the table as read
        return frame


def _validate(context, layer: str, definitions: list, frames: dict, gx_run_id, result_format) -> dict:
    """Run `definitions` as one checkpoint; the validation results by store key. Data Docs are
    built once by the caller: the checkpoint's UpdateDataDocsAction would rebuild the site (and
    its index of every stored result) once per suite."""
    checkpoint = _checkpoint_class()(name=f"gate.{layer}", validation_definitions=definitions,
                                     result_format=result_format)
    checkpoint.id = _replace(context.checkpoints, checkpoint).id  # stored, then run as the gate's class
    return dict(checkpoint.run(batch_parameters=frames, run_id=gx_run_id).run_results)


def _replace(factory, item):
    """Store a suite, validation definition or checkpoint built from code, replacing the stored
    one of its name. GE's add_or_update would match every expectation with the stored ones
    pairwise (and re-save a checkpoint's definitions and their suites): seconds per gate spent
    keeping ids stable that nothing here reads."""
    from great_expectations.exceptions import DataContextError

    try:
        factory.delete(item.name)
    except DataContextError:
        pass  # not stored yet
    return factory.add(item)


def _result_for(results: dict, suite: str):
    return next(v for v in results.values() if v.suite_name == suite)


def _prune_results(context) -> None:
    """Keep the newest KEEP_RESULTS validation results of each suite: the history Data Docs show
    stays short and its index quick to rebuild."""
    store = context.validation_results_store
    by_suite: dict[str, list] = {}
    for key in store.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    for keys in by_suite.values():
        keys.sort(key=lambda k: str(k.run_id.run_time), reverse=True)
        for key in keys[KEEP_RESULTS:]:
            store.remove_key(key)


def _offending_rows(spark, frame, query: str, limit: int) -> list[dict]:
    """The first rows an unexpected-rows query returns (the expectation keeps only their count,
    expectations/common.py ExpectNoOffendingRows): what a failed reconciliation actually found."""
    try:
        frame.createOrReplaceTempView("_gate_batch")
        return [r.asDict() for r in spark.sql(query.replace("{batch}", "_gate_batch")).limit(limit).collect()]
    except Exception:  # noqa: BLE001 - the failure itself is already recorded
        return []


def suite_result(layer: str, validation, offending_rows=None) -> SuiteResult:
    """A GE suite validation result as the gate's result: critical failures fail the suite."""
    result = SuiteResult(layer, validation.suite_name, True, len(validation.results))
    for outcome in validation.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        rows = None
        if offending_rows and config.kwargs.get("unexpected_rows_query") and not (outcome.exception_info or {}).get("raised_exception"):
            query, rules = config.kwargs["unexpected_rows_query"], (config.meta or {}).get("rules")
            rows = (offending_rows(first_rows_per_rule(query, EXAMPLE_ROWS), EXAMPLE_ROWS * len(rules)) if rules
                    else offending_rows(query, EXAMPLE_ROWS))
        message = explain(layer, validation.suite_name, outcome, rows)
        finding = Finding(config.type, _column(config.kwargs), details(outcome, rows),
                          check=(config.meta or {}).get("check"), summary=message.summary, remedy=message.remedy)
        if str(getattr(config.severity, "value", config.severity)) == "warning" or (config.meta or {}).get("severity") == "warning":
            result.warnings.append(finding)
        else:
            result.failed.append(finding)
    result.success = not result.failed
    return result


def _column(kwargs: dict) -> str | None:
    if kwargs.get("column"):
        return kwargs["column"]
    if kwargs.get("column_list"):
        return ", ".join(kwargs["column_list"])
    return None


def details(outcome, rows: list[dict] | None = None) -> str:
    """What went wrong, in one line: the expectation's arguments and what was observed."""
    config, found = outcome.expectation_config, outcome.result or {}
    rules = (config.meta or {}).get("rules")
    parts = []
    if rules and rows:  # a table's row rules (expectations/common.py row_rules): the broken ones
        parts.append("; ".join(f"{name}: {rules.get(name, '').rstrip('.')}" for name in broken_rules(rows)))
    elif config.description:
        parts.append(config.description.rstrip("."))
    arguments = {k: v for k, v in config.kwargs.items()
                 if k not in ("column", "column_list", "batch_id", "unexpected_rows_query", "condition_parser",
                              "result_format")
                 and v is not None}
    if arguments:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in arguments.items())
        parts.append(f"expected {shown}")
    exception = (outcome.exception_info or {})
    if exception.get("raised_exception"):
        parts.append(f"error: {_short(exception.get('exception_message'), 200)}")
    if "unexpected_count" in found and found.get("unexpected_count") is not None:
        total = found.get("element_count")
        parts.append(f"{found['unexpected_count']} unexpected of {total} rows"
                     + (f", e.g. {_short(found.get('partial_unexpected_list', [])[:5])}" if found.get("partial_unexpected_list") else ""))
    elif "observed_value" in found:
        parts.append(f"observed {_short(found['observed_value'])}")
    if rows:
        parts.append(f"unexpected rows: {_short(rows[:3])}")
    return "; ".join(parts)[:_MAX_DETAIL * 2]


def _short(value, limit: int = _MAX_DETAIL) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
