"""Catalog names for the dbt project follow the lakehouse the pipeline runs on."""

from __future__ import annotations

from types import SimpleNamespace

from sodai.catalog import point_catalog_at, project_tables


def _manifest(lakehouse: str):
    def node(kind, schema, alias, materialized="table", layer=None):
        config = {"location_root": f"{lakehouse}/gold/{layer or schema}"} if materialized != "ephemeral" else {}
        return SimpleNamespace(resource_type=kind, schema=schema, alias=alias,
                               config=SimpleNamespace(get=config.get, materialized=materialized))

    return SimpleNamespace(
        sources={f"source.sodai.silver.{t}": SimpleNamespace(schema="silver", identifier=t) for t in ("accounts", "uc_activity")},
        nodes={
            "model.stg": node("model", "staging", "stg_silver__uc_activity"),
            "seed.industries": node("seed", "reference", "industries"),
            "model.int": node("model", "intermediate", "int_customer_industry"),
            "model.eph": node("model", "intermediate", "int_helper", materialized="ephemeral"),
            "test.t": SimpleNamespace(resource_type="test", schema="staging", alias="not_null_x",
                                      config=SimpleNamespace(get={}.get, materialized="test")),
        },
    )


class FakeSpark:
    """Answers the catalog questions from a dict {schema: {table: location}}; records statements."""

    def __init__(self, catalog: dict[str, dict[str, str]]):
        self.known = catalog
        self.statements: list[str] = []
        self.catalog = SimpleNamespace(databaseExists=lambda schema: schema in self.known)

    def sql(self, statement: str):
        if statement.startswith("show table extended"):
            schema = statement.split("`")[1]
            rows = [{"tableName": name, "isTemporary": False, "information": f"Table: {name}\nLocation: {location}\n"}
                    for name, location in self.known[schema].items()]
            return SimpleNamespace(collect=lambda: rows)
        self.statements.append(statement)


def test_tables_are_the_sources_and_every_located_node(tmp_path):
    tables = {(t.schema, t.name): t.location for t in project_tables(_manifest(str(tmp_path)), tmp_path)}
    assert tables == {
        ("silver", "accounts"): f"{tmp_path}/silver/accounts",
        ("silver", "uc_activity"): f"{tmp_path}/silver/uc_activity",
        ("staging", "stg_silver__uc_activity"): f"{tmp_path}/gold/staging/stg_silver__uc_activity",
        ("reference", "industries"): f"{tmp_path}/gold/reference/industries",
        ("intermediate", "int_customer_industry"): f"{tmp_path}/gold/intermediate/int_customer_industry",
    }


def test_names_pointing_elsewhere_are_dropped_and_missing_existing_tables_declared(tmp_path):
    lakehouse = tmp_path / "lakehouse"
    for existing in ("silver/accounts", "silver/uc_activity", "gold/reference/industries"):
        (lakehouse / existing / "_delta_log").mkdir(parents=True)
    spark = FakeSpark({
        "silver": {"accounts": f"file:{lakehouse}/silver/accounts/", "uc_activity": "file:/elsewhere/silver/uc_activity"},
        "staging": {"stg_silver__uc_activity": "/elsewhere/gold/staging/stg_silver__uc_activity"},
    })
    point_catalog_at(spark, _manifest(str(lakehouse)), lakehouse)
    assert spark.statements == [
        "create schema if not exists `reference`",
        f"create table `reference`.`industries` using delta location '{lakehouse}/gold/reference/industries'",
        "drop table `silver`.`uc_activity`",
        f"create table `silver`.`uc_activity` using delta location '{lakehouse}/silver/uc_activity'",
        "drop table `staging`.`stg_silver__uc_activity`",  # not built here yet: dbt creates it
    ]


def test_a_catalog_that_already_points_here_is_left_alone(tmp_path):
    lakehouse = tmp_path / "lakehouse"
    (lakehouse / "silver" / "accounts" / "_delta_log").mkdir(parents=True)
    spark = FakeSpark({"silver": {"accounts": f"{lakehouse}/silver/accounts", "uc_activity": f"{lakehouse}/silver/uc_activity"},
                       "staging": {"stg_silver__uc_activity": f"{lakehouse}/gold/staging/stg_silver__uc_activity"},
                       "reference": {"industries": f"{lakehouse}/gold/reference/industries"},
                       "intermediate": {"int_customer_industry": f"{lakehouse}/gold/intermediate/int_customer_industry"}})
    point_catalog_at(spark, _manifest(str(lakehouse)), lakehouse)
    assert spark.statements == []
