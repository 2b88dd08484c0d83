"""Cordon inside Apache Spark: every task checks its partition with the same
engine, loaded once per executor process.

    from cordon.spark import check_dataframe, rule_summary
    checked = check_dataframe(df, "/shared/rules")
    checked.filter("cordon_decision != 'pass'").write.parquet("flagged")
    rule_summary(checked).show()

The rule pack (and the list snapshots it names) must be at a path every
executor sees: a shared file system, or files shipped with the job
(``spark-submit --archives rules.zip#rules`` and ``rules_dir="rules"``).
Checking is stateless: rules over many records (running totals, licence
drawdown) are not decided inside a partition and come out as reviews; see
docs/scale-out.md.
"""

from __future__ import annotations

import os
import threading
from typing import Iterator, Optional

import pyarrow as pa

from . import Engine

__all__ = ["check_dataframe", "rule_summary", "decision_counts", "RESULT_COLUMNS"]

#: The columns ``check_dataframe`` adds to the input's, with their Spark types.
RESULT_COLUMNS = [
    ("cordon_decision", "string"),
    ("cordon_finding_count", "int"),
    ("cordon_rules_hit", "array<string>"),
    ("cordon_findings", "string"),
    ("cordon_errors", "string"),
    ("cordon_rules_fingerprint", "string"),
]

# One engine per Python worker process and pack: Spark reuses its Python
# workers across tasks (spark.python.worker.reuse, on by default), so the
# pack and the list indexes are loaded once per executor process.
_ENGINES: dict = {}
_LOCK = threading.Lock()


def _engine(rules_dir: str, config: Optional[str], lists: Optional[str]) -> Engine:
    key = (rules_dir, config, lists)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = Engine.load(rules_dir, config=config, lists=lists)
            _ENGINES[key] = engine
        return engine


def _arrow_types(df) -> pa.Schema:
    """The Arrow schema Spark gives ``mapInArrow`` for ``df``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


def check_dataframe(
    df,
    rules_dir: str,
    config: Optional[str] = None,
    lists: Optional[str] = None,
    threads: int = 1,
    expected_fingerprint: Optional[str] = None,
):
    """Check every row of a Spark DataFrame; returns the DataFrame with the
    result columns (``RESULT_COLUMNS``) after its own, one row per input row.

    ``rules_dir``, ``config`` and ``lists`` are read on each executor (a path
    every executor sees). ``threads`` is the cores each task uses (Spark
    already runs one task per core). The rule-set fingerprint is on every
    row; the driver loads the pack too and, when ``expected_fingerprint`` is
    given, refuses to start unless it is that one — and every task refuses
    to check if its executor's pack differs from the driver's.
    """
    from pyspark.sql.types import StructType

    rules_dir, config, lists = (
        os.fspath(rules_dir),
        None if config is None else os.fspath(config),
        None if lists is None else os.fspath(lists),
    )
    driver = _engine(rules_dir, config, lists)
    fingerprint = driver.fingerprint
    if expected_fingerprint is not None and fingerprint != expected_fingerprint:
        raise ValueError(f"the rule set at `{rules_dir}` has fingerprint {fingerprint}, not {expected_fingerprint}")
    ddl = ", ".join(f"`{n}` {t}" for n, t in RESULT_COLUMNS)
    out_schema = StructType(df.schema.fields + StructType.fromDDL(ddl).fields)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        engine = _engine(rules_dir, config, lists)
        if engine.fingerprint != fingerprint:
            raise RuntimeError(
                f"this executor's rule set at `{rules_dir}` has fingerprint {engine.fingerprint}, "
                f"the driver's {fingerprint}: every executor must see the same pack"
            )
        first = 0
        for batch in batches:
            if batch.num_rows == 0:
                continue
            res = engine.check_arrow(batch, threads=threads, name="partition", first_row=first)
            first += batch.num_rows
            cols = list(batch.columns) + [
                res.column("decision"),
                res.column("finding_count").cast(pa.int32()),
                res.column("rules_hit"),
                res.column("findings"),
                res.column("errors"),
                res.column("rules_fingerprint"),
            ]
            names = list(batch.schema.names) + [n for n, _ in RESULT_COLUMNS]
            yield pa.RecordBatch.from_arrays(cols, names=names)

    return df.mapInArrow(run, out_schema)


def rule_summary(checked):
    """Records per rule hit and decision, from ``check_dataframe``'s result:
    columns ``rule``, ``decision``, ``records``; sorted by rule then decision."""
    from pyspark.sql import functions as F

    return (
        checked.select(F.explode("cordon_rules_hit").alias("rule"), F.col("cordon_decision").alias("decision"))
        .groupBy("rule", "decision")
        .agg(F.count(F.lit(1)).alias("records"))
        .orderBy("rule", "decision")
    )


def decision_counts(checked) -> dict:
    """Records per decision (``block``, ``review``, ``pass``, ``invalid``), and ``read``."""
    counts = {r["cordon_decision"]: r["count"] for r in checked.groupBy("cordon_decision").count().collect()}
    out = {d: int(counts.get(d, 0)) for d in ("block", "review", "pass", "invalid")}
    out["read"] = sum(out.values())
    return out
