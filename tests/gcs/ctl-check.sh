#!/usr/bin/env bash
# yatai-ctl against yatai-test-bucket: a headless device takes two commands from stdin, a new store is
# restored from the bucket and has the order, status names the writer, export gives its CSV, a new
# device's first order waits for its restore, a follower's command is answered by the writer, an empty folder has nothing to restore,
# and a restore while the writer runs holds the orders only in the log after the newest snapshot. Usage: ctl-check.sh YATAI_CTL YATAI_TEST_BUCKET
set -euo pipefail
ctl=$1
server=$2
dir=$(mktemp -d)
cleanup () { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
"$server" --port 0 --bucket stall > "$dir/server.out" &
pid=$!
for _ in $(seq 100); do grep -q "^listening" "$dir/server.out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$dir/server.out")
c=("$ctl" --bucket stall --endpoint "$url" --prefix ctl/stall)

fail () { echo "FAILED: $*"; exit 1; }

if "${c[@]}" --store "$dir/nothing.sqlite3" restore > "$dir/out" 2>&1; then fail "restore from an empty folder succeeded"; fi
grep -q "nothing to restore" "$dir/out" || fail "no message for an empty folder: $(cat "$dir/out")"

printf '%s\n' \
  '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":10,"sold_out":false,"tags":[]}}' \
  '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":2}],"paid":1000}}' \
  'not json' |
  timeout 30 "${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run > "$dir/run.out"
grep -q '"call_number":1' "$dir/run.out" || fail "run: no call number: $(cat "$dir/run.out")"
grep -q '"error":"A command is a JSON object' "$dir/run.out" || fail "run: bad input not answered"

timeout 30 "${c[@]}" --store "$dir/kitchen.sqlite3" restore > "$dir/restore.out"
grep -q "restored the stall at log position" "$dir/restore.out" || fail "restore: $(cat "$dir/restore.out")"
timeout 30 "${c[@]}" --store "$dir/kitchen.sqlite3" status > "$dir/status.out"
grep -q "lease holder: Counter PC" "$dir/status.out" || fail "status: $(cat "$dir/status.out")"
"${c[@]}" --store "$dir/kitchen.sqlite3" export > "$dir/lines.csv"
grep -q "焼きそば" "$dir/lines.csv" || fail "export: no order line"
# A new device's first order waits for the stall's menu to arrive: the restore comes first.
printf '%s\n' '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500}}' |
  timeout 30 "${c[@]}" --store "$dir/tablet.sqlite3" --device-name "Tablet" run > "$dir/tablet.out"
grep -q '"call_number":2' "$dir/tablet.out" || fail "run on a new device: $(cat "$dir/tablet.out")"
# While another device writes, a command is sent to it, and run waits for its answer before it ends.
mkfifo "$dir/in"
timeout 60 "${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run < "$dir/in" > "$dir/writer.out" &
writer=$!
exec 3> "$dir/in"
for _ in $(seq 200); do grep -q "^writer" "$dir/writer.out" && break; sleep 0.05; done
grep -q "^writer" "$dir/writer.out" || fail "the counter did not take the lease back: $(cat "$dir/writer.out")"
printf '%s\n' '{"kind":"order.status","args":{"id":2,"status":"processing"}}' |
  timeout 30 "${c[@]}" --store "$dir/tablet.sqlite3" --device-name "Tablet" run > "$dir/tablet2.out"
grep -q '"sent":true' "$dir/tablet2.out" || fail "follower: not sent: $(cat "$dir/tablet2.out")"
grep -q '"applied": true' "$dir/tablet2.out" || fail "follower: no answer: $(cat "$dir/tablet2.out")"
# A restore while the writer runs holds what is only in the log after the newest snapshot.
for i in 1 2 3; do
  printf '%s\n' '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500}}' >&3
done
for _ in $(seq 200); do [ "$(grep -c '"call_number"' "$dir/writer.out")" -ge 3 ] && break; sleep 0.05; done
[ "$(grep -c '"call_number"' "$dir/writer.out")" -ge 3 ] || fail "the writer did not confirm 3 orders: $(cat "$dir/writer.out")"
# A confirmed order is in the writer's store at once and in the bucket a moment later: the restore is
# made once the writer has nothing left to send (its outbox empties in the transaction that notes an
# upload) and the bucket's log has reached the writer's noted position (status may run beside the writer).
uploaded () {
  "${c[@]}" --store "$dir/counter.sqlite3" status > "$dir/writer-status.out" 2>&1 || return 1
  head=$(sed -n 's/^log head: //p' "$dir/writer-status.out")
  own=$(sed -n 's/^this store: log position \([0-9]*\),.*/\1/p' "$dir/writer-status.out")
  grep -q '^waiting to be sent: 0$' "$dir/writer-status.out" && [ -n "$head" ] && [ -n "$own" ] && [ "$head" -ge "$own" ]
}
for _ in $(seq 100); do uploaded && break; sleep 0.1; done
uploaded || fail "the writer's log did not reach the bucket: $(cat "$dir/writer-status.out")"
timeout 30 "${c[@]}" --store "$dir/backup.sqlite3" restore > "$dir/restore2.out"
grep -q "restored the stall at log position" "$dir/restore2.out" || fail "restore while writing: $(cat "$dir/restore2.out")"
"${c[@]}" --store "$dir/backup.sqlite3" export > "$dir/backup.csv"
[ "$(grep -c "焼きそば" "$dir/backup.csv")" -eq 5 ] || fail "restore stopped at the snapshot: $(cat "$dir/restore2.out") $(cat "$dir/backup.csv")"
exec 3>&-
wait "$writer" || fail "the counter did not stop cleanly"
if "${c[@]}" --store "$dir/kitchen.sqlite3" restore 2>/dev/null; then fail "restore over an existing store"; fi
echo "yatai-ctl: run, restore, status, export and the refusals work"
