#!/usr/bin/env python3
"""Summarise `cordon check --format jsonl` output as Markdown.

    ./target/debug/cordon check --rules rules --format jsonl FILE | python3 seeds/tools/summarize_check.py \\
        [--rules rules] [--manifest M.json]

Prints the decision counts, the findings per rule (violations, and rules that
could not decide: "indeterminate", i.e. fail closed), a table rule id -> ids of
the records it fired on, and the invalid records and data-quality notes. With
--rules it lists every `rule` declared in the .cordon files and flags those that
never fired. With --manifest (from make_transactions.py --manifest) it checks
that each hit row fired exactly the rules it was built for. Standard library only.
"""

import argparse
import collections
import json
import re
import sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=Path, help="rules directory, to list rules that never fired")
    ap.add_argument("--manifest", type=Path, help="make_transactions.py --manifest output, to compare")
    args = ap.parse_args()

    records = [json.loads(line) for line in sys.stdin if line.strip()]
    decisions = collections.Counter(r["decision"] for r in records)
    violations, undecided = collections.defaultdict(list), collections.defaultdict(list)
    for r in records:
        for f in r.get("findings", []):
            (violations if f["outcome"] == "violation" else undecided)[f["rule"]].append(r["id"])

    declared = []
    if args.rules:
        for path in sorted(args.rules.rglob("*.cordon")):
            declared += re.findall(r"^rule\s+(\S+)\s*\{", path.read_text(encoding="utf-8"), re.M)
    rules = sorted(set(declared) | set(violations) | set(undecided))

    print(f"records: {len(records)}; " + ", ".join(f"{k} {decisions[k]}" for k in ("block", "review", "pass", "invalid")))
    print()
    print("| rule | violations | undecided (fail closed) | records (violations; undecided in brackets) |")
    print("|---|---:|---:|---|")
    for rule in rules:
        ids = ", ".join(violations[rule])
        if undecided[rule]:
            ids += (" " if ids else "") + "[" + ", ".join(undecided[rule]) + "]"
        print(f"| {rule} | {len(violations[rule])} | {len(undecided[rule])} | {ids} |")
    if declared:
        never = [r for r in declared if not violations[r]]
        print()
        print(f"rules declared: {len(declared)}; with at least one violation: {len(declared) - len(never)}")
        if never:
            print("never violated: " + ", ".join(never))
    print()
    print("| record | line | decision | problem |")
    print("|---|---:|---|---|")
    for r in records:
        problems = [("invalid", e) for e in r.get("errors", [])] + [("note", e) for e in r.get("data_quality", [])]
        for kind, e in problems:
            field = f"`{e['field']}`: " if e.get("field") else ""
            print(f"| {r.get('id') or '?'} | {r['line']} | {r['decision']} | {kind}: {field}{e['reason']} |")

    if args.manifest:
        manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
        by_id = {r["id"]: r for r in records if r.get("id")}
        bad = 0
        for rid, expect in manifest["hits"].items():
            got = sorted({f["rule"] for f in by_id[rid].get("findings", [])})
            if got != sorted(expect):
                bad += 1
                print(f"MISMATCH {rid}: built for {sorted(expect)}, fired {got}", file=sys.stderr)
        others = [r for r in records if r.get("id") not in manifest["hits"] and r.get("id") not in manifest["malformed"]]
        loud = [r["id"] for r in others if r["decision"] != "pass" or r.get("data_quality")]
        print(f"manifest: {len(manifest['hits'])} hit rows, {bad} mismatched; "
              f"{len(others)} other records, {len(loud)} not a clean pass {loud[:10]}", file=sys.stderr)


if __name__ == "__main__":
    main()
