"""Gold gate (after transform): one suite per mart of dbt_project/models/marts.

The columns, keys, required columns, ranges and suppression invariant of each mart are read from
the marts' yml (the dbt tests already declare them) and become GE expectations; the domains
(industries, categories, products, models, compute types) come from the seeds and the contract.
What dbt does not test is added here: shares of a group adding up to 100%, and the share of
library imports that no seed classifies (a warning).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import great_expectations as gx
import yaml

from expectations.common import GateParams, TableSuite, condition, contract_set, new_suite, not_null, unexpected_rows, warning
from jobs.contract import EVENT_TYPES_BY_NAME
from sodai import storage

MARTS_YML = Path("models") / "marts" / "_marts__models.yml"
# shares whose cells of a group add up to 1 when none of the group is suppressed: mart -> (share, group)
SHARE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fig03_application_share_by_industry": ("notebook_share", ("industry_key",)),
    "fig07_open_model_usage_weekly": ("open_request_share", ("activity_week",)),
}
# the range of a long-form value by its unit (key_findings, figure_highlights)
UNIT_RANGES: dict[str, dict[str, Any]] = {
    "share": {"min_value": 0, "max_value": 1},
    "growth": {"min_value": -1},
    "ratio": {"min_value": 0, "strict_min": True},
    "multiple": {"min_value": 0, "strict_min": True},
    "rank": {"min_value": 1},
}
OVERALL = ("all", "any")  # keys of the marts' overall rows (all industries, any product)

_RANGE = [
    (re.compile(r"^(>=|>) (-?\d+(?:\.\d+)?)$"), lambda m: {"min_value": float(m[2]), "strict_min": m[1] == ">"}),
    (re.compile(r"^> 0 and \w+ <= 1$"), lambda m: {"min_value": 0, "max_value": 1, "strict_min": True}),
    (re.compile(r"^between (-?\d+) and (-?\d+)$"), lambda m: {"min_value": float(m[1]), "max_value": float(m[2])}),
]
_NULL_IN_THEN = re.compile(r"(\w+) is null")
_AT_LEAST_K = re.compile(r"(\w+) >= \{\{ var\('suppression_min_customers'\) \}\}")
_CASE_FLAG = re.compile(r"case when (\w+)")


def mart_models(params: GateParams) -> list[dict]:
    return yaml.safe_load((params.dbt_project / MARTS_YML).read_text())["models"]


def _tests(node: dict) -> list[tuple[str, dict, dict]]:
    """(test name, arguments, config) of each dbt test of a model or column."""
    found = []
    for test in node.get("data_tests", []) or []:
        if isinstance(test, str):
            name, body = test, {}
        elif "test_name" in test:
            name, body = test["test_name"], test
        else:
            (name, body), = test.items()
            body = body or {}
        found.append((name, body.get("arguments") or {}, body.get("config") or {}))
    return found


def column_range(expression: str) -> dict | None:
    """An expression_is_true column test (`>= 0`, `> 0 and share <= 1`, `between 1 and 6`) as
    ExpectColumnValuesToBeBetween arguments; None for a form that is not a range."""
    for pattern, arguments in _RANGE:
        found = pattern.match(" ".join(expression.split()))
        if found:
            return arguments(found)
    return None


def suppression_invariant(expression: str) -> tuple[str, list[str], list[str]] | None:
    """`case when <flag> then a is null and ... else coalesce(c >= k ...) end` ->
    (flag, columns null when suppressed, customer counts >= k when published)."""
    flag = _CASE_FLAG.search(expression)
    if not flag or " else " not in expression:
        return None
    then, otherwise = expression.split(" else ", 1)
    return flag[1], _NULL_IN_THEN.findall(then), _AT_LEAST_K.findall(otherwise)


def domains(params: GateParams) -> dict[str, list]:
    """Accepted values of the marts' domain columns, from the seeds and the contract."""
    industries = params.seed("industries")
    serving = {f.name: f for f in EVENT_TYPES_BY_NAME["serving.usage"].fields}
    serverless = {f.name: f for f in EVENT_TYPES_BY_NAME["serverless.usage"].fields}
    vector = {f.name: f for f in EVENT_TYPES_BY_NAME["vector_search.request"].fields}
    return {
        "industry_key": [r["industry_key"] for r in industries],
        "application_category": sorted({r["application_category"] for r in params.seed("library_categories")
                                        if r["application_category"]}),
        "llm_category": sorted({r["llm_category"] for r in params.seed("llm_library_categories")}),
        "product_category": sorted({r["category"] for r in params.seed("products")}),
        "compute_type": contract_set(serving["compute"].check),
        "serverless_product": contract_set(serverless["product"].check),
        "embedding_modality": [*contract_set(vector["modality"].check), "unknown"],
    }


def mart_suite(model: dict, params: GateParams, domain: dict[str, list]) -> TableSuite:
    name = model["name"]
    columns = [c["name"] for c in model["columns"]]
    expectations: list = [gx.expectations.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=True)]
    k = params.suppression_min_customers
    for test, arguments, _ in _tests(model):
        if test == "not_null_columns":
            expectations += not_null(arguments["columns"])
        elif test == "unique_combination_of_columns":
            expectations.append(gx.expectations.ExpectCompoundColumnsToBeUnique(
                column_list=arguments["combination_of_columns"]))
        elif test == "expression_is_true" and (invariant := suppression_invariant(arguments.get("expression", ""))):
            flag, hidden, counted = invariant
            expectations += [gx.expectations.ExpectColumnValuesToBeNull(column=c, **condition(f"{flag} = true"))
                             for c in hidden]
            for c in counted:
                expectations += [
                    gx.expectations.ExpectColumnValuesToNotBeNull(column=c, **condition(f"{flag} = false")),
                    gx.expectations.ExpectColumnValuesToBeBetween(
                        column=c, min_value=k, **condition(f"{flag} = false"),
                        description=f"Suppression: a published cell ({flag} false) comes from at least "
                                    f"{k} customers (report.suppression_min_customers)."),
                ]
    for column in model["columns"]:
        col = column["name"]
        for test, arguments, config in _tests(column):
            if test == "unique":
                expectations.append(gx.expectations.ExpectColumnValuesToBeUnique(column=col))
            elif test == "expression_is_true" and (bounds := column_range(arguments.get("expression", ""))):
                expectations.append(gx.expectations.ExpectColumnValuesToBeBetween(column=col, **bounds))
            elif test == "accepted_values":
                values = list(arguments["values"])
                if col in domain:  # the seed's or the contract's set, plus the marts' overall key
                    values = [*domain[col], *(v for v in values if v in OVERALL)]
                expectations.append(gx.expectations.ExpectColumnValuesToBeInSet(column=col, value_set=values))
            elif test == "relationships":
                seed = re.fullmatch(r"ref\('(\w+)'\)", arguments["to"])[1]
                values = sorted({row[arguments["field"]] for row in params.seed(seed)} - {""})
                expectations.append(gx.expectations.ExpectColumnValuesToBeInSet(
                    column=col, value_set=values, **condition(config.get("where"))))
    if "unit" in columns and "value" in columns:
        for unit in _accepted(model, "unit"):
            expectations.append(gx.expectations.ExpectColumnValuesToBeBetween(
                column="value", **UNIT_RANGES[unit], **condition(f"unit = '{unit}'")))
    if name in SHARE_GROUPS:
        expectations += shares_add_up(name, *SHARE_GROUPS[name], params.share_tolerance)
    if name == "unclassified_libraries":
        expectations.append(warning(unexpected_rows(
            "select sum(share_of_source_events) as unclassified_share from {batch} "
            f"where source_type = 'library' having sum(share_of_source_events) > {params.unclassified_library_share_warn}",
            f"Library imports that no seed classifies stay below "
            f"{params.unclassified_library_share_warn:.1%} of all library imports "
            "(quality.warn.unclassified_library_share).",
        )))
    suite = new_suite(f"gold.{name}", " ".join(model.get("description", "").split()), expectations)
    return TableSuite("gold", suite, storage.mart_path(params.lakehouse, name))


def _accepted(model: dict, column: str) -> list:
    for c in model["columns"]:
        if c["name"] == column:
            for test, arguments, _ in _tests(c):
                if test == "accepted_values":
                    return list(arguments["values"])
    return []


def shares_add_up(mart: str, share: str, group: tuple[str, ...], tolerance: float) -> list:
    keys = ", ".join(group)
    return [unexpected_rows(
        f"""
        select {keys}, sum({share}) as total_share, count_if(is_suppressed) as suppressed_cells
        from {{batch}} group by {keys}
        having sum({share}) > 1 + {tolerance}
            or (count_if(is_suppressed) = 0 and abs(sum({share}) - 1) > {tolerance})
        """,
        f"The {share} of a {keys} add up to 100% (within {tolerance}) when none of its cells is "
        "suppressed, and never exceed it.",
    )]


def suites(params: GateParams) -> list[TableSuite]:
    domain = domains(params)
    return [mart_suite(model, params, domain) for model in mart_models(params)]
