#!/usr/bin/env bash
# One run of every benchmark of issue 16, on an earlier tree ("before") and on this one ("after"), back to back.
#
#   bench/compare.sh BEFORE_DIR [OUT_DIR]
#
# BEFORE_DIR is a checkout of the earlier commit with its own .venv (`./dev lint` there makes one); this tree's
# bench files (and the test helpers they use) are copied into it first, so both trees run the same benchmarks.
# Each benchmark prints its Markdown table; everything goes to OUT_DIR (default bench/results) as one log per
# tree and benchmark. Run it on a quiet machine: nothing else should use the CPU meanwhile.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
before="$(cd "$1" && pwd)"
out="${2:-$here/bench/results}"
mkdir -p "$out"

cp "$here"/bench/*.py "$before/bench/"
mkdir -p "$before/tests/support" "$before/tests/scenarios"
cp "$here/tests/support/large_shop.py" "$before/tests/support/"
cp "$here/tests/scenarios/test_statement_counts.py" "$before/tests/scenarios/"

run() {  # run TREE NAME ARGS...: one benchmark in one tree, its output logged and shown
    local tree="$1" name="$2"
    shift 2
    local label=after
    [ "$tree" = "$before" ] && label=before
    echo "=== $label: python -m $*" | tee "$out/$label-$name.md"
    (cd "$tree" && .venv/bin/python -m "$@" 2>&1) | tee -a "$out/$label-$name.md"
}

both() {  # both NAME ARGS...: before, then after
    run "$before" "$@"
    run "$here" "$@"
}

both button_presses bench.button_presses
both drops bench.drops --compare-pre-ping
both drop_rush bench.drop_rush
both statements bench.statements
both memory bench.memory
both memory_ptb bench.memory --framework ptb
# The earlier import took minutes per step at 200,000 rows: only its first import is measured.
run "$before" catalog_import bench.catalog_import --first-only
run "$here" catalog_import bench.catalog_import
# Broadcasts wait on Telegram's limits, not on the CPU (about 1 ms of CPU a message at 30 messages/s): the
# two trees' free broadcasts run side by side, each with its own fake server; then the paid one, which is
# CPU-bound, alone.
run "$before" broadcasts bench.broadcasts --paid 0 &
run "$here" broadcasts bench.broadcasts --paid 0 &
wait
both broadcasts_paid bench.broadcasts --groups 0 --private 0
