#!/usr/bin/env bash
# The lease from a terminal, and the clean stop on a signal (issue 13, items 4, 5, 9):
#   - status on a fresh store prints the lease's holder and epoch and the log's head as the bucket has
#     them, and changes nothing in the store;
#   - a writer killed with SIGKILL: `lease release` on its store writes released: true; a second
#     `lease release` says plainly that this device does not hold it, exits 1, and claims nothing;
#   - SIGTERM and SIGHUP to `yatai-ctl run`, and SIGTERM to the app (with a display), release the lease;
#   - status and run answer in words within seconds when the bucket cannot be reached or stalls.
# Usage: ctl-lease-check.sh YATAI_CTL YATAI_TEST_BUCKET [YATAI]
set -euo pipefail
ctl=$1
server=$2
app=${3:-}
dir=$(mktemp -d)
pids=()
cleanup () { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
fail () { echo "FAILED: $*"; exit 1; }

"$server" --port 0 --bucket stall > "$dir/server.out" &
pids+=($!)
for _ in $(seq 100); do grep -q "^listening" "$dir/server.out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$dir/server.out")
c=("$ctl" --bucket stall --endpoint "$url" --prefix lease/stall)

lease () {  # the lease object as the bucket has it
  curl -s "$url/storage/v1/b/stall/o/lease%2Fstall%2Flease?alt=media"
}

wait_for () {  # wait_for FILE PATTERN: up to 20 s
  for _ in $(seq 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "no “$2” in $1: $(cat "$1")"
}

# status before any device: no lease, no log; the store stays empty.
"${c[@]}" --store "$dir/fresh0.sqlite3" status > "$dir/status0.out" || fail "status on an empty stall: $(cat "$dir/status0.out")"
grep -q "^lease holder: -" "$dir/status0.out" || fail "status0: $(cat "$dir/status0.out")"
grep -q "^log head: -" "$dir/status0.out" || fail "status0: $(cat "$dir/status0.out")"

# A writer, killed with SIGKILL while it holds the lease.
mkfifo "$dir/in"
"${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run < "$dir/in" > "$dir/writer.out" 2>&1 &
writer=$!
pids+=($writer)
exec 3> "$dir/in"
printf '%s\n' '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":10,"sold_out":false,"tags":[]}}' >&3
wait_for "$dir/writer.out" '"id"'
wait_for "$dir/writer.out" "^writer"
sleep 0.5
kill -9 "$writer"
wait "$writer" 2>/dev/null || true
exec 3>&-
lease | grep -q '"released":false' || fail "the killed writer's lease: $(lease)"

# status on a fresh store: the bucket's lease and head, beside this store's place (not part of it).
"${c[@]}" --store "$dir/fresh.sqlite3" status > "$dir/status.out" || fail "status: $(cat "$dir/status.out")"
grep -q "^lease holder: Counter PC" "$dir/status.out" || fail "status holder: $(cat "$dir/status.out")"
grep -q "^lease epoch: 1" "$dir/status.out" || fail "status epoch: $(cat "$dir/status.out")"
grep -q "^lease: held" "$dir/status.out" || fail "status held: $(cat "$dir/status.out")"
head=$(sed -n 's/^log head: //p' "$dir/status.out")
[ "${head:-0}" -ge 2 ] 2>/dev/null || fail "status log head: $(cat "$dir/status.out")"
grep -q "^this store: not part of this stall yet" "$dir/status.out" || fail "status store: $(cat "$dir/status.out")"

# lease release on the killed writer's store: released in the bucket, the epoch kept.
timeout 30 "${c[@]}" --store "$dir/counter.sqlite3" lease release > "$dir/release.out" 2>&1 ||
  fail "lease release: $(cat "$dir/release.out")"
grep -q "Released the lease (epoch 1)" "$dir/release.out" || fail "release said: $(cat "$dir/release.out")"
lease | grep -q '"released":true' || fail "not released in the bucket: $(lease)"
lease | grep -q '"epoch":1' || fail "the epoch moved: $(lease)"

# Again: this device does not hold it (nobody does), exit 1, and the lease stays released.
if timeout 30 "${c[@]}" --store "$dir/counter.sqlite3" lease release > "$dir/release2.out" 2>&1; then
  fail "a second release succeeded: $(cat "$dir/release2.out")"
fi
grep -q "does not hold the lease" "$dir/release2.out" || fail "second release said: $(cat "$dir/release2.out")"
lease | grep -q '"released":true' || fail "the second release claimed the lease: $(lease)"
lease | grep -q '"epoch":1' || fail "the second release claimed the lease: $(lease)"

# SIGTERM, then SIGHUP, to a running writer: each releases the lease.
for sig in TERM HUP; do
  rm -f "$dir/in$sig"; mkfifo "$dir/in$sig"
  "${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run < "$dir/in$sig" > "$dir/$sig.out" 2>&1 &
  writer=$!
  pids+=($writer)
  exec 3> "$dir/in$sig"
  wait_for "$dir/$sig.out" "^writer"
  lease | grep -q '"released":false' || fail "SIG$sig: the writer did not take the lease: $(lease)"
  kill -$sig "$writer"
  status=0
  wait "$writer" || status=$?
  exec 3>&-
  [ "$status" -eq 0 ] || fail "SIG$sig: exit $status: $(cat "$dir/$sig.out")"
  lease | grep -q '"released":true' || fail "SIG$sig did not release the lease: $(lease)"
done

# The app, sent SIGTERM as a shutdown or a logout does: it stops as Ctrl+Q does, releasing the lease.
if [ -n "$app" ] && [ -n "${DISPLAY:-}" ]; then
  "$app" --store "$dir/gui.sqlite3" --bucket stall --endpoint "$url" --prefix lease/stall --device-name "Counter GUI" \
    > "$dir/app.out" 2>&1 &
  gui=$!
  pids+=($gui)
  for _ in $(seq 400); do lease | grep -q '"device_name":"Counter GUI"' && break; sleep 0.05; done
  lease | grep -q '"device_name":"Counter GUI"' || fail "the app did not take the lease: $(lease) $(cat "$dir/app.out")"
  lease | grep -q '"released":false' || fail "the app's lease: $(lease)"
  kill -TERM "$gui"
  status=0
  wait "$gui" || status=$?
  [ "$status" -eq 0 ] || fail "the app on SIGTERM: exit $status: $(cat "$dir/app.out")"
  lease | grep -q '"released":true' || fail "SIGTERM to the app did not release the lease: $(lease)"
fi

# The bucket unreachable (nothing listens) or stalled: status and run answer in words within seconds.
start=$(date +%s)
if timeout 30 "$ctl" --bucket stall --endpoint http://127.0.0.1:9 --store "$dir/x.sqlite3" status > "$dir/down.out" 2>&1; then
  fail "status with no bucket succeeded"
fi
grep -q "did not answer" "$dir/down.out" || fail "status unreachable: $(cat "$dir/down.out")"
curl -s -X POST -d '{"delay_ms": 60000, "times": -1}' "$url/_test/faults" > /dev/null
if timeout 30 "${c[@]}" --store "$dir/y.sqlite3" status > "$dir/stalled.out" 2>&1; then
  fail "status with a stalled bucket succeeded"
fi
grep -q "did not answer" "$dir/stalled.out" || fail "status stalled: $(cat "$dir/stalled.out")"
if echo '{"kind":"order.status","args":{"id":1,"status":"processing"}}' |
   timeout 40 "${c[@]}" --store "$dir/z.sqlite3" run > "$dir/run-stalled.out" 2>&1; then
  fail "run with a stalled bucket succeeded"
fi
grep -q "did not answer" "$dir/run-stalled.out" || fail "run stalled: $(cat "$dir/run-stalled.out")"
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -le 35 ] || fail "the three answers took $elapsed s"
echo "yatai-ctl: status, lease release and the signals work ($elapsed s for the three unreachable answers)"
