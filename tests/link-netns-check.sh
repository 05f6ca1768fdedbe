#!/usr/bin/env bash
# link-netns-check.sh: the venue link between two computers, made of two network namespaces.
#
#   "Counter PC" (namespace A) and "Kitchen" (namespace B) are joined by a veth pair, the venue's local
#   network; each also has a veth pair to this computer, where yatai-test-bucket stands for the
#   internet. Each namespace runs its own D-Bus system bus and Avahi daemon (in a mount namespace of
#   its own, so each has its own /run/dbus and /run/avahi-daemon), so DNS-SD is real and goes over the
#   venue's veth only. It checks that the kitchen finds the counter by DNS-SD and follows it over the
#   link, that its order gets its call number from the counter; that with the bucket server stopped the
#   stall goes on end to end and every order is in the bucket once it is back; that with the venue's
#   veth down the kitchen goes on through the bucket, and back to the link when it is up; that a device
#   of another stall is refused on both sides; that the kitchen restarted with --takes-orders is handed
#   the orders at once (no lease waited out); and that no customer's name is in any byte captured
#   (tshark) on the venue's network. Traffic goes only to the addresses made here.
#
#   Pairing's discovery too: while a counter's Add a Device is open (pair-announce publishes what it
#   does), `yatai-ctl pair CODE` on the kitchen's network finds that counter by name, and once it is
#   closed finds none.
#
#   A stall without a bucket too: a counter with none (link-counter) pairs a new device by the code
#   over the venue's network, which follows it there alone and gets its order's call number.
#
#   Usage: link-netns-check.sh YATAI_CTL YATAI_TEST_BUCKET PAIR_ANNOUNCE LINK_COUNTER. Needs root, ip, dbus-daemon,
#   avahi-daemon, nsenter and tshark: without them it is skipped (exit 77) and says why.
set -uo pipefail
ctl=$1
server=$2
announce=$(realpath "$3")   # nsenter starts in the namespace's root: absolute paths
link_counter=$(realpath "$4")
ctl_path=$(realpath "$ctl")

skip () { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
for tool in ip dbus-daemon avahi-daemon tshark mount nsenter; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (tools/dev installs it)"
done

tag=yt$(( $$ % 100000 ))
n=$(( $$ % 250 + 1 ))
A=$tag-a
B=$tag-b
venue_a=10.218.$n.1
venue_b=10.218.$n.2
internet=10.219.$n.1        # this computer's end of A's pair: the bucket listens here
dir=$(mktemp -d)
pids=()

cleanup () {
  for ns in "$A" "$B"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.3
  for ns in "$A" "$B"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  ip link del "${tag}ha" 2>/dev/null
  ip link del "${tag}hb" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

fail () {
  echo "FAILED: $*"
  for f in "$dir"/*.out "$dir"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  exit 1
}
# wait_for SECONDS FILE PATTERN: until FILE has a line matching PATTERN (grep -E).
wait_for () {
  local i
  for ((i = 0; i < $1 * 20; i++)); do
    grep -qE -- "$3" "$2" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
count () { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# The network: A ⇄ B (the venue), A ⇄ here and B ⇄ here (the internet).
ip netns add "$A" && ip netns add "$B" || fail "cannot make network namespaces"
ip link add "${tag}va" type veth peer name "${tag}vb"
ip link set "${tag}va" netns "$A"
ip link set "${tag}vb" netns "$B"
ip -n "$A" addr add "$venue_a/24" dev "${tag}va"
ip -n "$B" addr add "$venue_b/24" dev "${tag}vb"
ip link add "${tag}ha" type veth peer name "${tag}ia"
ip link add "${tag}hb" type veth peer name "${tag}ib"
ip link set "${tag}ia" netns "$A"
ip link set "${tag}ib" netns "$B"
ip addr add "$internet/24" dev "${tag}ha"
ip addr add "10.220.$n.1/24" dev "${tag}hb"
ip -n "$A" addr add "10.219.$n.2/24" dev "${tag}ia"
ip -n "$B" addr add "10.220.$n.2/24" dev "${tag}ib"
ip link set "${tag}ha" up
ip link set "${tag}hb" up
for ns in "$A" "$B"; do
  ip -n "$ns" link set lo up
  for dev in $(ip -n "$ns" -o link show | sed -n "s/^[0-9]*: \(${tag}[a-z]*\)@.*/\1/p"); do
    ip -n "$ns" link set "$dev" up
  done
done
# B reaches the bucket through its own pair: this computer answers for all of its addresses.
ip -n "$B" route add "$internet/32" via "10.220.$n.1"

# D-Bus and Avahi of each namespace: mDNS on the venue's veth only.
cat > "$dir/bus.conf" <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
for side in a b; do
  cat > "$dir/avahi-$side.conf" <<EOF
[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=${tag}v$side
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[publish]
publish-hinfo=no
publish-workstation=no
EOF
done
# device.sh AVAHI_CONF COMMAND...: this namespace's bus and Avahi daemon, then COMMAND. `ip netns
# exec` gives it a mount namespace of its own already, so the tmpfs mounts are its alone.
cat > "$dir/device.sh" <<EOF
set -e
mkdir -p /run/dbus /run/avahi-daemon
mount -t tmpfs tmpfs /run/dbus
mount -t tmpfs tmpfs /run/avahi-daemon
dbus-daemon --config-file="$dir/bus.conf" --fork --nopidfile
avahi-daemon --no-drop-root --no-chroot --no-rlimits -f "\$1" -D
shift
for _ in \$(seq 100); do [ -S /run/avahi-daemon/socket ] && break; sleep 0.05; done
exec "\$@"
EOF

export GSETTINGS_BACKEND=memory
export G_MESSAGES_DEBUG="yatai-sync yatai-link"

start_bucket () {
  # A new file: the old one's "listening" line must not be taken for the new server's.
  rm -f "$dir/bucket.out"
  "$server" --host "$internet" --port "${port:-0}" --dir "$dir/bucket" --bucket stall > "$dir/bucket.out" 2>&1 &
  bucket_pid=$!
  pids+=("$bucket_pid")
  wait_for 10 "$dir/bucket.out" "^listening" || fail "the bucket server did not start"
  url=$(sed -n 's/^listening on //p' "$dir/bucket.out")
  port=${url##*:}
}
start_bucket
c=("$ctl" --bucket stall --endpoint "$url" --prefix venue/stall)

# Everything on the venue's network is captured from the start.
ip netns exec "$A" tshark -i "${tag}va" -w "$dir/venue.pcap" > "$dir/tshark.out" 2> "$dir/tshark.err" &
pids+=($!)
wait_for 20 "$dir/tshark.err" "Capturing on" || fail "tshark did not start"

# The counter founds the stall and writes, serving the link on every address and a free port.
mkfifo "$dir/counter.in" "$dir/kitchen.in"
ip netns exec "$A" bash "$dir/device.sh" "$dir/avahi-a.conf" \
  "${c[@]}" --store "$dir/counter.sqlite3" --device-name "Counter PC" run \
  < "$dir/counter.in" > "$dir/counter.out" 2>&1 &
counter_pid=$!
pids+=($!)
exec 3> "$dir/counter.in"
wait_for 30 "$dir/counter.out" "^writer" || fail "the counter did not become the writer"
wait_for 10 "$dir/counter.out" "Serving the link on port [0-9]+" || fail "the counter does not serve the link"
link_port=$(sed -n 's/.*Serving the link on port \([0-9]*\).*/\1/p' "$dir/counter.out" | head -n 1)
wait_for 10 "$dir/counter.out" "Published _yatai._tcp" || fail "the counter did not publish the link by DNS-SD"
printf '%s\n' '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":100,"sold_out":false,"tags":[]}}' >&3
wait_for 10 "$dir/counter.out" '"result"' || fail "the counter did not save the product"

# The kitchen is told no address: it finds the counter by DNS-SD, on the venue's network.
ip netns exec "$B" bash "$dir/device.sh" "$dir/avahi-b.conf" \
  "${c[@]}" --store "$dir/kitchen.sqlite3" --device-name "Kitchen" run \
  < "$dir/kitchen.in" > "$dir/kitchen.out" 2>&1 &
kitchen_pid=$!
pids+=($!)
exec 4> "$dir/kitchen.in"
wait_for 30 "$dir/kitchen.out" "^follower" || fail "the kitchen did not join as a follower"
wait_for 20 "$dir/kitchen.out" "Found the stall's writer at $venue_a:$link_port" ||
  fail "the kitchen did not find the counter by DNS-SD"
wait_for 20 "$dir/kitchen.out" "Following “Counter PC” over the link at $venue_a:$link_port" ||
  fail "the kitchen does not follow the counter over the link"

# Pairing's discovery, on each side's own bus and Avahi daemon (the devices' namespaces): a counter
# with Add a Device open is found by its name, and no longer once it is closed.
mkfifo "$dir/announce.in"
nsenter -t "$counter_pid" -m -n "$announce" "Counter PC" 47999 < "$dir/announce.in" > "$dir/announce.out" 2>&1 &
pids+=($!)
exec 5> "$dir/announce.in"
wait_for 20 "$dir/announce.out" "^published" || fail "Add a Device's pairing service was not published"
found=""
for i in $(seq 10); do
  nsenter -t "$kitchen_pid" -m -n "$ctl_path" --store "$dir/paired-$i.sqlite3" pair 123456 > "$dir/pair.out" 2> "$dir/pair.err"
  grep -q "^Found the counter “Counter PC” at $venue_a:47999\.$" "$dir/pair.out" && { found=yes; break; }
done
[ -n "$found" ] || fail "yatai-ctl pair CODE did not find the counter by DNS-SD"
exec 5>&-
wait_for 10 "$dir/announce.out" "^withdrawn" || fail "Add a Device's pairing service was not withdrawn"
gone=""
for i in $(seq 10); do
  nsenter -t "$kitchen_pid" -m -n "$ctl_path" --store "$dir/unpaired-$i.sqlite3" pair 123456 > "$dir/pair.out" 2> "$dir/pair.err"
  grep -q "No counter showing Add a Device was found on this network" "$dir/pair.err" && { gone=yes; break; }
done
[ -n "$gone" ] || fail "yatai-ctl pair CODE still found a counter after Add a Device closed"

# status, on the kitchen's store, names the writer on the link and the devices following it, at the
# addresses the counter wrote in the lease (with its first renewal, 10 s after it began writing).
# Under ASan the test's environment unwinds the whole stack at every allocation (so that the leak rules
# match inside libsoup): a TLS handshake then takes longer than the 3 s status gives the link. status
# serves nothing, so it runs with the fast unwinder.
status_asan=${ASAN_OPTIONS:-}
status_asan=${status_asan//fast_unwind_on_malloc=0/fast_unwind_on_malloc=1}
for _ in $(seq 60); do
  ip netns exec "$B" env ASAN_OPTIONS="$status_asan" "${c[@]}" --store "$dir/kitchen.sqlite3" status > "$dir/status.out" 2>&1
  grep -q "^link peers: .*Kitchen ($venue_b" "$dir/status.out" && break
  sleep 0.5
done
grep -q "^link addresses: .*$venue_a:$link_port" "$dir/status.out" || fail "the lease does not say where the link is"
grep -q "^link: Counter PC at $venue_a:$link_port" "$dir/status.out" || fail "status does not name the writer on the link"
grep -q "^link peers: .*Kitchen ($venue_b" "$dir/status.out" || fail "status does not list the link's peers"

order () {   # order FD CUSTOMER
  printf '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500,"customer":"%s"}}\n' "$2" >&"$1"
}
# The kitchen's order: its call number comes back from the counter.
order 4 "Hanako Zqvkitchen"
wait_for 10 "$dir/kitchen.out" '"applied": true, "result": \{[^}]*"call_number":1' ||
  fail "the kitchen's order got no call number from the counter"

# The internet goes (the bucket server stops): the stall goes on over the link.
kill "$bucket_pid"
wait "$bucket_pid" 2>/dev/null
order 3 "Taro Zqvcounter"
wait_for 10 "$dir/counter.out" '"call_number":2' || fail "the counter took no order without the bucket"
order 4 "Jiro Zqvoffline"
wait_for 10 "$dir/kitchen.out" '"call_number":3' || fail "the kitchen's order was not answered without the bucket"
for _ in $(seq 100); do
  [ "$("${c[@]}" --store "$dir/kitchen.sqlite3" export 2>/dev/null | grep -c 焼きそば)" -ge 3 ] && break
  sleep 0.1
done
[ "$("${c[@]}" --store "$dir/kitchen.sqlite3" export 2>/dev/null | grep -c 焼きそば)" -ge 3 ] ||
  fail "the kitchen's store does not hold the counter's order taken without the bucket"

# The internet is back: every order reaches the bucket (a new device restores all three).
start_bucket
for _ in $(seq 60); do
  rm -f "$dir/check.sqlite3"
  timeout 20 "${c[@]}" --store "$dir/check.sqlite3" restore > "$dir/restore.out" 2>&1 &&
    [ "$("${c[@]}" --store "$dir/check.sqlite3" export 2>/dev/null | grep -c 焼きそば)" -eq 3 ] && break
  sleep 0.5
done
[ "$("${c[@]}" --store "$dir/check.sqlite3" export 2>/dev/null | grep -c 焼きそば)" -eq 3 ] ||
  fail "the orders taken without the bucket did not all reach it"

# The venue's network is cut: the kitchen goes on through the bucket.
ip -n "$A" link set "${tag}va" down
order 4 "Saburo Zqvbucket"
wait_for 20 "$dir/kitchen.out" '"call_number":4' || fail "the kitchen's order did not go through the bucket"
grep -q "Link to $venue_a:$link_port down: .*stopped answering" "$dir/kitchen.out" || fail "the kitchen did not notice the link was down"
# ... and back to the link when it returns.
following=$(count "$dir/kitchen.out" "Following “Counter PC” over the link")
ip -n "$A" link set "${tag}va" up
for _ in $(seq 300); do
  [ "$(count "$dir/kitchen.out" "Following “Counter PC” over the link")" -gt "$following" ] && break
  sleep 0.05
done
[ "$(count "$dir/kitchen.out" "Following “Counter PC” over the link")" -gt "$following" ] ||
  fail "the kitchen did not go back to the link"

# A device of another stall (another key) is refused, and says so; the counter says so too.
printf "" | timeout 30 "$ctl" --bucket stall --endpoint "$url" --prefix venue/strangers \
  --store "$dir/stranger.sqlite3" --device-name "Stranger" --link-listen 127.0.0.1:0 run > "$dir/found.out" 2>&1 ||
  fail "the other stall could not be founded"
ip netns exec "$B" timeout 10 "$ctl" --bucket stall --endpoint "$url" --prefix venue/strangers \
  --store "$dir/stranger.sqlite3" --device-name "Stranger" --link "$venue_a:$link_port" follow \
  > "$dir/stranger.out" 2>&1 &
stranger=$!
pids+=("$stranger")
wait_for 10 "$dir/stranger.out" "refused this device: it does not hold this stall’s key" ||
  fail "the stranger was not told it was refused"
wait_for 10 "$dir/counter.out" "is not a device of this stall" || fail "the counter did not say it refused a stranger"
kill "$stranger" 2>/dev/null

# A stall without a bucket, in the same namespaces (their Avahi daemons): a counter with no bucket
# founds it by Add a Device (link-counter), a new device pairs by the code over the venue's network,
# follows it there alone, and its order gets its call number from that counter.
mkfifo "$dir/nobucket.in" "$dir/nobucket-kitchen.in"
nsenter -t "$counter_pid" -m -n "$link_counter" "$dir/nobucket-counter.sqlite3" "Stall Counter" \
  < "$dir/nobucket.in" > "$dir/nobucket-counter.out" 2>&1 &
pids+=($!)
exec 6> "$dir/nobucket.in"
wait_for 10 "$dir/nobucket-counter.out" "^writer" || fail "the counter without a bucket does not write"
wait_for 10 "$dir/nobucket-counter.out" "^code [0-9]{6}$" || fail "the counter without a bucket shows no code"
code=$(sed -n 's/^code //p' "$dir/nobucket-counter.out" | head -n 1)
echo "Zqvnobucket" >&6
wait_for 10 "$dir/nobucket-counter.out" "^saved Zqvnobucket" || fail "the counter without a bucket did not save"
nsenter -t "$kitchen_pid" -m -n "$ctl_path" --store "$dir/nobucket-kitchen.sqlite3" --device-name "Stall Kitchen" \
  pair "$venue_a:47121" "$code" > "$dir/nobucket-pair.out" 2>&1 || fail "pairing without a bucket failed"
wait_for 10 "$dir/nobucket-counter.out" "^paired" || fail "the counter without a bucket did not give the stall"
nsenter -t "$kitchen_pid" -m -n "$ctl_path" --store "$dir/nobucket-kitchen.sqlite3" run \
  < "$dir/nobucket-kitchen.in" > "$dir/nobucket-kitchen.out" 2>&1 &
pids+=($!)
exec 7> "$dir/nobucket-kitchen.in"
wait_for 10 "$dir/nobucket-kitchen.out" "^follower" || fail "the device paired without a bucket does not follow"
wait_for 30 "$dir/nobucket-kitchen.out" "Following “Stall Counter” over the link at " ||
  fail "the device paired without a bucket does not follow its counter on the venue's network"
printf '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500,"customer":"%s"}}\n' \
  "Hanako Zqvnobucket" >&7
wait_for 10 "$dir/nobucket-kitchen.out" '"applied": true, "result": \{[^}]*"call_number":1' ||
  fail "the order of the device paired without a bucket got no call number"
exec 6>&- 7>&-

# The kitchen becomes the device that takes the orders: restarted with --takes-orders, the counter hands
# over at once (it uploads what it has, releases the lease, the kitchen claims it), long before the
# lease's 30 s could run out, and the kitchen's next order is its own.
# (SIGTERM, the way a shutdown stops it: its input's other ends are held by every process started since.)
kill -TERM "$kitchen_pid"
wait "$kitchen_pid" || fail "the kitchen did not stop cleanly"
exec 4>&-
mkfifo "$dir/kitchen2.in"
started=$(date +%s)
ip netns exec "$B" "${c[@]}" --store "$dir/kitchen.sqlite3" --device-name "Kitchen" --takes-orders run \
  < "$dir/kitchen2.in" > "$dir/kitchen2.out" 2>&1 &
pids+=($!)
exec 4> "$dir/kitchen2.in"
wait_for 20 "$dir/kitchen2.out" "^writer" || fail "the counter did not hand the orders to the kitchen"
took=$(( $(date +%s) - started ))
[ "$took" -lt 20 ] || fail "the handover took $took s, as long as waiting out the lease"
wait_for 10 "$dir/counter.out" "^follower" || fail "the counter did not follow the kitchen after handing over"
order 4 "Shiro Zqvhandover"
wait_for 10 "$dir/kitchen2.out" '"call_number":5' || fail "the kitchen's order after the handover got no call number"

# Nothing a stranger could read: no customer's name in any byte on the venue's network.
exec 3>&- 4>&-
sleep 1
ip netns pids "$A" | while read -r pid; do
  [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = tshark ] || [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dumpcap ] &&
    kill -INT "$pid"
done
sleep 1
size=$(stat -c %s "$dir/venue.pcap" 2>/dev/null || echo 0)
[ "$size" -gt 20000 ] || fail "the capture holds almost nothing ($size bytes)"
packets=$(tshark -r "$dir/venue.pcap" -Y "tcp.port == $link_port" 2>/dev/null | wc -l)
[ "$packets" -gt 50 ] || fail "the capture holds no link traffic ($packets packets)"
for name in Zqvkitchen Zqvcounter Zqvoffline Zqvbucket Zqvnobucket Zqvhandover 焼きそば; do
  if grep -aq "$name" "$dir/venue.pcap"; then fail "“$name” is readable on the venue's network"; fi
done
grep -aq "_yatai" "$dir/venue.pcap" || fail "no DNS-SD on the venue's network"
echo "venue link: found by DNS-SD, followed, commands answered, the bucket stopped and cut, a stranger refused;"
echo "  a stall without a bucket paired by code, followed on the venue's network, its order answered;"
echo "  the kitchen given the orders by --takes-orders in $took s;"
echo "  captured $size bytes ($packets link packets) on the venue's network, no customer name in them"
