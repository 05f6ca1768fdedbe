#!/usr/bin/env bash
# The second-program run (issue 16): every pair of `yatai` (on an Xvfb), `yatai-ctl run` and
# `yatai-ctl follow` on one store, while the stall takes orders. A counter (`yatai-ctl run` on its own
# store) confirms orders all the time; on the kitchen's store the first program of the pair starts (a
# `run` there takes orders too, sent to the counter), then the second one: it must be refused, with a
# message naming the first and its process id, and leave the store alone. At the end a new device
# restores the stall from the bucket: every order confirmed to the person (a call number from the counter,
# or "sent" from the kitchen's `run`) must be there once unless refused, and the kitchen's store must
# have them all too.
# Usage: bench/second-program.sh [ROUNDS]   (3 rounds of the 9 pairs; from the project folder, after a
# build in _build; needs Xvfb, flock, bc and sqlite3)
#
# Every `yatai` runs on one Xvfb started here, as a direct child of this script, so stopping one is
# waiting for that very process to end; each pair starts only once the program before it has ended
# and the store's lock is free (xvfb-run per program raced: its wrapper ended before the app did).
set -euo pipefail
rounds=${1:-3}
build=${YATAI_BUILD_DIR:-_build}
ctl="$build/src/yatai-ctl"
app="$build/src/yatai"
server="$build/tests/server/yatai-test-bucket"
dir=$(mktemp -d)
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" GTK_A11Y=none NO_AT_BRIDGE=1
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/yatai-bench-bus LANGUAGE=en

fail () { echo "second-program: $*" >&2; exit 1; }

# One display for every yatai of the run.
exec 5> "$dir/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp > "$dir/xvfb.out" 2>&1 &
pids+=($!)
for _ in $(seq 200); do [ -s "$dir/display" ] && break; sleep 0.05; done
[ -s "$dir/display" ] || fail "Xvfb did not start: $(cat "$dir/xvfb.out")"
export DISPLAY=":$(head -n 1 "$dir/display")"
exec 5>&-

"$server" --port 0 --dir "$dir/bucket" --bucket stall > "$dir/server.out" &
pids+=($!)
for _ in $(seq 100); do grep -q "^listening" "$dir/server.out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$dir/server.out")
sync_args=(--bucket stall --endpoint "$url" --prefix second/stall)
c=("$ctl" "${sync_args[@]}")
kitchen="$dir/kitchen.sqlite3"

order='{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500}}'

# The counter: founds the stall with a product, then confirms an order every 20 ms until told to stop.
mkfifo "$dir/counter.in"
"${c[@]}" --store "$dir/counter.sqlite3" --device-name Counter run < "$dir/counter.in" > "$dir/counter.out" 2>&1 &
counter=$!
pids+=($counter)
exec 3> "$dir/counter.in"
echo '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":1000000000,"sold_out":false,"tags":[]}}' >&3
for _ in $(seq 400); do grep -q '^writer' "$dir/counter.out" && break; sleep 0.05; done
grep -q '^writer' "$dir/counter.out" || { echo "the counter did not start: $(cat "$dir/counter.out")"; exit 1; }
( while sleep 0.02; do echo "$order" || exit 0; done ) >&3 &
feeder=$!
pids+=($feeder)

# The kitchen's store starts as a copy of the stall (its first start restores it).
timeout 60 "${c[@]}" --store "$kitchen" restore > /dev/null

holder_name () {  # the program that holds the store now ("" when nobody); tries the lock, so only while
                  # no program is starting
  local pid
  flock -n -E 99 "$kitchen.lock" true 2>/dev/null && return 0
  pid=$(sed -n 2p "$kitchen.lock" 2>/dev/null)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && head -n 1 "$kitchen.lock"
  return 0
}

took () {  # took KIND PID: the lock file names that program and process (and it runs)
  [ "$(head -n 1 "$kitchen.lock" 2>/dev/null)" = "$(lock_name "$1")" ] &&
    [ "$(sed -n 2p "$kitchen.lock" 2>/dev/null)" = "$2" ] && kill -0 "$2" 2>/dev/null
}

start () {  # start KIND NAME: the program's pid in $started
  local kind=$1 name=$2
  case $kind in
    yatai)
      "$app" --store "$kitchen" "${sync_args[@]}" --device-name Kitchen > "$dir/$name.out" 2>&1 &
      started=$! ;;
    run)
      mkfifo "$dir/$name.in"
      "${c[@]}" --store "$kitchen" --device-name Kitchen run < "$dir/$name.in" > "$dir/$name.out" 2>&1 &
      started=$!
      # Orders from the kitchen too, one every 50 ms, as long as it reads them.
      ( exec 4> "$dir/$name.in"; while sleep 0.05; do echo "$order" >&4 || exit 0; done ) &
      feeders+=($!) ;;
    follow)
      "${c[@]}" --store "$kitchen" --device-name Kitchen follow > "$dir/$name.out" 2>&1 &
      started=$! ;;
  esac
  pids+=($started)
}

# stop PID [holder]: a clean stop (SIGTERM), then wait for that process to end and, for the program
# that holds the store, for the store's lock to be free; not within 30 s fails the run.
stop () {
  local pid=$1 holder=${2:-}
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 2400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && fail "process $pid did not end within 120 s of SIGTERM"
  wait "$pid" 2>/dev/null || true
  [ -z "$holder" ] || flock -w 30 "$kitchen.lock" true ||
    fail "the store's lock was still held 30 s after process $pid ended"
}

lock_name () {
  case $1 in yatai) echo yatai ;; run) echo "yatai-ctl run" ;; follow) echo "yatai-ctl follow" ;; esac
}

shown_name () {
  case $1 in yatai) echo Yatai ;; run) echo "yatai-ctl run" ;; follow) echo "yatai-ctl follow" ;; esac
}

kinds=(yatai run follow)
pairs=0 refused=0 named=0 let_in=0 worst_ms=0
declare -A pair_refused pair_tries pair_worst
for round in $(seq "$rounds"); do
  for first in "${kinds[@]}"; do
    for second in "${kinds[@]}"; do
      pairs=$((pairs + 1))
      feeders=()
      start "$first" "first.$pairs"
      first_pid=$started
      # Read from the lock file, never by trying the lock: a try, however short, would refuse the
      # program that is starting.
      for _ in $(seq 2400); do took "$first" "$first_pid" && break; sleep 0.05; done
      took "$first" "$first_pid" || fail "$first (process $first_pid, $(kill -0 "$first_pid" 2>/dev/null && echo running || echo ended)) did not take the store; the lock file says: $(tr "\n" " " < "$kitchen.lock"); it printed: $(cat "$dir/first.$pairs.out")"
      holder_pid=$(sed -n 2p "$kitchen.lock")
      [ "$holder_pid" = "$first_pid" ] || fail "the lock names process $holder_pid, not $first_pid ($first)"
      sleep 0.5

      t0=$(date +%s%N)
      start "$second" "second.$pairs"
      second_pid=$started
      outcome="let in"
      for _ in $(seq 1200); do
        if grep -q "This store is open in" "$dir/second.$pairs.out"; then outcome=refused; break; fi
        if ! kill -0 "$second_pid" 2>/dev/null; then
          # It may have said so and ended since the look above.
          grep -q "This store is open in" "$dir/second.$pairs.out" && outcome=refused
          break
        fi
        sleep 0.05
      done
      ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      [ "$ms" -gt "$worst_ms" ] && worst_ms=$ms
      # yatai shows its window with the message and stays until it is closed: close it here.
      status=0
      if [ "$second" = yatai ]; then
        stop "$second_pid"
      else
        for _ in $(seq 600); do kill -0 "$second_pid" 2>/dev/null || break; sleep 0.05; done
        wait "$second_pid" 2>/dev/null || status=$?
      fi
      was_named=0
      if [ "$outcome" = refused ]; then
        refused=$((refused + 1))
        if grep -q "This store is open in $(shown_name "$first") (process $holder_pid)\." "$dir/second.$pairs.out"; then
          named=$((named + 1))
          was_named=1
        fi
        # yatai-ctl says so with a non-zero exit.
        if [ "$second" != yatai ] && [ "$status" -eq 0 ]; then outcome="refused, exit 0"; fi
      else
        let_in=$((let_in + 1))
        echo "pair $pairs ($first, then $second): not refused; it printed: $(head -c 600 "$dir/second.$pairs.out")" >&2
        kill -0 "$second_pid" 2>/dev/null && kill -TERM "$second_pid" 2>/dev/null
        wait "$second_pid" 2>/dev/null || true
      fi
      key="$first|$second"
      pair_tries[$key]=$(( ${pair_tries[$key]:-0} + 1 ))
      [ "$outcome" = refused ] && [ "$was_named" -eq 1 ] && pair_refused[$key]=$(( ${pair_refused[$key]:-0} + 1 ))
      [ "$ms" -gt "${pair_worst[$key]:-0}" ] && pair_worst[$key]=$ms

      # The first one goes on, then stops cleanly.
      sleep 0.5
      stop "$first_pid" holder
      for f in "${feeders[@]}"; do kill "$f" 2>/dev/null || true; wait "$f" 2>/dev/null || true; done
      [ -z "$(holder_name)" ] || fail "the store is still held after pair $pairs: $(holder_name)"
    done
  done
done

# No new orders; the kitchen's store sends what it still has on its way (a last `run` that ends at
# once on its input's end), the counter applies the inbox to its end, then stops cleanly.
kill "$feeder" 2>/dev/null || true
wait "$feeder" 2>/dev/null || true
echo -n | timeout 120 "${c[@]}" --store "$kitchen" --device-name Kitchen run > "$dir/drain.out" 2>&1 ||
  fail "the kitchen's last run did not end cleanly: $(cat "$dir/drain.out")"
inbox_objects () { find "$dir/bucket" -name 'second%2Fstall%2Finbox%2F*.data' | wc -l; }
for _ in $(seq 1200); do [ "$(inbox_objects)" -eq 0 ] && break; sleep 0.05; done
[ "$(inbox_objects)" -eq 0 ] || fail "$(inbox_objects) commands were still in the inbox after 60 s"
exec 3>&-
wait "$counter" || fail "the counter did not stop cleanly: $(tail -n 3 "$dir/counter.out")"
# What was confirmed to the person, by command id: the counter's orders (a call number), the kitchen's
# (`run` printed "sent"). Each must be in the stall's applied commands, as applied (not refused).
grep -h '"call_number"' "$dir/counter.out" | grep -o '^{"id":"[^"]*"' | cut -d'"' -f4 | sort -u > "$dir/confirmed.counter"
cat "$dir"/first.*.out "$dir"/second.*.out 2>/dev/null | grep '"sent":true' | grep -o '^{"id":"[^"]*"' |
  cut -d'"' -f4 | sort -u > "$dir/confirmed.kitchen"
sort -u "$dir/confirmed.counter" "$dir/confirmed.kitchen" > "$dir/confirmed"
# A new device restores the stall; the kitchen's store follows it (`follow`) until it holds every
# order the restored store holds, or 60 s.
timeout 60 "${c[@]}" --store "$dir/restored.sqlite3" restore > /dev/null
applied_ids () {
  sqlite3 "$1" "SELECT id FROM applied_commands WHERE kind = 'order.confirm' AND result NOT LIKE '%\"refused\"%';" | sort -u
}
applied_ids "$dir/restored.sqlite3" > "$dir/restored"
"${c[@]}" --store "$kitchen" --device-name Kitchen follow > "$dir/last.out" 2>&1 &
last=$!
pids+=($last)
for _ in $(seq 600); do
  applied_ids "$kitchen" > "$dir/kitchen" 2>/dev/null || true
  [ -z "$(comm -23 "$dir/restored" "$dir/kitchen")" ] && break
  sleep 0.1
done
stop "$last" holder
applied_ids "$kitchen" > "$dir/kitchen"
sqlite3 "$dir/restored.sqlite3" "SELECT id FROM applied_commands WHERE kind = 'order.confirm' AND result LIKE '%\"refused\"%';" |
  sort -u > "$dir/refused"
refused_orders=$(comm -12 "$dir/confirmed" "$dir/refused" | wc -l)
lost=$(comm -23 "$dir/confirmed" "$dir/restored" | comm -23 - "$dir/refused" | wc -l)
lost_kitchen=$(comm -23 "$dir/confirmed" "$dir/kitchen" | comm -23 - "$dir/refused" | wc -l)
doubled=$(sqlite3 "$dir/restored.sqlite3" \
  "SELECT count(*) FROM (SELECT business_day, day_round, call_number FROM orders GROUP BY 1, 2, 3 HAVING count(*) > 1);")
restored_orders=$(sqlite3 "$dir/restored.sqlite3" "SELECT count(*) FROM orders;")

printf '| first program | second program | refused, naming the first | slowest answer |\n| --- | --- | ---: | ---: |\n'
for first in "${kinds[@]}"; do
  for second in "${kinds[@]}"; do
    key="$first|$second"
    printf '| %s | %s | %d of %d | %.1f s |\n' "$first" "$second" "${pair_refused[$key]:-0}" "${pair_tries[$key]}" \
      "$(echo "${pair_worst[$key]} / 1000" | bc -l)"
  done
done
echo
printf '| what | count |\n| --- | ---: |\n'
printf '| pairs tried | %d |\n' "$pairs"
printf '| second program refused / let in | %d / %d |\n' "$refused" "$let_in"
printf '| refusals naming the first program and its process | %d |\n' "$named"
printf '| slowest refusal (ms) | %d |\n' "$worst_ms"
printf '| orders confirmed: a call number on the counter / "sent" on the kitchen | %d / %d |\n' \
  "$(wc -l < "$dir/confirmed.counter")" "$(wc -l < "$dir/confirmed.kitchen")"
printf '| of them refused by the writer (said so on the kitchen) | %d |\n' "$refused_orders"
printf '| orders in the restored store | %d |\n' "$restored_orders"
printf '| confirmed but lost (restored store / kitchen store) | %d / %d |\n' "$lost" "$lost_kitchen"
printf '| call numbers given twice | %d |\n' "$doubled"
[ "$let_in" -eq 0 ] && [ "$named" -eq "$pairs" ] && [ "$lost" -eq 0 ] && [ "$lost_kitchen" -eq 0 ] && [ "$doubled" -eq 0 ]
