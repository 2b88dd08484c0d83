#!/usr/bin/env python3
"""Seeded generator of synthetic transactions in the standard schema, for
benchmarks: ordinary rows and rows that hit the UN DPRK pack, drawn from the
shipped sample (seeds/transactions/trade-2016-2019.csv) with fresh ids.

    python3 benches/gen_transactions.py --rows 1000000 --hit-rate 0.01 --seed 7 --out /tmp/tx-1m.csv

Ordinary rows pass; hit rows are copies of the sample's flagged rows (their
dates keep them inside the rules' windows), so about `hit-rate` of the rows
are flagged. Malformed sample rows are left out. Same arguments, same bytes.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "seeds", "transactions", "trade-2016-2019.csv")


def flagged_ids(cordon):
    """Ids of the sample's records decided block or review, asked of cordon itself."""
    out = subprocess.run(
        [cordon, "check", "--rules", os.path.join(ROOT, "rules"), "--format", "jsonl", SAMPLE],
        capture_output=True, text=True, check=False,
    ).stdout
    ids, bad = set(), set()
    for line in out.splitlines():
        r = json.loads(line)
        if r["decision"] in ("block", "review"):
            ids.add(r["id"])
        elif r["decision"] == "invalid" or r.get("data_quality"):
            bad.add(r.get("id"))
    return ids, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--hit-rate", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cordon", default=os.path.join(ROOT, "target", "release", "cordon"))
    a = ap.parse_args()
    hits, bad = flagged_ids(a.cordon)
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [r for r in reader if len(r) == len(header)]
    hit_rows = [r for r in rows if r[0] in hits]
    ok_rows = [r for r in rows if r[0] not in hits and r[0] not in bad]
    if not hit_rows or not ok_rows:
        sys.exit("no sample rows: build cordon first (cargo build --release)")
    rng = random.Random(a.seed)
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i in range(a.rows):
            src = rng.choice(hit_rows) if rng.random() < a.hit_rate else rng.choice(ok_rows)
            row = list(src)
            row[0] = f"SYN-{i + 1:08d}"
            w.writerow(row)


if __name__ == "__main__":
    main()
