#!/usr/bin/env bash
# Builds the fuzz targets in BUILD (a build directory set up with clang and -Dfuzzing=true, see
# README.md here) and runs each one on a copy of its seed corpus, so the repository is never changed:
#
#   tests/fuzz/run.sh BUILD [--short] [TARGET…] [-- LIBFUZZER-OPTION…]
#
# Without options each target runs 20 seconds (-max_total_time=20). With --short (tools/dev test) each
# target runs a fixed number of executions instead (short_runs below, about 15 seconds each on 2 cores),
# so that a faster machine goes no further than a slower one.
# A crash, a leak, a sanitizer report or a timeout fails the script; the input is saved under
# BUILD/fuzz-artifacts/<target>/ (emptied when the target runs again) and the line to run it again is
# printed. One summary line a target: executions, seconds, executions a second, corpus files at the
# end, crashes. The corpus each run grew is left in BUILD/fuzz-corpus/<target>/ (replaced on the next
# run).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: tests/fuzz/run.sh BUILD [--short] [TARGET…] [-- LIBFUZZER-OPTION…]}
build=$(cd "$build" && pwd)
shift

all_targets=(segment log snapshot lease command csv gcs)
declare -A short_runs=(
  [segment]=1000000 [log]=50000 [snapshot]=12000 [lease]=2000000 [command]=1000000 [csv]=80000 [gcs]=400000
)
short=0
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "--short" ]; then
    short=1
  else
    targets+=("${1#fuzz-}")
  fi
  shift
done
[ "${1:-}" = "--" ] && shift
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
options=("$@")
[ ${#options[@]} -gt 0 ] || [ $short = 1 ] || options=(-max_total_time=20)

names=()
for t in "${targets[@]}"; do
  names+=("tests/fuzz/fuzz-$t")
done
meson compile -C "$build" "${names[@]}" || exit 1

# Undefined behaviour is a crash too; leaks are checked by libFuzzer (ASan's LeakSanitizer).
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export G_SLICE=always-malloc
export TZ=Asia/Tokyo LC_ALL=C.UTF-8

# The targets' stores, on tmpfs when there is one; removed at the end, crash or not.
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
YATAI_FUZZ_TMPDIR=$(mktemp -d "$shm/yatai-fuzz-run-XXXXXX")
export YATAI_FUZZ_TMPDIR
trap 'rm -rf "$YATAI_FUZZ_TMPDIR"' EXIT

failed=0
printf '%-16s %12s %8s %10s %8s %8s\n' target executions seconds exec/s corpus crashes
for t in "${targets[@]}"; do
  exe="$build/tests/fuzz/fuzz-$t"
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-$t.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$here/corpus/$t"/* "$corpus/"
  runs_option=()
  [ $short = 1 ] && runs_option=(-runs="${short_runs[$t]}")
  start=$(date +%s)
  "$exe" -timeout=25 -print_final_stats=1 -artifact_prefix="$artifacts/" "${runs_option[@]}" "${options[@]}" \
    "$corpus" >"$log" 2>&1
  rc=$?
  seconds=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  size=$(find "$corpus" -type f | wc -l)
  crashes=0
  if [ $rc -ne 0 ]; then
    crashes=1
    failed=1
  fi
  printf '%-16s %12s %8s %10s %8s %8s\n' "fuzz-$t" "${runs:-?}" "$seconds" "${speed:-?}" "$size" "$crashes"
  if [ $rc -ne 0 ]; then
    echo "fuzz-$t failed (exit $rc); the end of $log:" >&2
    grep -v '^#[0-9]' "$log" | tail -n 40 >&2
    for a in "$artifacts"/*; do
      [ -e "$a" ] && echo "  again: $exe $a" >&2
    done
  fi
done
exit $failed
