"""Cordon inside Spark (local[2]): a generated 200,000-row Parquet data set
checked with `cordon.spark.check_dataframe` gets exactly the decisions of
`cordon check` on the same rows, with the rule-set fingerprint on every row."""

import csv
import datetime
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, cli_results, cordon_bin

pyspark = pytest.importorskip("pyspark")

ROWS = int(os.environ.get("CORDON_SPARK_ROWS", "200000"))


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("cordon-test")
        .config("spark.ui.enabled", "false")
        # The Python workers run this interpreter, whose environment has
        # `cordon` installed (not the first `python3` on PATH).
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The generated rows as CSV (for the CLI) and as Parquet with typed
    date columns (for Spark)."""
    work = tmp_path_factory.mktemp("spark")
    csv_path = work / "tx.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "benches/gen_transactions.py"), "--rows", str(ROWS), "--seed", "11",
         "--out", str(csv_path), "--cordon", cordon_bin()],
        check=True, capture_output=True,
    )
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    cols = []
    for i, name in enumerate(header):
        values = [r[i] for r in rows]
        if name in ("date", "contract_date"):
            cols.append(pa.array([datetime.date.fromisoformat(v) if v else None for v in values], pa.date32()))
        else:
            cols.append(pa.array(values, pa.string()))
    parquet = work / "tx.parquet"
    pq.write_table(pa.Table.from_arrays(cols, names=header), parquet, row_group_size=25_000)
    return csv_path, parquet


def test_spark_gives_the_decisions_of_the_cli(spark, data):
    from cordon.spark import check_dataframe, decision_counts, rule_summary

    csv_path, parquet = data
    df = spark.read.parquet(str(parquet)).repartition(8)
    checked = check_dataframe(df, str(ROOT / "rules"))
    got = {r["id"]: (r["cordon_decision"], r["cordon_rules_fingerprint"]) for r in
           checked.select("id", "cordon_decision", "cordon_rules_fingerprint").collect()}
    code, cli = cli_results(ROOT / "rules", csv_path)
    assert code in (0, 1)
    assert len(got) == len(cli) == ROWS
    fingerprints = {fp for _, fp in got.values()}
    assert fingerprints == {cli[0]["rules"]}
    wrong = [(r["id"], r["decision"], got[r["id"]][0]) for r in cli if got[r["id"]][0] != r["decision"]]
    assert not wrong, wrong[:10]
    counts = decision_counts(checked)
    assert counts["read"] == ROWS and counts["block"] > 0 and counts["review"] > 0
    summary = {(r["rule"], r["decision"]): r["records"] for r in rule_summary(checked).collect()}
    assert sum(v for (rule, _), v in summary.items() if rule == "KP-COAL-IRON-2371") > 0


def test_a_row_spark_cannot_type_is_reported_not_dropped(spark, tmp_path):
    from cordon.spark import check_dataframe

    with open(ROOT / "seeds/transactions/trade-2016-2019.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r, _ in zip(reader, range(20)) if len(r) == len(header)]
    rows[3][header.index("date")] = "31/02/2019"
    df = spark.createDataFrame(rows, schema=header)
    out = check_dataframe(df, str(ROOT / "rules")).collect()
    assert len(out) == len(rows)
    bad = [r for r in out if r["cordon_decision"] == "invalid"]
    assert [r["id"] for r in bad] == [rows[3][0]] and "date" in bad[0]["cordon_errors"]


def test_a_fingerprint_other_than_expected_is_refused(spark):
    from cordon.spark import check_dataframe

    df = spark.createDataFrame([("TX-1",)], schema=["id"])
    with pytest.raises(ValueError, match="fingerprint"):
        check_dataframe(df, str(ROOT / "rules"), expected_fingerprint="0" * 64)
