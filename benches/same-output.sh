#!/usr/bin/env bash
# Do two builds of Cordon write the same bytes? Runs `cordon check` of each
# binary on the shipped seeds, the bad-input catalogue and the fail-open
# cases, in every output format, on one thread and on all cores, and
# compares stdout, stderr and the exit code (a throughput change must not
# change a byte of any output: issue 12).
#
#     benches/same-output.sh OLD_BINARY NEW_BINARY
set -uo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: benches/same-output.sh OLD_BINARY NEW_BINARY}
new=${2:?usage: benches/same-output.sh OLD_BINARY NEW_BINARY}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files=(seeds/transactions/*.csv seeds/transactions/*.jsonl tests/data/bad-inputs/*.csv tests/data/bad-inputs/*.jsonl
       tests/data/fail-open/*.csv)
runs=0 differ=0
for f in "${files[@]}"; do
    for fmt in jsonl json csv table summary; do
        for threads in 1 2; do
            for which in old new; do
                bin=$old; [ "$which" = new ] && bin=$new
                "$bin" check --rules rules --threads "$threads" --format "$fmt" "$f" \
                    > "$out/$which.out" 2> "$out/$which.err"
                echo "exit $?" >> "$out/$which.err"
            done
            runs=$((runs + 1))
            if ! cmp -s "$out/old.out" "$out/new.out" || ! cmp -s "$out/old.err" "$out/new.err"; then
                differ=$((differ + 1))
                echo "DIFFERS: $f --format $fmt --threads $threads"
                diff <(cat "$out/old.out" "$out/old.err") <(cat "$out/new.out" "$out/new.err") | head -5
            fi
        done
    done
done
echo "$runs runs over ${#files[@]} files: $differ differ"
[ "$differ" -eq 0 ]
