#!/usr/bin/env python3
"""Writes a generated rule pack of N rules (for benchmarks of rule count):
each rule is about one sanctioned country as origin or destination, two HS
headings and a quantity. Seeded: the same N gives the same pack.

    python3 benches/gen_rules.py 1000 /tmp/pack-1000
"""
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ["KP", "IR", "SY", "CU", "VE", "RU", "BY", "MM", "SD", "SS", "LY", "YE", "SO", "CF", "CD", "ML", "NI",
             "ZW", "IQ", "LB", "AF", "ER", "HT", "GN", "GW", "BI", "TD", "ET", "PK", "UA"]


def main():
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    rng = random.Random(n)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cordon.yaml").write_text(
        f"name: generated-{n}\nschema: {ROOT / 'seeds/schema/trade-transaction.yaml'}\ndata: {ROOT / 'seeds'}\n")
    rules = ["regime GEN"]
    for i in range(n):
        field = "origin" if i % 2 == 0 else "destination"
        h1, h2 = rng.randrange(100, 9700), rng.randrange(100, 9700)
        rules.append(
            f'rule GEN-{i:04} {{\n  title: "generated {i}"\n  cite: "none"\n  severity: review\n'
            f'  when: {field} in {{ {rng.choice(COUNTRIES)} }} and hs_code in {{ {h1:04}, {h2:04} }}'
            f' and quantity > {rng.randrange(1000)}\n}}')
    (out / "generated.cordon").write_text("\n".join(rules) + "\n")


if __name__ == "__main__":
    main()
