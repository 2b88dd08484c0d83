#!/usr/bin/env python3
"""Writes a Parquet data set of generated trade records for the Spark example:
benches/gen_transactions.py's rows (ordinary ones, and about 1 % copied from
the seeds' flagged records with fresh ids), dates typed as dates, everything
else as text (HS codes and ids keep their leading zeros).

    python3 examples/spark/make_dataset.py --rows 1000000 --out /tmp/tx.parquet
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="Parquet file to write")
    ap.add_argument("--csv", help="also keep the rows as this CSV file (for `cordon check`)")
    ap.add_argument("--cordon", default="cordon", help="the cordon binary (to find the seeds' flagged rows)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.csv or os.path.join(tmp, "tx.csv")
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "benches", "gen_transactions.py"), "--rows", str(args.rows),
             "--seed", str(args.seed), "--out", path, "--cordon", args.cordon],
            check=True, stdout=subprocess.DEVNULL,
        )
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        # Every column read as text (no type guessed: `0101.21` stays a
        # code), then the dates typed as dates.
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
        for name in ("date", "contract_date"):
            if name in header:
                i = header.index(name)
                col = pc.if_else(pc.equal(table.column(i), ""), None, table.column(i))
                table = table.set_column(i, name, pc.cast(col, pa.date32()))
        pq.write_table(table, args.out, row_group_size=100_000)
    print(f"{args.out}: {args.rows} rows")


if __name__ == "__main__":
    main()
