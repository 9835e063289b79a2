# Sourced by multi-host.sh: scenario (d) failures — scale-out under failure (issue 11). Uses the helpers and
# variables of multi-host.sh (add_host, start_bg, wait_for_line, fail, info, step, SUMMARY, WORK, ...).
#
# Standalone servers fs1-fs3 (body reads limited to 8 MiB/s per connection, so pushes last long enough to be
# interrupted) and a client host fclient:
#   parallelism  one 8 MiB file to the three servers at once: the push takes about as long as one target
#   killed       a server killed (SIGKILL) mid-push: the client exits 1 within deadPeerMs + retry budget,
#                the partial is kept; after a restart the re-push completes (exit 0)
#   partitioned  a server's link cut mid-push (packets dropped, no reset): noticed within deadPeerMs
#   restarted    a server stopped mid-push and started again 1 s later: the push completes (exit 0)
# Then the same hosts as a Hazelcast cluster, each server storing on its own 8 MiB tmpfs:
#   expect       cluster:all with "expect": 4 and three servers: exit 1 naming the shortfall
#   any          three clients at once to cluster:any, room for one 3 MiB file per server: all exit 0,
#                one file per server

FAIL_DEAD_PEER_MS=3000
FAIL_RETRY='{"attempts":10,"backoffMs":200,"maxBackoffMs":1000,"maxElapsedMs":4000}'

# report_num_at FILE KEY INDENT: the numbers of "KEY" at exactly INDENT spaces (Vert.x pretty print)
report_num_at() { grep -oE "^ {$3}\"$2\" : [0-9]+" "$1" | grep -oE '[0-9]+$'; }

# run_client HOST LOG CONF [LAUNCHER ARGS...]: run the client jar (JVM options in CLIENT_PROPS), return its exit
CLIENT_PROPS=()
run_client() {
  local host=$1 log=$2 conf=$3; shift 3
  in_ns "$host" timeout -k 5 "$PUSH_TIMEOUT" "$JAVA" $JAVA_OPTS "${CLIENT_PROPS[@]}" -jar "$CLIENT_JAR" -conf "$conf" "$@" \
    </dev/null >"$log" 2>&1 9<&-
}

start_failure_server() { # start_failure_server INDEX -> FS_PID[INDEX]
  local i=$1 h=fs$1 ip=$SUBNET.$((40 + $1))
  start_bg "$h" "$FBASE/$h/server.log.$FS_RUN" "$JAVA" $JAVA_OPTS -jar "$SERVER_JAR" -conf \
    "{\"host\":\"$ip\",\"port\":$PORT,\"storageDir\":\"$FBASE/$h/storage\",\"serverId\":\"$h\",\"auth\":\"none\",
      \"limits\":{\"rateLimitPerConnection\":\"8MiB\",\"idleTimeoutMs\":120000}}"
  FS_PID[$i]=$LAST_PID
  wait_for_line "$LAST_PID" "$FBASE/$h/server.log.$FS_RUN" "listening on" "$START_TIMEOUT" \
    || fail "server $h did not start within ${START_TIMEOUT}s" "$FBASE/$h/server.log.$FS_RUN"
}

# wait_partial DIR SECONDS: until a partial file with bytes appears under DIR
wait_partial() {
  local dir=$1 deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ -n "$(find "$dir" -name '*.kirim-part' -size +0 2>/dev/null | head -1)" ] && return 0
    sleep 0.1
  done
  return 1
}

# push_bg NAME HOST CONF: a client run in the background; its exit code lands in $FBASE/NAME.rc
push_bg() {
  local name=$1 host=$2 conf=$3
  ( run_client "$host" "$FBASE/$name.log" "$conf"; echo $? >"$FBASE/$name.rc" ) &
  PUSH_PID=$!; PIDS+=("$PUSH_PID")
}

scenario_failures() {
  FBASE=$WORK/failures
  FS_RUN=1
  declare -g -a FS_PID=()
  local i h cl=fclient ipc=$SUBNET.44 data=$WORK/failures/fclient/data rc t secs
  CURRENT_STEP="failures: network"
  step "failures: hosts fs1-fs3=$SUBNET.41-43, $cl=$ipc"
  for i in 1 2 3; do add_host "fs$i" "$SUBNET.$((40 + i))"; mkdir -p "$FBASE/fs$i/storage"; done
  add_host "$cl" "$ipc"
  mkdir -p "$data"
  head -c $((8 * 1048576 + 123)) /dev/urandom >"$data/par.bin"
  head -c $((40 * 1048576 + 7)) /dev/urandom >"$data/big.bin"
  for i in 1 2 3; do start_failure_server "$i"; done
  info "three standalone servers listening (body reads limited to 8 MiB/s per connection)"

  # ---- parallelism: N targets at once
  CURRENT_STEP="failures: parallelism"
  step "failures: one 8 MiB file to three targets at once"
  local targets="\"$SUBNET.41:$PORT\",\"$SUBNET.42:$PORT\",\"$SUBNET.43:$PORT\""
  run_client "$cl" "$FBASE/par.log" "{\"targets\":[$targets],\"files\":[\"$data/par.bin\"],\"report\":\"$FBASE/par.json\"}"
  rc=$?
  [ "$rc" = 0 ] || fail "parallel push exit $rc" "$FBASE/par.log"
  local total sum
  total=$(report_num_at "$FBASE/par.json" durationMs 2 | head -1)
  sum=$(sed -n '/^  "targets" : \[/,/^  } \]/p' "$FBASE/par.json" | grep -oE '^    "durationMs" : [0-9]+' | grep -oE '[0-9]+$' | awk '{s+=$1} END{print s+0}')
  info "push ${total} ms; the three targets took ${sum} ms together"
  [ "$total" -lt $(( sum * 6 / 10 )) ] || fail "targets were not pushed at once: push ${total} ms, targets together ${sum} ms" "$FBASE/par.json"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures parallel 3 $((3 * 8388731)) "$(awk -v m="$total" 'BEGIN{printf "%.2f", m/1000}')" "ok (push ${total} ms, targets ${sum} ms summed)")")

  # ---- killed server
  CURRENT_STEP="failures: killed server"
  step "failures: fs1 killed (SIGKILL) mid-push; deadPeerMs $FAIL_DEAD_PEER_MS, retry.maxElapsedMs 4000"
  local conf1="{\"targets\":[\"$SUBNET.41:$PORT\"],\"files\":[\"$data/big.bin\"],\"deadPeerMs\":$FAIL_DEAD_PEER_MS,\"retry\":$FAIL_RETRY,\"report\":\"$FBASE/kill.json\"}"
  push_bg kill "$cl" "$conf1"
  wait_partial "$FBASE/fs1/storage" 30 || fail "no partial upload on fs1" "$FBASE/kill.log"
  t=$EPOCHREALTIME
  # every process in fs1's namespace is this run's server (and the timeout(1) around it)
  kill -KILL $(ip netns pids "${PREFIX}fs1") 2>/dev/null
  wait "${FS_PID[1]}" 2>/dev/null
  wait "$PUSH_PID"; rc=$(cat "$FBASE/kill.rc"); secs=$(secs_since "$t")
  [ "$rc" = 1 ] || fail "client exit $rc after its server was killed, expected 1" "$FBASE/kill.log"
  [ -n "$(find "$FBASE/fs1/storage" -name '*.kirim-part' -size +0)" ] || fail "the partial file was not kept" "$FBASE/kill.log"
  info "client exit 1 ${secs} s after the kill (limit: deadPeerMs + retry budget = 7 s); partial kept: $(find "$FBASE/fs1/storage" -name '*.kirim-part' -printf '%s bytes')"
  awk -v s="$secs" 'BEGIN{exit !(s < 7 + 3)}' || fail "the client took ${secs} s to give up" "$FBASE/kill.log"
  KILLED_SECS=$secs
  FS_RUN=2; start_failure_server 1
  run_client "$cl" "$FBASE/kill2.log" "{\"targets\":[\"$SUBNET.41:$PORT\"],\"files\":[\"$data/big.bin\"],\"report\":\"$FBASE/kill2.json\"}"
  rc=$?
  [ "$rc" = 0 ] || fail "re-push after restart exit $rc" "$FBASE/kill2.log"
  cmp -s "$data/big.bin" "$FBASE/fs1/storage/big.bin" || fail "big.bin differs on fs1 after the re-push"
  # The partial belongs to the run that sent it (its resume id): a new run of an anonymous client starts
  # from 0, one of an authenticated client resumes (README "Resume belongs to its uploader").
  local resumed; resumed=$(grep -oE '"resumedFrom" : [0-9]+' "$FBASE/kill2.json" | grep -oE '[0-9]+$' | head -1)
  info "re-push exit 0 (resumed from byte ${resumed:-0}: a new anonymous run does not own the partial), big.bin identical"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures killed 1 "$(stat -c %s "$data/big.bin")" "$secs" "ok (exit 1 after ${secs} s, re-push completed)")")

  # ---- partitioned server
  CURRENT_STEP="failures: partitioned server"
  step "failures: fs2's link cut mid-push (no reset: packets dropped)"
  local conf2="{\"targets\":[\"$SUBNET.42:$PORT\"],\"files\":[\"$data/big.bin\"],\"deadPeerMs\":$FAIL_DEAD_PEER_MS,\"connectTimeoutMs\":2000,\"retry\":$FAIL_RETRY,\"report\":\"$FBASE/part.json\"}"
  push_bg part "$cl" "$conf2"
  wait_partial "$FBASE/fs2/storage" 30 || fail "no partial upload on fs2" "$FBASE/part.log"
  t=$EPOCHREALTIME
  in_ns fs2 ip link set eth0 down
  local detected= until=$(( $(date +%s) + 120 ))
  while kill -0 "$PUSH_PID" 2>/dev/null || [ ! -f "$FBASE/part.rc" ]; do
    if [ -z "$detected" ] && grep -q "Connection dropped: no progress" "$FBASE/part.log"; then detected=$(secs_since "$t"); fi
    [ "$(date +%s)" -lt "$until" ] || fail "the push to the cut-off fs2 did not end within 120 s" "$FBASE/part.log"
    sleep 0.05
  done
  [ -n "$detected" ] || { grep -q "Connection dropped: no progress" "$FBASE/part.log" && detected=$(secs_since "$t"); }
  wait "$PUSH_PID"; rc=$(cat "$FBASE/part.rc"); secs=$(secs_since "$t")
  in_ns fs2 ip link set eth0 up
  [ "$rc" = 1 ] || fail "client exit $rc after its server was cut off, expected 1" "$FBASE/part.log"
  [ -n "$detected" ] || fail "the client never said 'no progress'" "$FBASE/part.log"
  awk -v s="$detected" -v d="$FAIL_DEAD_PEER_MS" 'BEGIN{exit !(s < d / 1000 + 2)}' \
    || fail "a silent server was noticed after ${detected} s, deadPeerMs is $FAIL_DEAD_PEER_MS" "$FBASE/part.log"
  PARTITION_SECS=$detected
  info "noticed ${detected} s after the cut (deadPeerMs $FAIL_DEAD_PEER_MS); client exit 1 after ${secs} s: $(grep -o 'no progress from [^)]*)' "$FBASE/part.log" | head -1)"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures partition 1 "$(stat -c %s "$data/big.bin")" "$secs" "ok (noticed after ${detected} s, exit 1)")")

  # ---- restarted server
  CURRENT_STEP="failures: restarted server"
  step "failures: fs3 stopped mid-push and started again 1 s later (default retries)"
  push_bg restart "$cl" "{\"targets\":[\"$SUBNET.43:$PORT\"],\"files\":[\"$data/big.bin\"],\"report\":\"$FBASE/restart.json\"}"
  wait_partial "$FBASE/fs3/storage" 30 || fail "no partial upload on fs3" "$FBASE/restart.log"
  stop_pid "${FS_PID[3]}"
  sleep 1
  FS_RUN=3; start_failure_server 3
  wait "$PUSH_PID"; rc=$(cat "$FBASE/restart.rc")
  [ "$rc" = 0 ] || fail "push through a restart exit $rc, expected 0" "$FBASE/restart.log"
  cmp -s "$data/big.bin" "$FBASE/fs3/storage/big.bin" || fail "big.bin differs on fs3"
  # The stop must have cut the push: a push that ended before it tested no restart.
  local tries; tries=$(grep -oE '"attempts" : [0-9]+' "$FBASE/restart.json" | grep -oE '[0-9]+$' | head -1)
  [ "${tries:-0}" -ge 2 ] || fail "big.bin took ${tries:-?} try: the stop did not interrupt the push" "$FBASE/restart.log"
  info "push exit 0 through the restart (big.bin in $tries tries), big.bin identical"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures restart 1 "$(stat -c %s "$data/big.bin")" - "ok (exit 0)")")
  for i in 1 2 3; do stop_pid "${FS_PID[$i]}"; done

  scenario_failures_cluster
  del_host fs1 fs2 fs3 "$cl"
}

scenario_failures_cluster() {
  local i h ip cl=fclient ipc=$SUBNET.44 members="$SUBNET.41,$SUBNET.42,$SUBNET.43,$SUBNET.44" pids=() rc
  local props=(-Dkirim.cluster.members="$members" -Dhazelcast.phone.home.enabled=false)
  CURRENT_STEP="failures: cluster start"
  step "failures: fs1-fs3 as a cluster, each storing on its own 8 MiB tmpfs with room for one 3 MiB file"
  for i in 1 2 3; do
    h=fs$i; ip=$SUBNET.$((40 + i))
    mkdir -p "$FBASE/c$h"
    mount -t tmpfs -o size=8m kirim-e2e "$FBASE/c$h" || fail "cannot mount a tmpfs on $FBASE/c$h"
    local avail; avail=$(df -B1 --output=avail "$FBASE/c$h" | tail -1 | tr -d ' ')
    start_bg "$h" "$FBASE/c$h.log" "$JAVA" $JAVA_OPTS "${props[@]}" -Dkirim.cluster.interface="$ip" \
      -jar "$SERVER_JAR" -cluster -cluster-host "$ip" -conf \
      "{\"host\":\"$ip\",\"port\":$PORT,\"storageDir\":\"$FBASE/c$h\",\"serverId\":\"c$h\",\"auth\":\"none\",
        \"limits\":{\"minFreeBytes\":$(( avail - 3 * 1048576 * 3 / 2 ))}}"
    pids+=("$LAST_PID")
  done
  for i in 1 2 3; do
    wait_for_line "${pids[$((i - 1))]}" "$FBASE/cfs$i.log" "Registered in kirim.servers" "$START_TIMEOUT" \
      || fail "clustered server cfs$i did not register within ${START_TIMEOUT}s" "$FBASE/cfs$i.log"
  done
  info "three clustered servers registered"
  CLIENT_PROPS=("${props[@]}" -Dkirim.cluster.interface="$ipc")

  CURRENT_STEP="failures: expect shortfall"
  step "failures: cluster:all expecting 4 servers, 3 running"
  head -c 1000 /dev/urandom >"$FBASE/small.bin"
  run_client "$cl" "$FBASE/expect.log" \
    "{\"targets\":[\"cluster:all\"],\"files\":[\"$FBASE/small.bin\"],\"cluster\":{\"expect\":4,\"waitMs\":1000}}" \
    -cluster -cluster-host "$ipc"
  rc=$?
  [ "$rc" = 1 ] || fail "cluster:all with a shortfall exit $rc, expected 1" "$FBASE/expect.log"
  grep -q "expected 4 live server(s), found 3" "$FBASE/expect.log" || fail "the shortfall is not named" "$FBASE/expect.log"
  info "exit 1: $(grep -o 'cluster:all expected 4 live[^;]*' "$FBASE/expect.log" | head -1)"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures expect 1 1000 - "ok (exit 1, shortfall named)")")

  CURRENT_STEP="failures: cluster:any spread"
  step "failures: three clients at once to cluster:any, room for one 3 MiB file per server"
  local c wp=()
  for c in 1 2 3; do
    head -c $((3 * 1048576)) /dev/urandom >"$FBASE/any-$c.bin"
    ( run_client "$cl" "$FBASE/any-$c.log" "{\"targets\":[\"cluster:any\"],\"files\":[\"$FBASE/any-$c.bin\"],\"report\":\"$FBASE/any-$c.json\"}" \
        -cluster -cluster-host "$ipc"; echo $? >"$FBASE/any-$c.rc" ) &
    wp+=($!); PIDS+=($!)
  done
  for c in "${wp[@]}"; do wait "$c"; done
  for c in 1 2 3; do
    [ "$(cat "$FBASE/any-$c.rc")" = 0 ] || fail "cluster:any client $c exit $(cat "$FBASE/any-$c.rc")" "$FBASE/any-$c.log"
  done
  local per; per=$(for i in 1 2 3; do find "$FBASE/cfs$i" -maxdepth 1 -name 'any-*.bin' | wc -l; done | paste -sd' ' -)
  [ "$per" = "1 1 1" ] || fail "files per server: $per, expected one each" "$FBASE/any-1.log" "$FBASE/any-2.log" "$FBASE/any-3.log"
  local moved; moved=$(cat "$FBASE"/any-*.log | grep -c "instead of" || true)
  info "all three exit 0, one file per server ($per); $moved file(s) moved on after no_space"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' failures any 3 $((9 * 1048576)) - "ok (one per server, $moved moved on)")")
  for i in 1 2 3; do stop_pid "${pids[$((i - 1))]}"; done
  for i in 1 2 3; do umount -l "$FBASE/cfs$i" 2>/dev/null; done
  CLIENT_PROPS=()
}
