#!/usr/bin/env bash
# Hostile sizes that used to take time quadratic in their size (red team
# H2–H4), at ten times the sizes that took minutes: each must stay linear
# (or n log n). Prints wall time, peak memory and the exit code of each.
#
#     benches/hostile.sh             # builds the release binary first
#     CORDON=path/to/cordon benches/hostile.sh
#
# H2: set checking (`validate`) over an inline set of 2,500,000 strings
#     would pass the 8 MiB rule-file limit, so the inline set is the largest
#     that fits (250,000 strings, 7.75 MB); data-file sets get 1,000,000 rows.
# H3: a `--config` with flow collections 1,000,000 deep (refused at once).
# H4: `screen` of one 4,000,000-letter word and of 2,100,000 dotted letters
#     (longer than the 1 MiB field limit of `check`, not of `screen --input`).
#
# Needs python3 and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "benches/hostile.sh needs GNU time (/usr/bin/time)" >&2; exit 2; }
if [ -z "${CORDON:-}" ]; then
    cargo build --release --quiet
    CORDON=target/release/cordon
fi
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - "$root" <<'PY'
import os, sys
root = sys.argv[1]
def pack(d, body, data="../seeds"):
    os.makedirs(d, exist_ok=True)
    open(f"{d}/cordon.yaml", "w").write(f"name: x\nschema: {root}/seeds/schema/trade-transaction.yaml\ndata: {data}\n")
    open(f"{d}/r.cordon", "w").write(body)
strings = ",\n".join(f'"word{i:07d}xxxxxxxxxxxxxxxx"' for i in range(250_000))
pack("strings", "regime T\nset P: string = {\n" + strings + "\n}\n"
     'rule T-1 { title: "t" cite: "c" severity: block when: description contains P }\n')
names = ",\n".join(f'"Name{i:07d} Trading"' for i in range(250_000))
pack("names", "regime T\nset P: name = {\n" + names + "\n}\n"
     'rule T-1 { title: "t" cite: "c" severity: block when: seller in P }\n')
codes = ", ".join(f"{100000 + i}" for i in range(500_000))
pack("codes", "regime T\nset P: hs = {\n" + codes + "\n}\n"
     'rule T-1 { title: "t" cite: "c" severity: block when: hs_code in P }\n')
pack("datafile", 'regime T\nset P: string from "names.csv" { column: "name" }\n'
     'rule T-1 { title: "t" cite: "c" severity: block when: seller in P }\n', data=".")
with open("datafile/names.csv", "w") as f:
    f.write("name\n")
    f.writelines(f"word{i:07d}xxxxxxxx\n" for i in range(1_000_000))
open("one.csv", "w").write("id,date,origin,destination,hs_code\nA,2019-01-01,CN,SG,9503\n")
n = 1_000_000
open("deep.yaml", "w").write("columns: " + "{a: " * n + "1" + "}" * n + "\n")
open("deepseq.yaml", "w").write("columns: " + "[" * n + "1" + "]" * n + "\n")
open("block.yaml", "w").write("columns:\n  " + "- " * n + "1\n")
open("word.csv", "w").write("name\n" + "K" * 4_000_000 + "\n")
open("dotted.csv", "w").write("name\n" + ".".join("TANCHON" * 300_000) + "\n")
PY

run() { # label, command...
    local label=$1; shift
    local code=0
    /usr/bin/time -f "%e %M" -o t "$@" > /dev/null 2> err || code=$?
    read -r secs kb < <(tail -n 1 t)
    printf '| %s | %s s | %s MB | %s |\n' "$label" "$secs" "$((kb / 1024))" "$code"
}

echo "| case | time | peak memory | exit |"
echo "|---|---:|---:|---:|"
run "H2 validate, inline set of 250,000 strings (7.75 MB)" "$CORDON" validate --rules strings
run "H2 validate, inline set of 250,000 names" "$CORDON" validate --rules names
run "H2 validate, inline set of 500,000 HS codes" "$CORDON" validate --rules codes
run "H2 check, data-file set of 1,000,000 rows" "$CORDON" check --rules datafile one.csv
run "H3 check --config, flow maps 1,000,000 deep" "$CORDON" check --rules "$root/rules" --config deep.yaml one.csv
run "H3 check --config, flow lists 1,000,000 deep" "$CORDON" check --rules "$root/rules" --config deepseq.yaml one.csv
run "H3 check --config, block lists 1,000,000 deep" "$CORDON" check --rules "$root/rules" --config block.yaml one.csv
# A command-line argument holds at most 128 KiB: the long names go through --input.
run "H4 screen --input, one 4,000,000-letter word" "$CORDON" screen --lists "$root/seeds/lists" --input word.csv
run "H4 screen --input, 2,100,000 dotted letters (4.2 MB)" "$CORDON" screen --lists "$root/seeds/lists" --input dotted.csv
