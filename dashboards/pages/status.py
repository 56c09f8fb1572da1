"""Pipeline status: lakehouse tables, the last run, ingest reconciliation, quality gates with their
Data Docs, the MLflow run, and whether the published report is as new as gold. Every piece that
is not there yet says so."""

import dash
from dash import dash_table, html

from dashboards.app import current_data
from dashboards.components import page
from dashboards.i18n import Translator

dash.register_page(__name__, path="/status", name="Pipeline status", order=9)

_CELL = {"fontFamily": "inherit", "fontSize": "13px", "padding": "4px 8px", "textAlign": "left"}


def _table(table_id: str, rows: list[dict], columns: list[tuple[str, str]]) -> dash_table.DataTable:
    return dash_table.DataTable(id=table_id, data=rows, columns=[{"id": c, "name": n} for c, n in columns],
                                sort_action="native", page_size=15, style_cell=_CELL, style_table={"overflowX": "auto"},
                                style_header={"fontWeight": "600", "backgroundColor": "#f3f5f8"})


def _absent(text: str, element_id: str) -> html.P:
    return html.P(text, className="notice absent", id=element_id)


def tables_section(data, t: Translator) -> list:
    tables = data.tables()
    if not tables:
        return [html.H2(t("status.tables")), _absent(t("status.no_tables", path=str(data.lakehouse)), "no-tables")]
    rows = [{"table": s.name, "version": s.version, "rows": s.rows, "files": s.files, "operation": s.last_operation,
             "modified": s.last_modified.strftime("%Y-%m-%d %H:%M:%S") if s.last_modified is not None else ""}
            for s in tables]
    return [html.H2(t("status.tables")), html.P(str(data.lakehouse), className="note"),
            _table("tables", rows, [("table", t("methodology.table")), ("version", t("status.version")),
                                    ("rows", t("status.rows")), ("files", t("status.files")),
                                    ("operation", t("status.last_operation")), ("modified", t("status.last_modified"))])]


def runs_section(data, t: Translator, report) -> list:
    out = [html.H2(t("status.last_run"))]
    if report:
        provenance = report["provenance"]
        out.append(html.P([html.Code(provenance.get("pipeline_run_id") or "–"), " · ", report["generated_at"], " · ",
                           t("methodology.engine"), ": ", provenance.get("engine", "–")], id="last-run"))
        reference = provenance.get("reference_data")
        if reference:
            out.append(html.P(t(f"status.accounts_snapshot_{reference['rule']}",
                                snapshot=reference.get("accounts_snapshot") or "", day=reference.get("run_date") or ""),
                              className="bad" if reference["rule"] == "none" else "note", id="reference-data"))
    else:
        out.append(_absent(t("status.no_report"), "no-report"))
    runs = data.ingest_runs(limit=10)
    out.append(html.H3(t("status.runs")))
    if runs.empty:
        out.append(_absent(t("status.no_runs"), "no-runs"))
    else:
        out.append(html.Ul([html.Li(f"{r.ingest_run_id}: {r.state}, {r.files} files, {t.number(r.lines)} lines")
                            for r in runs.itertuples()]))
    return out


def reconciliation_section(data, t: Translator) -> list:
    frame = data.reconciliation()
    out = [html.H2(t("status.reconciliation")), html.P(t("status.reconciliation_text"), className="note")]
    if frame.empty:
        return out + [_absent(t("status.no_reconciliation"), "no-reconciliation")]
    columns = [c for c in ("ingest_run_id", "file_path", "lines_read", "accepted", "duplicates", "quarantined", "reconciled")
               if c in frame]
    if "reconciled" in frame:
        bad = int((~frame["reconciled"].astype(bool)).sum())
        out.append(html.P(t("status.reconciled_not", n=bad) if bad else t("status.reconciled_all", n=t.number(len(frame))),
                          className="bad" if bad else "good", id="reconciliation-summary"))
    shown = frame.sort_values(columns[:2]).tail(200)[columns]
    rows = [{c: (str(v) if isinstance(v, bool) else v) for c, v in row.items()} for row in shown.to_dict("records")]
    return out + [_table("reconciliation", rows, [(c, c) for c in columns])]


def gates_section(data, t: Translator) -> list:
    gates = data.gates()
    out = [html.H2(t("status.gates"))]
    docs = data.data_docs_dir()
    docs_link = html.P(html.A(t("status.data_docs"), href="/data-docs/", target="_blank", id="data-docs-link")) if docs \
        else _absent(t("status.no_data_docs"), "no-data-docs")
    if gates is None:
        return out + [_absent(t("status.no_gates"), "no-gates"), docs_link]
    blocked = bool(gates.get("publication_blocked"))
    out += [
        html.P(t("status.gates_checked", when=gates.get("checked_at", "–"), run=gates.get("run_id") or "–")),
        html.P(t("status.publication_blocked") if blocked else t("status.publication_open"),
               className="bad" if blocked else "good", id="publication"),
    ]
    rows = [{"layer": g.get("layer"), "suite": g.get("suite"),
             "success": t("status.answer_yes") if g.get("success") else t("status.answer_no"),
             "evaluated": g.get("evaluated"), "failed": len(g.get("failed", [])), "warnings": len(g.get("warnings", [])),
             "details": "; ".join(f"{f.get('expectation')}({f.get('column') or ''}): {f.get('details')}"
                                  for f in g.get("failed", []))}
            for g in gates.get("gates", [])]
    out.append(_table("gates", rows, [("layer", t("status.layer")), ("suite", t("status.suite")),
                                      ("success", t("status.success")), ("evaluated", t("status.evaluated")),
                                      ("failed", t("status.failed")), ("warnings", t("status.warnings")),
                                      ("details", t("ui.definition"))]))
    return out + [docs_link]


def mlflow_section(t: Translator, report) -> list:
    run_id = (report or {}).get("provenance", {}).get("mlflow_run_id")
    return [html.H2(t("status.mlflow")),
            html.P(html.Code(run_id), id="mlflow-run") if run_id else _absent(t("status.no_mlflow"), "no-mlflow")]


def freshness_section(data, t: Translator) -> list:
    rows = data.gold_freshness()
    if not rows:
        return []
    stale = [r for r in rows if r["in_lakehouse"] is None or r["in_lakehouse"] != r["in_report"]]
    return [html.H2(t("status.freshness")),
            html.P(t("status.freshness_stale", n=len(stale)) if stale else t("status.freshness_current"),
                   className="bad" if stale else "good", id="freshness"),
            _table("freshness", [{**r, "in_lakehouse": "–" if r["in_lakehouse"] is None else r["in_lakehouse"]} for r in rows],
                   [("table", t("methodology.table")), ("in_report", t("status.in_report")),
                    ("in_lakehouse", t("status.in_lakehouse"))])]


def history_section(data, t: Translator) -> list:
    """The latest runs, stage by stage, from ops.pipeline_runs (sodai/history.py)."""
    history = data.run_history(limit_runs=3)
    out = [html.H2(t("status.history"))]
    if history.empty:
        return out + [_absent(t("status.no_history"), "no-history")]
    rows = [{"run": r.run_id, "day": str(r.run_date) if r.run_date is not None and r.run_date == r.run_date else "",
             "stage": r.stage, "status": r.status,
             "rows": t.number(int(r.rows)) if r.rows is not None and r.rows == r.rows else "",
             "seconds": f"{r.duration_s:.1f}", "message": r.message or ""}
            for r in history.itertuples()]
    return out + [_table("history", rows, [("run", t("status.run")), ("day", t("status.day")), ("stage", t("status.stage")),
                                           ("status", t("status.stage_status")), ("rows", t("status.rows")),
                                           ("seconds", t("status.seconds")), ("message", "")])]


def layout(language=None, lang=None, **_):
    t = Translator(lang or language)
    data = current_data()
    report = data.report()
    return page(t, "status", *runs_section(data, t, report), *history_section(data, t), *gates_section(data, t),
                *mlflow_section(t, report),
                *reconciliation_section(data, t), *freshness_section(data, t), *tables_section(data, t))
