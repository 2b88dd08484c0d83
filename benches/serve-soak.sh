#!/usr/bin/env bash
# A soak of `cordon serve` (docs/performance.md): wrk at 16 connections on
# POST /v1/check for MINUTES (default 10), the server's resident memory and
# thread count sampled every 30 s; then the log verified.
#   benches/serve-soak.sh sqlite:/tmp/soak.db [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
store=$1
minutes=${2:-10}
bin=target/release/cordon
tmp=$(mktemp -d)
CORDON_API_KEY=k "$bin" serve --rules rules --store "$store" --addr 127.0.0.1:0 >"$tmp/addr" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/addr" ] && break; sleep 0.2; done
url=$(head -n 1 "$tmp/addr")
wrk -t2 -c16 -d"${minutes}m" -s benches/serve-post.lua "$url" >"$tmp/wrk" &
load=$!
start=$(date +%s)
while kill -0 $load 2>/dev/null; do
  echo "$(( $(date +%s) - start )) s: rss $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}'), threads $(ps -o nlwp= -p $pid | tr -d ' ')"
  sleep 30
done
tail -n 1 "$tmp/wrk"
kill -INT $pid; wait $pid 2>/dev/null || true
"$bin" log verify --store "$store"
