#!/usr/bin/env python3
"""A Spark job that checks a Parquet data set of trade records with Cordon,
writes the flagged rows and a per-rule summary, and builds the audit report.

    spark-submit examples/spark/check_job.py --rules rules --input /tmp/tx.parquet --out /tmp/cordon-run
    # or, in local mode without spark-submit:
    python3 examples/spark/check_job.py --master 'local[2]' --rules rules --input /tmp/tx.parquet --out /tmp/cordon-run

Writes to --out:
- flagged/           the rows decided block, review or invalid, with the
                     decision columns (Parquet);
- rule-summary.csv   records per rule and decision;
- summary.json       records read and per decision, the rule-set
                     fingerprint, the input, how long it took;
- flagged.csv        the flagged rows' input columns, as `cordon report` reads them;
- report.pdf         `cordon report` on flagged.csv: every flagged record
                     with its evidence (the population of the whole run is
                     in summary.json; see docs/scale-out.md).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", required=True, help="rule pack folder every executor sees")
    ap.add_argument("--input", required=True, help="Parquet file or folder")
    ap.add_argument("--out", required=True, help="folder for the results")
    ap.add_argument("--master", help="Spark master (default: spark-submit's)")
    ap.add_argument("--config", help="input config mapping your column names")
    ap.add_argument("--cordon", default="cordon", help="the cordon binary, for the report")
    ap.add_argument("--no-report", action="store_true", help="do not build the PDF report")
    args = ap.parse_args()

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from cordon.spark import check_dataframe, decision_counts, rule_summary

    builder = SparkSession.builder.appName("cordon-check")
    if args.master:
        # Local mode: the Python workers run this interpreter, which has
        # `cordon` installed. On a cluster, spark-submit's settings say which.
        builder = (builder.master(args.master).config("spark.ui.enabled", "false")
                   .config("spark.pyspark.python", sys.executable))
    spark = builder.getOrCreate()
    rules = os.path.abspath(args.rules)
    started = time.time()
    df = spark.read.parquet(args.input)
    checked = check_dataframe(df, rules, config=args.config).cache()
    counts = decision_counts(checked)
    os.makedirs(args.out, exist_ok=True)
    flagged = checked.filter(F.col("cordon_decision") != "pass")
    flagged.write.mode("overwrite").parquet(os.path.join(args.out, "flagged"))
    summary_rows = rule_summary(checked).collect()
    with open(os.path.join(args.out, "rule-summary.csv"), "w", encoding="utf-8") as f:
        f.write("rule,decision,records\n")
        for r in summary_rows:
            f.write(f"{r['rule']},{r['decision']},{r['records']}\n")
    fingerprint = checked.select("cordon_rules_fingerprint").first()[0] if counts["read"] else None
    elapsed = time.time() - started
    summary = {
        "input": os.path.abspath(args.input),
        "rules": rules,
        "rules_fingerprint": fingerprint,
        "records": counts,
        "rule_hits": {},
        "seconds": round(elapsed, 1),
    }
    for r in summary_rows:
        summary["rule_hits"][r["rule"]] = summary["rule_hits"].get(r["rule"], 0) + r["records"]
    # The flagged rows' own columns, as one CSV file `cordon report` reads.
    csv_dir = os.path.join(args.out, "flagged-csv")
    flagged.select(*df.columns).coalesce(1).write.mode("overwrite").option("header", True).option("escape", '"').csv(csv_dir)
    part = next(p for p in sorted(os.listdir(csv_dir)) if p.startswith("part-"))
    shutil.move(os.path.join(csv_dir, part), os.path.join(args.out, "flagged.csv"))
    shutil.rmtree(csv_dir)
    spark.stop()
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(json.dumps(counts))
    if not args.no_report:
        cmd = [args.cordon, "report", "--rules", rules, "--no-state", "-o", os.path.join(args.out, "report.pdf")]
        if args.config:
            cmd += ["--config", args.config]
        subprocess.run(cmd + [os.path.join(args.out, "flagged.csv")], check=False)


if __name__ == "__main__":
    main()
