#!/usr/bin/env bash
# What rules over many records cost: the UN DPRK pack on 1,000,000 generated
# records (benches/gen_transactions.py) without its three firm-total rules,
# with them (totals in memory, then in a state file), and with a structuring
# rule every record to a high-risk hub counts towards (the most counting:
# about a third of the records); all cores, median wall time of REPEAT runs,
# peak memory, and each time as a ratio to the run without totals.
#
#     benches/aggregates.sh            # 1,000,000 records
#     REPEAT=5 benches/aggregates.sh 3000000
#
# Needs python3 and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
repeat=${REPEAT:-3}
cargo build --release --quiet
bin=$PWD/target/release/cordon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/tx.csv"
python3 benches/gen_transactions.py --rows "$n" --seed 7 --out "$data" --cordon "$bin" > /dev/null

# Copies of the pack find the seeds where the pack does (`data: ../seeds`).
ln -s "$PWD/seeds" "$work/seeds"
# The pack without its rules over many records (every `rule … { … total: … }` removed).
cp -r rules "$work/plain"
rm -rf "$work/plain/examples"
python3 - "$work/plain/un/dprk/energy.cordon" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\nrule [A-Z0-9.-]+\.FIRM-TOTAL \{.*?\n\}\n", "\n", s, flags=re.S)
open(p, "w").write(s)
PY
# The pack with a structuring rule on top.
cp -r rules "$work/structuring"
rm -rf "$work/structuring/examples"
cat >> "$work/structuring/un/dprk/energy.cordon" <<'CORDON'

rule BENCH-STRUCTURING {
  title: "Shipments to one buyer in a hub above 1,000,000 USD in 30 days"
  cite: "benchmark"
  severity: review
  when: destination in { AE, TR, CN, HK, SG, MY, RU }
  total: sum(value)
  group: [buyer]
  window: "rolling 30 days"
  limit: "1000000 USD"
}
CORDON

stats() { sort -n | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%s %d\n", t[int((NR + 1) / 2)], m }'; }
base=1
run() { # label, command...
    local label=$1; shift
    : > "$work/times"
    for _ in $(seq "$repeat"); do
        rm -f "$work/state.db" "$work/state.db-wal" "$work/state.db-shm"
        /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2>> "$work/stderr" || true
        tail -n 1 "$work/t" >> "$work/times"
    done
    read -r secs kb < <(stats < "$work/times")
    [ "$label" = "DPRK pack, no totals" ] && base=$secs
    printf '| %s | %s s | %s MB | %s |\n' "$label" "$secs" "$((kb / 1024))" \
        "$(awk -v b="$base" -v s="$secs" 'BEGIN { printf "%.2f", s / b }')"
}
echo "| run ($n records, all cores, --format summary) | time (median of $repeat) | peak memory | × no totals |"
echo "|---|---:|---:|---:|"
run "DPRK pack, no totals" $bin check --rules "$work/plain" --format summary "$data"
run "DPRK pack with its firm totals, in memory" $bin check --rules rules --no-state --format summary "$data"
run "DPRK pack with its firm totals, state file" $bin check --rules rules --state "$work/state.db" --format summary "$data"
run "+ structuring over a third of the records, state file" $bin check --rules "$work/structuring" --state "$work/state.db" --format summary "$data"
