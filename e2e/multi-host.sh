#!/usr/bin/env bash
# kirim multi-host end-to-end test: network namespaces as hosts on one private bridge.
#
#   e2e/multi-host.sh [--scenario standalone|protected|cluster|failures|all] [--jar-dir DIR] [--keep] [--allow-skip]
#
# (a) standalone: one server host and four client hosts (aji, rita, ilham, nurdin) pushing their
#     own files concurrently; every file is checked byte for byte on the server.
# (b) cluster: two server hosts and one client host in one Hazelcast cluster; the client pushes
#     to "cluster:all"; every file is checked on both servers, the report must name both servers
#     and an observer node must see one "kirim.received" event per file per server. Every member shares a
#     cluster secret (signed registry records) and holds a member certificate (event-bus TLS, cluster.tls).
# (c) protected: a server with no "auth" key on 0.0.0.0 refuses a client on another host with
#     "unauthorised" (client exit 1) and accepts one on its own host over 127.0.0.1 (exit 0).
# (d) failures: a server killed, cut off and restarted mid-push, targets pushed at once, cluster:all short
#     of its "expect", three cluster:any clients spreading over three servers (e2e/failures.sh).
# The servers of (a), (b) and (d) listen on their hosts' addresses, so they set "auth": "none".
#
# Needs root and iproute2. Everything it creates is named kirim-e2e-<run id>-* (run id = this shell's PID)
# and lives in its own network namespaces (the bridge too); the root namespace is not touched, nor are
# another run's namespaces: several checkouts may run it at once. See e2e/README.md.
set -uo pipefail

E2E_PREFIX=kirim-e2e-
RUN_ID=$$                       # names every namespace and directory of this run; a live run's PID is never reused
PREFIX=${E2E_PREFIX}${RUN_ID}-
NETNS=${PREFIX}net              # holds the bridge and the host-side veth ends
BRIDGE=kbr0
SUBNET=10.231.7                 # /24, exists only inside our namespaces
PORT=25563
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

SCENARIO=all
JAR_DIR=
KEEP=0
ALLOW_SKIP=0
JAVA=${JAVA:-java}
JAVA_OPTS=${KIRIM_E2E_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
START_TIMEOUT=${KIRIM_E2E_START_TIMEOUT:-40}   # seconds for a server (or cluster node) to come up
PUSH_TIMEOUT=${KIRIM_E2E_PUSH_TIMEOUT:-90}     # seconds for one client run
PROC_LIMIT=300                                 # hard cap on any JVM we start (timeout(1))

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) SCENARIO=${2:-}; shift 2 ;;
    --scenario=*) SCENARIO=${1#*=}; shift ;;
    --jar-dir) JAR_DIR=${2:-}; shift 2 ;;
    --jar-dir=*) JAR_DIR=${1#*=}; shift ;;
    --keep) KEEP=1; shift ;;
    --allow-skip) ALLOW_SKIP=1; shift ;;
    -h|--help) usage ;;
    *) echo "multi-host.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$SCENARIO" in standalone|protected|cluster|failures|all) ;; *) echo "multi-host.sh: --scenario must be standalone, protected, cluster, failures or all" >&2; exit 2 ;; esac

# ---------------------------------------------------------------- output helpers
T0=$EPOCHREALTIME
ts() { awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%6.1fs", b-a}'; }
step() { echo "[$(ts)] ==> $*"; }
info() { echo "[$(ts)]     $*"; }
SUMMARY=()
SKIPPED=
JOIN_SECS=
CURRENT_STEP=
tail_log() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "----- last 30 lines of $f -----"
    tail -n 30 "$f"
  done
}
fail() { # fail MESSAGE [LOG...]
  local msg=$1; shift
  echo "[$(ts)] FAIL [${CURRENT_STEP:-?}]: $msg" >&2
  tail_log "$@" >&2
  print_summary >&2
  echo "RESULT: FAIL (${CURRENT_STEP:-?}: $msg)" >&2
  exit 1
}
print_summary() {
  [ ${#SUMMARY[@]} -gt 0 ] || return 0
  echo
  printf '%-10s %-9s %-6s %12s %8s  %s\n' scenario host files bytes seconds result
  printf '%s\n' "${SUMMARY[@]}"
  echo
}
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}'; }

# ---------------------------------------------------------------- cleanup (every exit path)
WORK=
declare -a PIDS=()
our_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${PREFIX}" || true; }
stop_pid() { # TERM, wait up to 5 s, then KILL
  local p=$1 i
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}
cleanup_net() {
  local ns p
  # every process inside a kirim-e2e-<our run id>-* namespace was started by this run
  for ns in $(our_namespaces); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  done
  for ns in $(our_namespaces); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do stop_pid "$p"; done
  done
  for ns in $(our_namespaces); do ip netns delete "$ns" 2>/dev/null || true; done
}
CLEANED=0
OWNER=0       # 1 once the preconditions passed: only then may it clean up (its own kirim-e2e-<run id>-* things)
cleanup() {
  local rc=$?
  [ "$CLEANED" = 1 ] && return
  CLEANED=1
  trap - EXIT INT TERM
  if [ "$OWNER" != 1 ]; then exit "$rc"; fi   # never clean up what another run owns
  local p live
  # only our own background jobs that bash still tracks (no stale, possibly reused PIDs)
  live=$(jobs -p 2>/dev/null)
  for p in "${PIDS[@]}"; do
    if grep -qx "$p" <<<"$live"; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  cleanup_net
  for p in "${PIDS[@]}"; do
    if grep -qx "$p" <<<"$live"; then stop_pid "$p"; fi
  done
  # the failures scenario's tmpfs storages
  [ -z "$WORK" ] || awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | while read -r m; do umount -l "$m"; done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$KEEP" = 1 ]; then echo "logs and files kept in $WORK"; else rm -rf "$WORK"; fi
  fi
  left=$(our_namespaces)
  [ -z "$left" ] || echo "WARNING: namespaces left behind: $left" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM

# ---------------------------------------------------------------- preconditions
CURRENT_STEP=preconditions
[ "$(id -u)" = 0 ] || fail "must run as root (creates network namespaces)"
command -v ip >/dev/null || fail "iproute2 ('ip') is missing: apt-get install -y iproute2"
command -v "$JAVA" >/dev/null || fail "java not found (JDK 17 needed)"
command -v timeout >/dev/null || fail "timeout (coreutils) not found"

find_jar() { # find_jar NAME MODULE
  local d
  for d in ${JAR_DIR:+"$JAR_DIR/$2/target" "$JAR_DIR"} ${JAR_DIR:-"$ROOT/$2/target"}; do
    [ -f "$d/$1" ] && { (cd "$d" && echo "$PWD/$1"); return 0; }
  done
  return 1
}
SERVER_JAR=$(find_jar kirim-server.jar server-verticle) \
  || fail "kirim-server.jar not found in ${JAR_DIR:-$ROOT/server-verticle/target}: run ./mvnw -B package first"
CLIENT_JAR=$(find_jar kirim-client.jar client-verticle) \
  || fail "kirim-client.jar not found in ${JAR_DIR:-$ROOT/client-verticle/target}: run ./mvnw -B package first"
info "server jar: $SERVER_JAR"
info "client jar: $CLIENT_JAR"

# Runs at once do not meet: each has its own namespaces (its own bridge, so the same addresses in each)
# and work directory, all named by its run id. Leftovers of an aborted run are removed only when the
# run that made them is gone (no process with its run id, the PID, is alive): a live run is never touched.
OWNER=1
stale_runs() {
  { ip netns list 2>/dev/null | awk '{print $1}'; ls -d /tmp/${E2E_PREFIX}* 2>/dev/null | sed 's|^/tmp/||'; } \
    | sed -n "s/^${E2E_PREFIX}\([0-9][0-9]*\)-.*/\1/p" | sort -u \
    | while read -r run; do [ "$run" != "$RUN_ID" ] && ! kill -0 "$run" 2>/dev/null && echo "$run"; done
}
for run in $(stale_runs); do
  step "removing leftovers of aborted run $run: $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${E2E_PREFIX}${run}-" | tr '\n' ' ')"
  (PREFIX=${E2E_PREFIX}${run}-; cleanup_net)
  rm -rf /tmp/${E2E_PREFIX}${run}-*
done
WORK=$(mktemp -d "/tmp/${PREFIX}XXXXXX")
# Servers keep a Vert.x file cache (their status page comes from the jar); one killed on purpose would leave it
# in /tmp. In WORK, it goes with the run.
JAVA_OPTS="$JAVA_OPTS -Dvertx.cacheDirBase=$WORK/vertx-cache"

# ---------------------------------------------------------------- network
CURRENT_STEP=network
setup_bridge() {
  ip netns add "$NETNS" || fail "cannot create network namespace $NETNS (needs root with CAP_SYS_ADMIN, e.g. not an unprivileged container)"
  ip -n "$NETNS" link set lo up
  ip -n "$NETNS" link add "$BRIDGE" type bridge || fail "cannot create bridge in $NETNS"
  ip -n "$NETNS" link set "$BRIDGE" up
}
add_host() { # add_host NAME IP   -> namespace kirim-e2e-NAME with eth0=IP/24 on the bridge
  local name=$1 addr=$2 ns=${PREFIX}$1 veth="v-$1"
  ip netns add "$ns" || fail "ip netns add $ns"
  ip -n "$ns" link set lo up
  ip -n "$NETNS" link add "$veth" type veth peer name eth0 netns "$ns" || fail "veth for $name"
  ip -n "$NETNS" link set "$veth" master "$BRIDGE" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}
in_ns() { local ns=${PREFIX}$1; shift; ip netns exec "$ns" "$@"; }
# del_host NAME...: stop whatever still runs in the hosts' namespaces, then delete them (and their veths)
del_host() {
  local h p
  for h in "$@"; do
    for p in $(ip netns pids "${PREFIX}$h" 2>/dev/null); do stop_pid "$p"; done
    ip netns delete "${PREFIX}$h" 2>/dev/null || true
  done
}

step "network: bridge $BRIDGE in namespace $NETNS, hosts on $SUBNET.0/24"
setup_bridge

# ---------------------------------------------------------------- helpers
# start_bg HOST LOG CMD... : run CMD in HOST's namespace in the background (bounded by timeout)
start_bg() {
  local host=$1 log=$2; shift 2
  # ip netns exec execs timeout, so $! is timeout itself: TERM to it reaches the JVM
  ip netns exec "${PREFIX}$host" timeout -k 5 "$PROC_LIMIT" "$@" </dev/null >"$log" 2>&1 9<&- &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
# wait_for_line PID LOG REGEX SECONDS : wait until LOG matches REGEX while PID lives
wait_for_line() {
  local pid=$1 log=$2 re=$3 secs=$4 deadline
  deadline=$(( $(date +%s) + secs ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    grep -Eq "$re" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 2
    sleep 0.2
  done
  return 1
}
# make_files DIR USER : a few small files, one of a few MiB, one in a sub-directory (random content)
make_files() {
  local dir=$1 user=$2 n
  mkdir -p "$dir/sub"
  n=$(( (RANDOM % 4096) + 1 )); head -c "$n" /dev/urandom >"$dir/$user-a.bin"
  n=$(( (RANDOM % 65536) + 1 )); head -c "$n" /dev/urandom >"$dir/$user-b.bin"
  printf 'hello from %s\nkirim e2e %s\n' "$user" "$(date -u +%FT%TZ)" >"$dir/$user.txt"
  : >"$dir/$user-empty.dat"
  n=$(( (2 + RANDOM % 3) * 1048576 + RANDOM )); head -c "$n" /dev/urandom >"$dir/$user-big.bin"
  n=$(( (RANDOM % 20000) + 1 )); head -c "$n" /dev/urandom >"$dir/sub/$user-nested.bin"
}
# file list relative to DIR, one per line, sorted
list_files() { (cd "$1" && find . -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort); }
dir_bytes() { (cd "$1" && find . -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}'); }
# verify_tree SRC DST : every file under SRC exists byte-identical under DST, and DST holds nothing else
verify_tree() {
  local src=$1 dst=$2 f bad=0
  [ -d "$dst" ] || { echo "missing directory $dst"; return 1; }
  while IFS= read -r f; do
    if [ ! -f "$dst/$f" ]; then echo "missing: $f"; bad=1
    elif ! cmp -s "$src/$f" "$dst/$f"; then echo "differs: $f"; bad=1; fi
  done < <(list_files "$src")
  if [ "$(list_files "$src")" != "$(list_files "$dst")" ]; then
    echo "file sets differ: expected [$(list_files "$src" | tr '\n' ' ')] got [$(list_files "$dst" | tr '\n' ' ')]"
    bad=1
  fi
  if [ -n "$(cd "$dst" && find . -name '*.kirim-part' | head -1)" ]; then echo "partial files left in $dst"; bad=1; fi
  return $bad
}
# report_total REPORT KEY : a number from the report's "totals" object (Jackson pretty print)
report_total() {
  sed -n '/"totals"/,/}/p' "$1" | grep -o "\"$2\" *: *[0-9]*" | grep -o '[0-9]*$' | head -1
}

# ---------------------------------------------------------------- (a) standalone
scenario_standalone() {
  local users=(aji rita ilham nurdin) srv=server srv_ip="$SUBNET.10" i u ip dir
  local base=$WORK/standalone
  mkdir -p "$base/server"
  CURRENT_STEP="standalone: network"
  step "standalone: hosts server=$srv_ip, aji/rita/ilham/nurdin=$SUBNET.11-14"
  add_host "$srv" "$srv_ip"
  for i in "${!users[@]}"; do add_host "${users[$i]}" "$SUBNET.$((11 + i))"; done

  CURRENT_STEP="standalone: server start"
  step "standalone: starting server in ${PREFIX}$srv on $srv_ip:$PORT"
  local slog=$base/server/server.log t_start
  t_start=$EPOCHREALTIME
  start_bg "$srv" "$slog" "$JAVA" $JAVA_OPTS -jar "$SERVER_JAR" -conf \
    "{\"host\":\"$srv_ip\",\"port\":$PORT,\"storageDir\":\"$base/server/storage\",\"serverId\":\"server\",\"auth\":\"none\"}"
  local spid=$LAST_PID
  wait_for_line "$spid" "$slog" "listening on" "$START_TIMEOUT" \
    || fail "server did not start listening within ${START_TIMEOUT}s" "$slog"
  info "server listening after $(secs_since "$t_start") s"

  CURRENT_STEP="standalone: reachability"
  for u in "${users[@]}"; do
    in_ns "$u" timeout 5 bash -c "exec 3<>/dev/tcp/$srv_ip/$PORT" 2>/dev/null \
      || fail "host $u cannot open a TCP connection to $srv_ip:$PORT" "$slog"
  done
  info "all four client hosts reach $srv_ip:$PORT over the bridge"

  CURRENT_STEP="standalone: files"
  for u in "${users[@]}"; do
    dir=$base/$u
    make_files "$dir/data" "$u"
    local files_json
    files_json=$(cd "$dir/data" && ls -1 | grep -v '^sub$' | sed 's/.*/"&"/' | paste -sd, -)
    cat >"$dir/client.json" <<EOF
{
  "targets": ["$srv_ip:$PORT"],
  "baseDir": "$dir/data",
  "files": [$files_json, "sub"],
  "remoteDir": "$u",
  "clientId": "$u@$u",
  "report": "$dir/report.json"
}
EOF
    info "$u: $(list_files "$dir/data" | wc -l) files, $(dir_bytes "$dir/data") bytes"
  done

  CURRENT_STEP="standalone: concurrent push"
  step "standalone: aji, rita, ilham and nurdin push concurrently"
  local wpids=()
  for u in "${users[@]}"; do
    dir=$base/$u
    (
      t=$EPOCHREALTIME
      in_ns "$u" timeout -k 5 "$PUSH_TIMEOUT" "$JAVA" $JAVA_OPTS -jar "$CLIENT_JAR" -conf "$dir/client.json" \
        </dev/null >"$dir/client.log" 2>&1 9<&-
      echo $? >"$dir/rc"
      secs_since "$t" >"$dir/secs"
    ) &
    wpids+=($!); PIDS+=($!)
  done
  for i in "${wpids[@]}"; do wait "$i"; done

  CURRENT_STEP="standalone: verify"
  step "standalone: verifying on the server"
  local failed=0 rc n bytes secs res why
  for u in "${users[@]}"; do
    dir=$base/$u
    rc=$(cat "$dir/rc" 2>/dev/null || echo '?')
    n=$(list_files "$dir/data" | wc -l); bytes=$(dir_bytes "$dir/data"); secs=$(cat "$dir/secs" 2>/dev/null || echo '?')
    res=ok; why=
    if [ "$rc" != 0 ]; then res=FAIL; why="client exit code $rc"
    elif ! why=$(verify_tree "$dir/data" "$base/server/storage/$u"); then res=FAIL
    elif [ "$(report_total "$dir/report.json" failed)" != 0 ] \
      || [ "$(report_total "$dir/report.json" sent)" != "$n" ]; then
      res=FAIL; why="report totals: sent=$(report_total "$dir/report.json" sent) failed=$(report_total "$dir/report.json" failed), expected sent=$n"
    fi
    SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' standalone "$u" "$n" "$bytes" "$secs" "$res${why:+ ($(echo "$why" | head -3 | paste -sd';' -))}")")
    if [ "$res" != ok ]; then
      failed=1
      echo "$u: $why" >&2
      tail_log "$dir/client.log" >&2
    else
      info "$u: $n files byte-identical in server:storage/$u, exit 0, ${secs}s"
    fi
  done
  local total_n total_b
  total_n=$(list_files "$base/server/storage" | wc -l); total_b=$(dir_bytes "$base/server/storage")
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' standalone "server" "$total_n" "$total_b" "-" "$([ $failed = 0 ] && echo ok || echo FAIL)")")
  [ $failed = 0 ] || fail "standalone scenario: see above" "$slog"
  grep -c "copied .* bytes into" "$slog" | { read -r c; info "server log: $c 'copied' lines"; }

  CURRENT_STEP="standalone: server stop"
  stop_pid "$spid"
  wait "$spid" 2>/dev/null; rc=$?
  # timeout(1) forwards TERM to java and passes its exit code on: 143, the JVM's for SIGTERM (README, Exit
  # codes); 124 would be timeout's own limit, 137 the KILL of a server that did not stop within 5 s
  [ "$rc" = 143 ] || fail "server exited with code $rc on SIGTERM, expected 143" "$slog"
  [ -z "$(ip netns pids "${PREFIX}$srv" 2>/dev/null)" ] || fail "processes still running in ${PREFIX}$srv after the server stopped" "$slog"
  info "server stopped on SIGTERM (exit $rc)"
  del_host "$srv" "${users[@]}"
}

# ---------------------------------------------------------------- (c) protected mode
scenario_protected() {
  local srv=pserver cl=pclient srv_ip="$SUBNET.30" cl_ip="$SUBNET.31" base=$WORK/protected
  mkdir -p "$base/data" "$base/storage"
  CURRENT_STEP="protected: network"
  step "protected: hosts $srv=$srv_ip, $cl=$cl_ip; the server has no 'auth' and listens on 0.0.0.0"
  add_host "$srv" "$srv_ip"
  add_host "$cl" "$cl_ip"
  head -c 100000 /dev/urandom >"$base/data/probe.bin"
  local slog=$base/server.log spid rc code
  start_bg "$srv" "$slog" "$JAVA" $JAVA_OPTS -jar "$SERVER_JAR" -conf \
    "{\"host\":\"0.0.0.0\",\"port\":$PORT,\"storageDir\":\"$base/storage\",\"serverId\":\"$srv\"}"
  spid=$LAST_PID
  wait_for_line "$spid" "$slog" "listening on" "$START_TIMEOUT" \
    || fail "server did not start listening within ${START_TIMEOUT}s" "$slog"
  grep -q "WARN.*Protected mode: 0.0.0.0:$PORT has no 'auth' key" "$slog" || fail "no protected-mode WARN line at start" "$slog"
  info "server warns: $(grep -o "Protected mode: .*" "$slog" | head -1 | cut -c1-90)..."

  CURRENT_STEP="protected: remote client refused"
  in_ns "$cl" timeout -k 5 "$PUSH_TIMEOUT" "$JAVA" $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
    "{\"targets\":[\"$srv_ip:$PORT\"],\"files\":[\"$base/data/probe.bin\"],\"report\":\"$base/remote.json\"}" \
    </dev/null >"$base/remote.log" 2>&1 9<&-
  rc=$?
  [ "$rc" = 1 ] || fail "the client on $cl exited $rc, expected 1 (refused)" "$base/remote.log" "$slog"
  code=$(grep -o '"code" *: *"[a-z_]*"' "$base/remote.json" | head -1 | grep -o '"[a-z_]*"$')
  [ "$code" = '"unauthorised"' ] || fail "the refused client's report says code $code, expected \"unauthorised\"" "$base/remote.log"
  grep -q 'set "auth": "none"' "$base/remote.log" || fail "the refusal does not say how to set \"auth\": \"none\"" "$base/remote.log"
  [ -z "$(ls -A "$base/storage")" ] || fail "the refused client stored something" "$slog"
  grep -q "refused a connection from $cl_ip" "$slog" || fail "the server did not log the refusal" "$slog"
  info "$cl ($cl_ip): refused with unauthorised, exit 1, nothing stored"

  CURRENT_STEP="protected: local client accepted"
  in_ns "$srv" timeout -k 5 "$PUSH_TIMEOUT" "$JAVA" $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
    "{\"targets\":[\"127.0.0.1:$PORT\"],\"files\":[\"$base/data/probe.bin\"]}" \
    </dev/null >"$base/local.log" 2>&1 9<&-
  rc=$?
  [ "$rc" = 0 ] || fail "the client on the server's host exited $rc, expected 0" "$base/local.log" "$slog"
  cmp -s "$base/data/probe.bin" "$base/storage/probe.bin" || fail "probe.bin differs on the server" "$slog"
  info "$srv (127.0.0.1): accepted, exit 0, probe.bin byte-identical"
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' protected "$srv" 1 100000 "-" ok)")

  CURRENT_STEP="protected: stop"
  stop_pid "$spid"
  del_host "$srv" "$cl"
}

# ---------------------------------------------------------------- (b) cluster
# jar_extract JAR DEST ENTRY...: unpack entries (directories recursively) with unzip, or the JDK's jar tool
jar_extract() {
  local jar=$1 dest=$2; shift 2
  mkdir -p "$dest"
  if command -v unzip >/dev/null; then
    local e pats=()
    for e in "$@"; do pats+=("$e" "$e/*"); done
    unzip -qq -o "$jar" "${pats[@]}" -d "$dest" >/dev/null 2>&1
  else
    (cd "$dest" && jar xf "$jar" "$@" >/dev/null 2>&1)
  fi
  return 0
}
cluster_supported() {
  # the described interface, compiled into the verticles' own classes (the shared constants in the protocol
  # module alone do not count): the server publishes on kirim.received, the client knows "cluster:all",
  # and the server jar bundles kirim-cluster.xml
  local x=$WORK/jar-check
  jar_extract "$SERVER_JAR" "$x/server" dev/kirim/server kirim-cluster.xml
  jar_extract "$CLIENT_JAR" "$x/client" dev/kirim/client
  [ -f "$x/server/kirim-cluster.xml" ] || return 1
  grep -rqa 'kirim\.received' "$x/server/dev" 2>/dev/null || return 1
  grep -rqa 'cluster:all' "$x/client/dev" 2>/dev/null || return 1
}

# make_cluster_certs DIR NAME... -> DIR/cluster.secret, DIR/ca.pem and DIR/NAME.pem + NAME.key for each
# member: what docs/CLUSTER.md tells users to run (openssl, EC P-256), made fresh for every run.
make_cluster_certs() {
  local dir=$1 name; shift
  mkdir -p "$dir"
  (umask 077 && openssl rand -base64 32 >"$dir/cluster.secret")
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -days 2 -subj "/CN=kirim e2e cluster CA" 2>/dev/null || fail "openssl could not make the cluster CA"
  for name in "$@"; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" -out "$dir/$name.csr" \
      -subj "/CN=$name" 2>/dev/null \
      && openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -out "$dir/$name.pem" 2>/dev/null \
      || fail "openssl could not issue the member certificate of $name"
  done
}

scenario_cluster() {
  local base=$WORK/cluster
  local s1=cserver1 s2=cserver2 cl=cclient
  local ip1=$SUBNET.21 ip2=$SUBNET.22 ipc=$SUBNET.23
  local members="$ip1,$ip2,$ipc"
  CURRENT_STEP="cluster: features"
  if ! cluster_supported; then
    if [ "$ALLOW_SKIP" = 1 ]; then
      echo "SKIPPED: cluster features not in this build (the server classes do not publish 'kirim.received', the client classes do not know 'cluster:all', or kirim-cluster.xml is missing)"
      SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' cluster - - - - 'SKIPPED: cluster features not in this build')")
      SKIPPED=" (cluster SKIPPED)"
      return 0
    fi
    fail "cluster features not in this build (the server classes do not publish 'kirim.received', the client classes do not know 'cluster:all', or kirim-cluster.xml is missing); rebuild, or pass --allow-skip"
  fi
  mkdir -p "$base/$s1" "$base/$s2" "$base/$cl"
  CURRENT_STEP="cluster: network"
  step "cluster: hosts $s1=$ip1, $s2=$ip2, $cl=$ipc; members $members"
  add_host "$s1" "$ip1"; add_host "$s2" "$ip2"; add_host "$cl" "$ipc"

  local props=(-Dkirim.cluster.members="$members" -Dhazelcast.phone.home.enabled=false)
  CURRENT_STEP="cluster: secret and certificates"
  step "cluster: a cluster secret, a cluster CA and a member certificate per host (event-bus TLS)"
  local certs=$base/certs
  make_cluster_certs "$certs" "$s1" "$s2" "$cl"
  # Every member signs and checks registry records with the secret; the client checks them too.
  cluster_conf() { printf '"cluster":{"secret":"%s","tls":{"cert":"%s/%s.pem","key":"%s/%s.key","ca":"%s/ca.pem"}}' \
    "$certs/cluster.secret" "$certs" "$1" "$certs" "$1" "$certs"; }
  CURRENT_STEP="cluster: servers start"
  step "cluster: starting two clustered servers"
  local t_start pid1 pid2
  t_start=$EPOCHREALTIME
  start_bg "$s1" "$base/$s1/server.log" "$JAVA" $JAVA_OPTS "${props[@]}" -Dkirim.cluster.interface="$ip1" \
    -jar "$SERVER_JAR" -cluster -cluster-host "$ip1" -conf \
    "{\"host\":\"$ip1\",\"port\":$PORT,\"storageDir\":\"$base/$s1/storage\",\"serverId\":\"$s1\",\"auth\":\"none\",$(cluster_conf "$s1")}"
  pid1=$LAST_PID
  start_bg "$s2" "$base/$s2/server.log" "$JAVA" $JAVA_OPTS "${props[@]}" -Dkirim.cluster.interface="$ip2" \
    -jar "$SERVER_JAR" -cluster -cluster-host "$ip2" -conf \
    "{\"host\":\"$ip2\",\"port\":$PORT,\"storageDir\":\"$base/$s2/storage\",\"serverId\":\"$s2\",\"auth\":\"none\",$(cluster_conf "$s2")}"
  pid2=$LAST_PID
  wait_for_line "$pid1" "$base/$s1/server.log" "listening on" "$START_TIMEOUT" \
    || fail "clustered server $s1 did not start within ${START_TIMEOUT}s" "$base/$s1/server.log"
  info "$s1 listening after $(secs_since "$t_start") s"
  wait_for_line "$pid2" "$base/$s2/server.log" "listening on" "$START_TIMEOUT" \
    || fail "clustered server $s2 did not start within ${START_TIMEOUT}s" "$base/$s2/server.log"
  info "$s2 listening after $(secs_since "$t_start") s"
  grep -q "Event bus TLS on" "$base/$s1/server.log" && grep -q "Event bus TLS on" "$base/$s2/server.log" \
    || fail "a clustered server did not turn event-bus TLS on" "$base/$s1/server.log" "$base/$s2/server.log"
  wait_for_line "$pid1" "$base/$s1/server.log" "Registered in kirim.servers" 10 \
    && wait_for_line "$pid2" "$base/$s2/server.log" "Registered in kirim.servers" 10 \
    || fail "a clustered server did not register within 10 s" "$base/$s1/server.log" "$base/$s2/server.log"
  info "both servers logged their registration after $(secs_since "$t_start") s"

  CURRENT_STEP="cluster: files"
  local data=$base/$cl/data
  make_files "$data" "$cl"
  local names n
  names=$(list_files "$data" | sed "s|^|$cl/|")
  n=$(echo "$names" | wc -l)
  (cd "$data" && list_files . | while IFS= read -r f; do printf '%s/%s\t%s\n' "$cl" "$f" "$(stat -c %s "$f")"; done) >"$base/expected-names"

  CURRENT_STEP="cluster: observer"
  step "cluster: starting an observer node on kirim.received in $cl (expects $n events x 2 servers)"
  local olog=$base/$cl/observer.out oerr=$base/$cl/observer.log opid
  start_bg "$cl" "$oerr" "$JAVA" $JAVA_OPTS "${props[@]}" -Dkirim.cluster.interface="$ipc" \
    -cp "$SERVER_JAR" "$HERE/Observer.java" --host "$ipc" --servers 2 --names "$base/expected-names" \
    --timeout "$PUSH_TIMEOUT" --out "$olog" --conf "{$(cluster_conf "$cl")}"
  opid=$LAST_PID
  wait_for_line "$opid" "$oerr" "^OBSERVER READY" "$START_TIMEOUT" \
    || fail "observer did not join the cluster within ${START_TIMEOUT}s" "$oerr" "$base/$s1/server.log"
  info "observer joined after $(secs_since "$t_start") s from server start"
  wait_for_line "$opid" "$oerr" "^OBSERVER REGISTRY 2 " "$START_TIMEOUT" \
    || fail "the registry did not show both servers within ${START_TIMEOUT}s" "$oerr" "$base/$s1/server.log" "$base/$s2/server.log"
  JOIN_SECS=$(secs_since "$t_start")
  info "registry shows both servers on the client host after $JOIN_SECS s from server start: $(grep '^OBSERVER REGISTRY 2 ' "$oerr" | head -1 | cut -d' ' -f5-)"

  CURRENT_STEP="cluster: push cluster:all"
  step "cluster: $cl pushes $n files to cluster:all"
  cat >"$base/$cl/client.json" <<EOF
{
  "targets": ["cluster:all"],
  "baseDir": "$data",
  "files": [$(cd "$data" && ls -1 | grep -v '^sub$' | sed 's/.*/"&"/' | paste -sd, -), "sub"],
  "remoteDir": "$cl",
  "clientId": "$cl@$cl",
  "report": "$base/$cl/report.json",
  $(cluster_conf "$cl")
}
EOF
  local t rc secs
  t=$EPOCHREALTIME
  ip netns exec "${PREFIX}$cl" timeout -k 5 "$PUSH_TIMEOUT" "$JAVA" $JAVA_OPTS "${props[@]}" -Dkirim.cluster.interface="$ipc" \
    -jar "$CLIENT_JAR" -cluster -cluster-host "$ipc" -conf "$base/$cl/client.json" \
    </dev/null >"$base/$cl/client.log" 2>&1 9<&- &
  local cpid=$!; PIDS+=("$cpid")
  wait "$cpid"; rc=$?
  secs=$(secs_since "$t")
  [ "$rc" = 0 ] || fail "client exit code $rc (expected 0)" "$base/$cl/client.log" "$base/$s1/server.log" "$base/$s2/server.log"
  info "client exit 0 in ${secs}s"

  CURRENT_STEP="cluster: verify files"
  step "cluster: verifying files on both servers"
  local s why bytes
  bytes=$(dir_bytes "$data")
  for s in "$s1" "$s2"; do
    why=$(verify_tree "$data" "$base/$s/storage/$cl") || {
      SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' cluster "$s" "$n" "$bytes" "$secs" "FAIL")")
      fail "$s: $why" "$base/$s/server.log" "$base/$cl/client.log"
    }
    info "$s: $n files byte-identical"
  done

  CURRENT_STEP="cluster: verify report"
  local servers
  servers=$(sed -n '/"targets" *: *\[ *{/,/\]/p' "$base/$cl/report.json" | grep -o '"server" *: *"[^"]*"' | sed 's/.*: *"//; s/"$//' | LC_ALL=C sort -u)
  info "report targets: $(echo "$servers" | paste -sd' ' -)"
  [ "$(echo "$servers" | grep -c .)" = 2 ] || fail "the report does not list two concrete servers: [$servers]" "$base/$cl/report.json"
  [ "$(report_total "$base/$cl/report.json" sent)" = "$((2 * n))" ] && [ "$(report_total "$base/$cl/report.json" failed)" = 0 ] \
    || fail "report totals: sent=$(report_total "$base/$cl/report.json" sent) failed=$(report_total "$base/$cl/report.json" failed), expected sent=$((2 * n))" "$base/$cl/report.json"

  CURRENT_STEP="cluster: verify events"
  step "cluster: waiting for the observer's verdict on kirim.received"
  wait "$opid"; rc=$?
  grep '^OBSERVER' "$oerr" | sed 's/^/      /'
  [ "$rc" = 0 ] || fail "observer: events on kirim.received did not match one per file per server (exit $rc)" "$oerr" "$olog"
  info "observer: $(grep -c . "$olog") events, one per file per server"

  for s in "$s1" "$s2"; do
    SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' cluster "$s" "$n" "$bytes" "$secs" "ok (files identical, $n events)")")
  done
  SUMMARY+=("$(printf '%-10s %-9s %-6s %12s %8s  %s' cluster "$cl" "$((2 * n))" "$((2 * bytes))" "$secs" "ok (exit 0, report: $(echo "$servers" | paste -sd, -))")")

  CURRENT_STEP="cluster: stop"
  stop_pid "$pid1"; stop_pid "$pid2"
  del_host "$s1" "$s2" "$cl"
}

# shellcheck source=e2e/failures.sh
. "$HERE/failures.sh"

case "$SCENARIO" in
  standalone) scenario_standalone ;;
  protected) scenario_protected ;;
  cluster) scenario_cluster ;;
  failures) scenario_failures ;;
  all) scenario_standalone; scenario_protected; scenario_cluster; scenario_failures ;;
esac

CURRENT_STEP=done
print_summary
[ -z "${KILLED_SECS:-}" ] || echo "detection: killed server -> client exit 1 after ${KILLED_SECS} s (deadPeerMs 3000, retry.maxElapsedMs 4000); partitioned server noticed after ${PARTITION_SECS} s (deadPeerMs 3000)"
echo "RESULT: PASS ($SCENARIO)${SKIPPED} in $(secs_since "$T0") s"
