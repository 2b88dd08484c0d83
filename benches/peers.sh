#!/usr/bin/env bash
# The peer harness (the team's side-by-side benchmark: Cordon, a hand-written
# Rust loop, DuckDB and the rule engines on one 21-rule workload; its folder
# is given as PEERS, it is not part of this repository) run on a copy whose
# data generator draws real HS subheadings (benches/peers-real-hs.patch):
# the harness's own generator writes codes of which about 72 % name no
# subheading of HS 2022, which Cordon rightly reports invalid, so without
# the patch its decisions cannot agree with the peers'.
#
#     PEERS=/path/to/bench/peers benches/peers.sh --light --sizes 1000000 --reps 5
#
# Every argument goes to the harness's run.sh; CORDON_BIN defaults to this
# checkout's release binary. The copy lives in target/peers (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
peers=${PEERS:?benches/peers.sh: set PEERS to the peer harness folder (the one holding run.sh)}
[ -f "$peers/run.sh" ] || { echo "benches/peers.sh: no harness at $peers (PEERS: the folder holding run.sh)" >&2; exit 2; }
cargo build --release --quiet --bin cordon
copy=$here/target/peers
mkdir -p "$copy"
# The harness's files, refreshed; its build, data and results stay for the next run.
(cd "$peers" && tar --exclude=./target --exclude=./data --exclude=./results -cf - .) | (cd "$copy" && tar -xf -)
cp seeds/reference/hs-2022.csv "$copy/src/bin/hs-2022.csv"
patch --quiet -d "$copy" -p1 < benches/peers-real-hs.patch
export CORDON_BIN=${CORDON_BIN:-$here/target/release/cordon}
exec "$copy/run.sh" "$@"
