#!/usr/bin/env python3
"""Figures for docs/scale-out.md: the Python bindings and Spark against the
CLI on the same rows. Needs the `cordon` package installed (docs/python.md),
pyspark, and a release build of the CLI.

    python3 benches/python.py --rows 1000000 [--spark-rows 1000000,10000000]

Prints, for generated records (benches/gen_transactions.py) and the shipped
DPRK pack: the engine's load time; check_arrow on one core and on all cores
(records/s, from Parquet already in memory); the CLI on one thread and on
two (`--format summary`, from the CSV file); Spark local[2] end to end
(read Parquet, check, count decisions) and the per-task overhead.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORDON = os.path.join(ROOT, "target", "release", "cordon")


def best(f, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def dataset(rows, work):
    csv_path, parquet = os.path.join(work, f"tx-{rows}.csv"), os.path.join(work, f"tx-{rows}.parquet")
    subprocess.run([sys.executable, os.path.join(ROOT, "examples/spark/make_dataset.py"), "--rows", str(rows),
                    "--out", parquet, "--csv", csv_path, "--cordon", CORDON], check=True, stdout=subprocess.DEVNULL)
    return csv_path, parquet


def cli(csv_path, threads):
    subprocess.run([CORDON, "check", "--rules", os.path.join(ROOT, "rules"), "--no-state", "--threads", str(threads),
                    "--format", "summary", csv_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--spark-rows", default="1000000")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    import cordon

    with tempfile.TemporaryDirectory() as work:
        t = time.perf_counter()
        engine = cordon.Engine.load(os.path.join(ROOT, "rules"))
        print(f"engine load (DPRK pack, lists): {time.perf_counter() - t:.2f} s")
        import pyarrow as pa

        one = pa.RecordBatch.from_pydict({k: [v] for k, v in {
            "id": "TX-1", "date": "2018-01-02", "origin": "CN", "destination": "KP", "hs_code": "2710.12",
            "seller": "Acme Ltd", "buyer": "Korea Daesong Trading", "quantity": "1", "unit": "t", "value": "1",
            "currency": "USD"}.items()})
        t = time.perf_counter()
        engine.check_arrow(one)
        print(f"first record after load (screening indexes read): {time.perf_counter() - t:.2f} s")
        csv_path, parquet = dataset(args.rows, work)
        table = pq.read_table(parquet)
        n = table.num_rows
        for threads in (1, None):
            s = best(lambda: engine.check_table(table, threads=threads), args.reps)
            print(f"check_arrow, {threads or 'all'} thread(s): {n} rows in {s:.2f} s = {n / s:,.0f} records/s")
        for threads in (1, 2):
            s = best(lambda: cli(csv_path, threads), args.reps)
            print(f"cordon check --threads {threads}: {n} rows in {s:.2f} s = {n / s:,.0f} records/s")
        from pyspark.sql import SparkSession

        from cordon.spark import check_dataframe, decision_counts

        spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                 .config("spark.pyspark.python", sys.executable)
                 .config("spark.driver.memory", "4g").config("spark.ui.showConsoleProgress", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        # Warm: the JVM, the Python workers and their engines.
        tiny = spark.createDataFrame([("TX-1",)], ["id"])
        t = time.perf_counter()
        spark.read.parquet(parquet).limit(1000).repartition(2).rdd.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()
        print(f"spark warm-up (JVM, Python workers): {time.perf_counter() - t:.2f} s")
        del tiny
        for rows in [int(r) for r in args.spark_rows.split(",") if r]:
            c, p = (csv_path, parquet) if rows == n else dataset(rows, work)
            df = spark.read.parquet(p)
            reps = args.reps if rows < 5_000_000 else 1
            s = best(lambda: decision_counts(check_dataframe(df, os.path.join(ROOT, "rules"))), reps)
            print(f"spark local[2], {df.rdd.getNumPartitions()} partitions: {rows} rows in {s:.2f} s = {rows / s:,.0f} records/s")
            s = best(lambda: cli(c, 2), reps)
            print(f"cordon check --threads 2: {rows} rows in {s:.2f} s = {rows / s:,.0f} records/s")
            # The same job with nothing checked: what Spark itself costs.
            s = best(lambda: df.mapInArrow(lambda it: it, df.schema).groupBy().count().collect(), reps)
            print(f"spark local[2], read + mapInArrow with no check: {s:.2f} s")
        spark.stop()


if __name__ == "__main__":
    main()
