#!/usr/bin/env bash
# End-to-end throughput of the `cordon` CLI, as a back office runs it: for
# each size, the floor (reading and typing the records with no rules, one
# thread), the UN DPRK pack on one thread and on all cores, and the PDF
# report; median wall time of REPEAT runs, records per second, peak memory,
# and each figure as a ratio to the floor.
#
# Then generated packs of 10, 100 and 1,000 rules (benches/gen_rules.py),
# all cores, for how the cost grows with the number of rules.
#
#     benches/cli.sh                 # 100,000 and 1,000,000 records
#     REPEAT=5 benches/cli.sh 2000000
#
# Needs python3 (the seeded generator) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000)
repeat=${REPEAT:-3}
[ -x /usr/bin/time ] || { echo "benches/cli.sh needs GNU time (/usr/bin/time)" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/cordon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty"
printf 'name: empty\nschema: %s\ndata: %s\n' "$PWD/seeds/schema/trade-transaction.yaml" "$PWD/seeds" > "$work/empty/cordon.yaml"
printf 'regime EMPTY\n' > "$work/empty/empty.cordon"

# median of the first column; max of the second
stats() { sort -n | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%s %d\n", t[int((NR + 1) / 2)], m }'; }

run() { # label, rows, command...
    local label=$1 rows=$2; shift 2
    local out="$work/times"
    : > "$out"
    for _ in $(seq "$repeat"); do
        /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2>> "$work/stderr" || true
        tail -n 1 "$work/t" >> "$out"   # GNU time puts "Command exited with …" first on exit 1
    done
    read -r secs kb < <(stats < "$out")
    local rate
    rate=$(awk -v n="$rows" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    [ "$label" = "parse-only, 1 thread" ] && floor=$secs
    local ratio
    ratio=$(awk -v f="$floor" -v s="$secs" 'BEGIN { printf "%.2f", f / s }')
    printf '| %s | %s | %s s | %s | %s MB | %s |\n' "$rows" "$label" "$secs" "$rate" "$((kb / 1024))" "$ratio"
}

echo "| records | run | time (median of $repeat) | records/s | peak memory | speed vs parse-only, 1 thread |"
echo "|---:|---|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    data="$work/tx-$n.csv"
    python3 benches/gen_transactions.py --rows "$n" --seed 7 --out "$data" --cordon "$bin" > /dev/null
    floor=1
    run "parse-only, 1 thread" "$n" $bin check --rules "$work/empty" --threads 1 --format jsonl "$data"
    run "parse-only, all cores" "$n" $bin check --rules "$work/empty" --format jsonl "$data"
    run "DPRK pack, 1 thread" "$n" $bin check --rules rules --threads 1 --format jsonl "$data"
    run "DPRK pack, all cores" "$n" $bin check --rules rules --format jsonl "$data"
    run "report (PDF), all cores" "$n" $bin report --rules rules --generated-at 2026-12-01T00:00:00Z -o "$work/r.pdf" "$data"
    for rules in 10 100 1000; do
        python3 benches/gen_rules.py "$rules" "$work/gen-$rules"
        run "$rules generated rules, all cores" "$n" $bin check --rules "$work/gen-$rules" --format jsonl "$data"
    done
done
