#!/usr/bin/env bash
# yatai-ctl and the store file (issue 16, items 2 and 11): while `run` has a store, a second `run` and a
# `follow` on it are refused in words naming the first and its process, and `status` and `export` work
# beside it (read-only, no sync); `export` works on a store this user may not write (a file of mode
# 0444 in a read-only folder); a `restore` killed half way leaves no store behind and the next one
# starts again on its own. Usage: ctl-store-check.sh YATAI_CTL YATAI_TEST_BUCKET
set -euo pipefail
ctl=$1
server=$2
dir=$(mktemp -d)
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  chmod -R u+w "$dir" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail () { echo "FAILED: $*"; exit 1; }

start_server () {  # start_server NAME [OPTIONS...]: its URL in $url
  local name=$1; shift
  "$server" --port 0 --bucket stall "$@" > "$dir/$name.out" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "^listening" "$dir/$name.out" && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$dir/$name.out")
}

start_server fast
c=("$ctl" --bucket stall --endpoint "$url" --prefix ctl/stall)

# The first program: a headless device that keeps its input open.
mkfifo "$dir/in"
"${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run < "$dir/in" > "$dir/writer.out" &
writer=$!
pids+=($writer)
exec 3> "$dir/in"
printf '%s\n' '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":10,"sold_out":false,"tags":[]}}' >&3
for _ in $(seq 200); do grep -q '"id":1' "$dir/writer.out" && break; sleep 0.05; done
grep -q '"id":1' "$dir/writer.out" || fail "the first program did not start: $(cat "$dir/writer.out")"

for second in run follow "lease take" "lease release"; do
  if timeout 10 "${c[@]}" --store "$dir/counter.sqlite3" $second < /dev/null > "$dir/second.out" 2>&1; then
    fail "a second '$second' on the store was let in: $(cat "$dir/second.out")"
  fi
  grep -q "This store is open in yatai-ctl run (process $writer)\. One store is used by one program at a time" \
    "$dir/second.out" || fail "'$second' was not told who has the store: $(cat "$dir/second.out")"
done

timeout 10 "${c[@]}" --store "$dir/counter.sqlite3" status > "$dir/status.out" 2>&1 ||
  fail "status beside the program that has the store: $(cat "$dir/status.out")"
grep -q "open in yatai-ctl run (process $writer): shown read-only" "$dir/status.out" ||
  fail "status did not say it reads beside another program: $(cat "$dir/status.out")"
grep -q "^lease holder: Counter PC" "$dir/status.out" || fail "status beside: no lease: $(cat "$dir/status.out")"
timeout 10 "${c[@]}" --store "$dir/counter.sqlite3" export > "$dir/beside.csv" ||
  fail "export beside the program that has the store"
grep -q "order_id,call_number" "$dir/beside.csv" || fail "export beside: no CSV"

exec 3>&-
wait "$writer" || fail "the first program did not stop cleanly"
pids=("${pids[@]/$writer}")
# Once it has stopped, the store is free again.
timeout 30 "${c[@]}" --store "$dir/counter.sqlite3" status > "$dir/status2.out" || fail "status after the first stopped"
grep -q "^lease holder: Counter PC" "$dir/status2.out" || fail "status after: $(cat "$dir/status2.out")"

# export of a store this user may not write: a file of mode 0444 in a read-only folder, cleanly closed
# (no -wal or -shm beside it). root may write anything, so there it runs as nobody.
mkdir "$dir/ro"
cp "$dir/counter.sqlite3" "$dir/ro/store.sqlite3"
printf '%s\n' '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":2}],"paid":1000}}' |
  timeout 30 "${c[@]}" --store "$dir/ro/store.sqlite3" run > /dev/null
rm -f "$dir/ro/store.sqlite3.lock"
chmod 0444 "$dir/ro/store.sqlite3"
chmod 0555 "$dir/ro"
chmod 0755 "$dir"
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
HOME=/nonexistent timeout 10 "${as_user[@]}" "$ctl" --store "$dir/ro/store.sqlite3" export > "$dir/ro.csv" 2> "$dir/ro.err" ||
  fail "export of a read-only store: $(cat "$dir/ro.err")"
grep -q "焼きそば" "$dir/ro.csv" || fail "export of a read-only store: no order line: $(cat "$dir/ro.csv")"
[ ! -e "$dir/ro/store.sqlite3-wal" ] || fail "export wrote beside a read-only store"

# A restore killed half way (the answers are slow, so it is still on its way), then run again.
start_server slow --latency-ms 300
slow_url=$url
timeout 60 "$ctl" --bucket stall --endpoint "$slow_url" --prefix ctl/stall --store "$dir/seed.sqlite3" \
  --device-name Seed run <<< '{"kind":"product.save","args":{"name":"ラムネ","price":200,"stock":5,"sold_out":false,"tags":[]}}' \
  > /dev/null
"$ctl" --bucket stall --endpoint "$slow_url" --prefix ctl/stall --store "$dir/backup.sqlite3" restore \
  > "$dir/restore1.out" 2>&1 &
restore=$!
pids+=($restore)
for _ in $(seq 200); do [ -e "$dir/backup.sqlite3.restoring" ] && break; sleep 0.02; done
[ -e "$dir/backup.sqlite3.restoring" ] || fail "the restore did not start: $(cat "$dir/restore1.out")"
kill -9 "$restore"
wait "$restore" 2>/dev/null || true
[ ! -e "$dir/backup.sqlite3" ] || fail "a restore killed half way left a store behind"
started=$(date +%s)
timeout 60 "$ctl" --bucket stall --endpoint "$slow_url" --prefix ctl/stall --store "$dir/backup.sqlite3" restore \
  > "$dir/restore2.out" 2>&1 || fail "the restore after the killed one: $(cat "$dir/restore2.out")"
grep -q "unfinished restore into $dir/backup.sqlite3 was found" "$dir/restore2.out" ||
  fail "the second restore did not say it starts again: $(cat "$dir/restore2.out")"
grep -q "restored the stall at log position .* into $dir/backup.sqlite3\$" "$dir/restore2.out" ||
  fail "restore: $(cat "$dir/restore2.out")"
[ ! -e "$dir/backup.sqlite3.restoring" ] || fail "the unfinished file is still there"
"$ctl" --store "$dir/backup.sqlite3" export > "$dir/backup.csv" || fail "the restored store cannot be read"
echo "yatai-ctl: one program on a store, status and export beside it, a read-only export, a restore again" \
  "after a kill ($(( $(date +%s) - started )) s)"
