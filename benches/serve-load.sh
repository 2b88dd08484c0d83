#!/usr/bin/env bash
# The load test of `cordon serve` (docs/performance.md): wrk on loopback
# against POST /v1/check with the DPRK pack at 1, 16 and 64 connections, then
# the batch endpoint; afterwards the log must hold one entry per answered
# decision (plus the few a stopped load generator left in flight) and verify.
#   benches/serve-load.sh sqlite:/tmp/load.db
#   benches/serve-load.sh postgres://cordon@127.0.0.1:5432/load
# DURATION (default 15s) sets each run's length. Needs wrk and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
store=$1
dur=${DURATION:-15s}
bin=target/release/cordon
tmp=$(mktemp -d)
CORDON_API_KEY=k "$bin" serve --rules rules --store "$store" --addr 127.0.0.1:0 >"$tmp/addr" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/addr" ] && break; sleep 0.2; done
url=$(head -n 1 "$tmp/addr")
answered=0
run() { # connections threads duration script
  local out
  out=$(wrk -t"$2" -c"$1" -d"$3" -s "$4" "$url" | tail -n 1)
  echo "$out"
  answered=$((answered + $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["requests"]-d["non_2xx"])' "$out")))
}
echo "warm-up:"; run 4 1 3s benches/serve-post.lua
for c in 1 16 64; do
  echo "POST /v1/check, $c connection(s):"; run "$c" $((c < 2 ? 1 : 2)) "$dur" benches/serve-post.lua
done
# Batches of 1,000 CSV rows (the sample transactions' first 1,000).
head -n 1001 seeds/transactions/trade-2016-2019.csv >"$tmp/batch.csv"
echo "POST /v1/check/batch, 1,000 records per request, 2 connections:"
out=$(CORDON_BATCH_FILE="$tmp/batch.csv" wrk -t1 -c2 -d"$dur" -s benches/serve-batch.lua "$url" | tail -n 1)
echo "$out"
batches=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["requests"]-d["non_2xx"])' "$out")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("  records/s: %.0f" % (d["requests"]*1000/d["seconds"]))' "$out"
echo "server resident memory: $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}')"
kill -INT $pid; wait $pid 2>/dev/null || true
verify=$("$bin" log verify --store "$store")
echo "$verify"
entries=$(echo "$verify" | sed -E 's/.*: ([0-9]+) entries verify.*/\1/')
echo "answered single decisions: $answered; batch records answered: $((batches * 1000)); log entries: $entries"
echo "entries logged beyond the answered: $((entries - answered - batches * 1000)) (requests in flight when wrk stopped)"
