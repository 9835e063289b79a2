#!/usr/bin/env bash
# kirim benchmark: kirim side by side with the tools a user would reach for instead
# (tar|nc, an rsync daemon, scp to an sshd; nc and rsync also in durable variants), all on
# 127.0.0.1, in one run, interleaved, medians and ratios, with kirim's memory and CPU per round,
# and the client's start-up. See bench/README.md for how to read the output.
#
#   bench/bench.sh [--quick] [--rounds N] [--size SIZE] [--jar-dir DIR] ...   (--help for all options)
#
# Everything it starts (kirim servers and clients, nc listeners, rsync daemons, sshd) runs in its own process
# group, is recorded, and is stopped on every exit path; every wait is bounded.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

# ----------------------------------------------------------------------------------------------
# options
# ----------------------------------------------------------------------------------------------
usage() {
  cat <<'EOF'
Usage: bench/bench.sh [options]

Cases:
  1  one large file                          (--size, default 2G)
  2  many small files                        (--files N x --file-size, default 10000 x 4K)
  3  4 clients x one file each, concurrently into one server (--multi-size, default 256M)
  4  one client out to 3 servers             (--fanout-size, default 256M; peers push in parallel)
  5  start-up: one 1-byte file to a running server, client run by java -jar (kirim-jar) and by
     bin/kirim-client (kirim-script); wall time and time to the first body byte; no peers
  6  many small files from a resident client (case 2's files): kirim's push service, clustered on loopback,
     takes each push as a job on kirim.push from bench/JobSender.java, timed from job to report; peers:
     the rsync daemon (rsync, rsync-fsync). Not in the default --cases
  7  one file out to 3 servers from a resident client (case 4's file, the push service as in case 6); peers
     as in case 4 but scp (nc, nc-sync, rsync, rsync-fsync, 3 pushes in parallel). Not in the default --cases

Tools: kirim (kirim-fsync-on/off), nc (tar|nc), nc-sync (nc, then the receiver runs sync -f on what it got),
  rsync (rsync daemon), rsync-fsync (the same with rsync --fsync), scp (scp to a temp sshd)

Options:
  --quick               smoke run: --size 64M --files 500 --multi-size 16M --fanout-size 16M --rounds 2,
                        0.1 s pause after the sync between two transfers instead of 0.5 s
  --rounds N            rounds per case, tools interleaved within each round (default 5)
  --size SIZE           case 1 file size (K/M/G suffixes are KiB/MiB/GiB)
  --files N             case 2 file count
  --file-size SIZE      case 2 file size
  --multi-size SIZE     case 3 file size per client
  --clients N           case 3 client count (default 4); e.g. --clients 8 --multi-size 1G --tools kirim checks the
                        server's memory bound with 8 concurrent 1 GiB uploads (server peak RSS column)
  --fanout-size SIZE    case 4 file size
  --cases LIST          comma list of cases to run (default 1,2,3,4,5; 6 and 7 on request)
  --tools LIST          comma list of kirim,nc,nc-sync,rsync,rsync-fsync,scp (default all)
  --fsync LIST          kirim server variants: on,off (default on,off; "off" compares with nc, rsync, scp,
                        "on" with the durable nc-sync, rsync-fsync)
  --client-cmd HOW      how cases 1-4 start the kirim client: jar (java -jar kirim-client.jar, default) or
                        script (bin/kirim-client: AppCDS archive, C1, serial GC)
  --jar-dir DIR         where the jars are: DIR/kirim-{server,client}.jar or DIR/{server,client}-verticle/target/
                        (default: this repository's own target dirs)
  --server-extra JSON   extra keys merged into every kirim server -conf, e.g. '"limits":{"chunkBytes":1048576}'
  --client-extra JSON   extra keys merged into every kirim client -conf, e.g. '"parallelism":{"perTarget":4}'
  --java-opts OPTS      JVM options for kirim client and server (default none)
  --server-args ARGS    launcher arguments after the kirim server's -conf, e.g. '-instances 2'
  --server-java-opts OPTS  JVM options for the kirim server only (default -Xmx192m -XX:+UseSerialGC, what the README's memory
                        guidance and the systemd unit set; '' for the JVM's defaults)
  --service-java-opts OPTS  JVM options of the push service of cases 6 and 7 (default -Xmx128m -XX:+UseSerialGC, the
                        README's memory guidance for a push service)
  --server-warmup N     before a case's timed rounds, push N small files (4 KiB) and one 64 MiB file to each
                        kirim server, twice, untimed: a server is a daemon, timed past its JIT warm-up as in
                        production (default 5000; 500 with --quick; 0: time cold servers)
  --server-warmup-big SIZE  the size of that one larger warm-up file (default 64M), to warm the big-file
                        receive path further
  --work DIR            scratch directory (default: a fresh mktemp -d under $TMPDIR or /tmp; removed at exit)
  --data-dir DIR        keep generated source data here and reuse it across runs (never deleted)
  --port-base N         first TCP port to try (default 27100; busy ports are skipped)
  --timeout SECS        limit for one timed transfer (default 900, 180 with --quick)
  --out FILE            also write the results (markdown) to FILE
  --keep                keep the scratch directory (received files, logs) at the end
  --no-install          never apt-get missing peers; skip them instead
  -h, --help            this text
EOF
}

die() { echo "bench: error: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

to_bytes() {  # 64M -> 67108864; plain numbers are bytes
  local v=$1 n unit
  [[ $v =~ ^([0-9]+)([KkMmGgTt]?)(i?[Bb]?)$ ]] || die "bad size '$v' (use e.g. 4096, 4K, 256M, 1G)"
  n=${BASH_REMATCH[1]}; unit=${BASH_REMATCH[2]}
  case $unit in
    K|k) echo $((n * 1024)) ;; M|m) echo $((n * 1024 * 1024)) ;;
    G|g) echo $((n * 1024 * 1024 * 1024)) ;; T|t) echo $((n * 1024 * 1024 * 1024 * 1024)) ;;
    *) echo "$n" ;;
  esac
}

QUICK=0; ROUNDS=""; SIZE=""; NFILES=""; FILE_SIZE="4K"; MULTI_SIZE=""; NCLIENTS=4; FANOUT_SIZE=""
CASES="1,2,3,4,5"; TOOLS="kirim,nc,nc-sync,rsync,rsync-fsync,scp"; FSYNC="on,off"; JAR_DIR="$REPO_DIR"
SERVER_EXTRA=""; SERVER_ARGS=""; CLIENT_EXTRA=""; JAVA_OPTS=""; SERVER_JAVA_OPTS="-Xmx192m -XX:+UseSerialGC"; SERVICE_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"; WORK=""; DATA_DIR=""; PORT_BASE=27100; SERVER_WARMUP=""
TIMEOUT=""; OUT=""; KEEP=0; INSTALL=1; CLIENT_CMD=jar

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --size) SIZE=${2:?}; shift ;;
    --files) NFILES=${2:?}; shift ;;
    --file-size) FILE_SIZE=${2:?}; shift ;;
    --multi-size) MULTI_SIZE=${2:?}; shift ;;
    --clients) NCLIENTS=${2:?}; shift ;;
    --fanout-size) FANOUT_SIZE=${2:?}; shift ;;
    --cases) CASES=${2:?}; shift ;;
    --tools) TOOLS=${2:?}; shift ;;
    --fsync) FSYNC=${2:?}; shift ;;
    --client-cmd) CLIENT_CMD=${2:?}; shift ;;
    --jar-dir) JAR_DIR=${2:?}; shift ;;
    --server-extra) SERVER_EXTRA=${2:?}; shift ;;
    --server-args) SERVER_ARGS=${2?}; shift ;;
    --client-extra) CLIENT_EXTRA=${2:?}; shift ;;
    --java-opts) JAVA_OPTS=${2:?}; shift ;;
    --server-java-opts) SERVER_JAVA_OPTS=${2?}; shift ;;
    --service-java-opts) SERVICE_JAVA_OPTS=${2?}; shift ;;
    --work) WORK=${2:?}; shift ;;
    --data-dir) DATA_DIR=${2:?}; shift ;;
    --port-base) PORT_BASE=${2:?}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    --server-warmup) SERVER_WARMUP=${2:?}; shift ;;
    --server-warmup-big) SERVER_WARMUP_BIG=${2:?}; shift ;;
    --no-install) INSTALL=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done

if ((QUICK)); then
  : "${ROUNDS:=2}" "${SIZE:=64M}" "${NFILES:=500}" "${MULTI_SIZE:=16M}" "${FANOUT_SIZE:=16M}" "${TIMEOUT:=180}" "${SERVER_WARMUP:=500}"
  SETTLE_PAUSE=0.1   # the pause after the sync between two timed transfers (0.5 s in a full run)
else
  : "${ROUNDS:=5}" "${SIZE:=2G}" "${NFILES:=10000}" "${MULTI_SIZE:=256M}" "${FANOUT_SIZE:=256M}" "${TIMEOUT:=900}" "${SERVER_WARMUP:=5000}"
  SETTLE_PAUSE=0.5
fi
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
[[ $SERVER_WARMUP =~ ^[0-9]+$ ]] || die "--server-warmup must be a number of files (0: none)"
[[ $NFILES =~ ^[1-9][0-9]*$ ]] || die "--files must be a positive number"
[[ $NCLIENTS =~ ^[1-9][0-9]*$ ]] || die "--clients must be a positive number"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
if ! [[ $PORT_BASE =~ ^[0-9]+$ ]] || ((PORT_BASE <= 1024 || PORT_BASE >= 65000)); then die "--port-base must be in 1025..64999"; fi
SIZE_B=$(to_bytes "$SIZE"); FILE_SIZE_B=$(to_bytes "$FILE_SIZE")
MULTI_SIZE_B=$(to_bytes "$MULTI_SIZE"); FANOUT_SIZE_B=$(to_bytes "$FANOUT_SIZE")
: "${SERVER_WARMUP_BIG:=64M}"
SERVER_WARMUP_BIG_B=$(to_bytes "$SERVER_WARMUP_BIG")
((SIZE_B > 0 && FILE_SIZE_B > 0 && MULTI_SIZE_B > 0 && FANOUT_SIZE_B > 0)) || die "sizes must be > 0"

has() { [[ ",$1," == *",$2,"* ]]; }
for c in ${CASES//,/ }; do [[ $c =~ ^[1-7]$ ]] || die "--cases: unknown case '$c'"; done
for t in ${TOOLS//,/ }; do [[ $t =~ ^(kirim|nc|nc-sync|rsync|rsync-fsync|scp)$ ]] || die "--tools: unknown tool '$t'"; done
for f in ${FSYNC//,/ }; do [[ $f =~ ^(on|off)$ ]] || die "--fsync: use on, off or on,off"; done
[[ $CLIENT_CMD =~ ^(jar|script)$ ]] || die "--client-cmd: use jar or script"

if [[ -f $JAR_DIR/kirim-server.jar ]]; then
  SERVER_JAR=$JAR_DIR/kirim-server.jar; CLIENT_JAR=$JAR_DIR/kirim-client.jar
else
  SERVER_JAR=$JAR_DIR/server-verticle/target/kirim-server.jar; CLIENT_JAR=$JAR_DIR/client-verticle/target/kirim-client.jar
fi
KIRIM_SCRIPT=$REPO_DIR/bin/kirim-client   # the fast-starting client launcher (run with KIRIM_CLIENT_JAR=$CLIENT_JAR)
if has "$TOOLS" kirim; then
  [[ -f $SERVER_JAR && -f $CLIENT_JAR ]] || die "kirim jars not found under $JAR_DIR (build them, or pass --jar-dir)"
  command -v java >/dev/null || die "java not found"
  if [[ $CLIENT_CMD == script ]] || has "$CASES" 5; then [[ -x $KIRIM_SCRIPT ]] || die "$KIRIM_SCRIPT not found"; fi
fi
if ! has "$TOOLS" kirim && [[ $CASES == 5 ]]; then die "case 5 runs kirim only: --tools must include kirim"; fi
for cmd in timeout setsid cksum cmp tar awk sort head getconf; do
  command -v "$cmd" >/dev/null || die "'$cmd' is required"
done

# ----------------------------------------------------------------------------------------------
# process and scratch bookkeeping; cleanup on every exit path
# ----------------------------------------------------------------------------------------------
PGIDS=()            # process groups we started (each background job runs under setsid)
CREATED_RUN_SSHD=0
CLEANED=0

stop_group() {  # stop_group PGID: TERM, up to 5 s grace, then KILL; only our own groups
  local g=$1 i
  kill -0 -- "-$g" 2>/dev/null || return 0
  kill -TERM -- "-$g" 2>/dev/null
  for i in $(seq 1 50); do kill -0 -- "-$g" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$g" 2>/dev/null
  return 0
}

cleanup() {
  ((CLEANED)) && return
  CLEANED=1
  local g
  for g in "${PGIDS[@]}"; do stop_group "$g"; done
  if [[ -n ${WORK:-} && -d $WORK && $WORK_CREATED == 1 ]]; then
    if ((KEEP)); then note "scratch kept in $WORK"; else rm -rf -- "$WORK"; fi
  fi
  if ((CREATED_RUN_SSHD)); then rmdir /run/sshd 2>/dev/null || true; fi
}
trap 'cleanup' EXIT
trap 'note "interrupted"; cleanup; exit 130' INT
trap 'note "terminated"; cleanup; exit 143' TERM HUP

WORK_CREATED=0
if [[ -z $WORK ]]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/kirim-bench.XXXXXX") || die "cannot create a scratch directory"
else
  [[ -e $WORK ]] && die "--work $WORK exists; give a new directory"
  mkdir -p "$WORK" || die "cannot create $WORK"
fi
WORK_CREATED=1
WORK=$(cd "$WORK" && pwd)
LOGS=$WORK/logs; mkdir -p "$LOGS"
[[ -z $DATA_DIR ]] && DATA_DIR=$WORK/data
mkdir -p "$DATA_DIR" || die "cannot create $DATA_DIR"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
# case  tool  round  seconds|FAIL  kirim-reported-seconds  client-peak-MiB  client-cpu-s  server-cpu-s
# server-peak-MiB  to-first-byte-s  (the last six for kirim rounds only)
RESULTS=$WORK/results.tsv
: >"$RESULTS"
CLIENT_CACHE=$WORK/cache   # XDG_CACHE_HOME of bin/kirim-client: its AppCDS archive lives and dies with the scratch dir

# bg NAME CMD...: runs CMD in its own session/process group, output to $LOGS/NAME.log; sets BG_PID
bg() {
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  BG_PID=$!
  PGIDS+=("$BG_PID")
}

# wait_pid PID: waits for a job started with bg. Bounded: every job we start runs under
# `timeout -k 5 SECS` (or is a daemon we stop ourselves), so a plain wait cannot hang. Waiting with
# the builtin (not by polling) keeps the timings exact.
wait_pid() {
  local rc=0 i
  wait "$1" 2>/dev/null || rc=$?
  stop_group "$1"   # stragglers of its group, if any (normally none: returns at once)
  for i in "${!PGIDS[@]}"; do [[ ${PGIDS[i]} == "$1" ]] && unset 'PGIDS[i]'; done
  return "$rc"
}

# run_fg NAME CMD...: bg + wait, so that even "foreground" commands are in our bookkeeping and a
# Ctrl-C stops them too
run_fg() { bg "$@"; wait_pid "$BG_PID"; }

port_listening() {  # port_listening PORT: is something listening on it (IPv4 or IPv6)?
  local hex
  hex=$(printf ':%04X' "$1")
  awk -v p="$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

NEXT_PORT=$PORT_BASE
alloc_port() {  # sets PORT to the next free port from --port-base on
  while port_listening "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

wait_listen() {  # wait_listen PORT PID SECS
  local port=$1 pid=$2 secs=$3 i
  for ((i = 0; i < secs * 20; i++)); do
    port_listening "$port" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

record() {  # record CASE TOOL ROUND SECONDS|FAIL [REPORTED [RES [TO_FIRST_BYTE]]]   (RES: see res_end)
  local res=${6:-$'\t\t\t'} extra="" crss ccpu scpu srss
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" "$res" "${7:-}" >>"$RESULTS"
  if [[ $4 == FAIL ]]; then
    printf '  case %s round %s %-16s FAILED\n' "$1" "$3" "$2"
  else
    IFS=$'\t' read -r crss ccpu scpu srss <<<"$res"
    [[ -n ${5:-} ]] && extra+="; client summary: $5 s"
    [[ -n ${7:-} ]] && extra+="; to first byte: $7 s"
    [[ -n $crss ]] && extra+="; client $crss MiB, $ccpu s CPU"
    [[ -n $scpu ]] && extra+="; server $scpu s CPU, $srss MiB"
    printf '  case %s round %s %-16s %8.3f s%s\n' "$1" "$3" "$2" "$4" "${extra:+   (${extra#; })}"
  fi
}

# resources of one kirim round. res_start SERVER_PID... just before the clock starts; res_end RUSAGE_FILE...
# after it stops: sets RES to "client-peak-MiB<TAB>client-cpu-s<TAB>server-cpu-s<TAB>server-peak-MiB".
# Client: from /usr/bin/time (-f '%M %U %S'), peak RSS the largest of the clients, CPU their sum. Server:
# utime+stime from /proc/PID/stat (the difference, summed over the servers) and VmHWM from /proc/PID/status
# (the peak since the server started; the largest of the servers).
CLK_TCK=$(getconf CLK_TCK 2>/dev/null); [[ $CLK_TCK =~ ^[1-9][0-9]*$ ]] || CLK_TCK=100
proc_ticks() {  # proc_ticks PID...: utime+stime of the processes (all their threads), in clock ticks, summed
  local p sum=0 st
  local -a f
  for p; do
    st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -r -a f <<<"${st##*) }"   # after "pid (comm) ": f[0] is field 3 (state), so utime (14) is f[11]
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}
proc_hwm_mib() {  # proc_hwm_mib PID...: the largest VmHWM of the processes, MiB
  local p files=()
  for p; do [[ -r /proc/$p/status ]] && files+=("/proc/$p/status"); done
  ((${#files[@]})) || return 0
  awk '/^VmHWM:/ { if ($2 > m) m = $2; n++ } END { if (n) printf "%.0f", m / 1024 }' "${files[@]}" 2>/dev/null
}
RES_PIDS=(); RES_T0=0; RES=""
res_start() { RES_PIDS=("$@"); RES_T0=$(proc_ticks "$@"); }
res_end() {
  local f client="" files=() server
  for f; do [[ -s $f ]] && files+=("$f"); done
  # /usr/bin/time writes "Command exited with non-zero status N" before its line when the client fails
  ((${#files[@]})) && client=$(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { last[FILENAME] = $0 }
    END { for (f in last) { split(last[f], v, " "); if (v[1] > m) m = v[1]; c += v[2] + v[3]; n++ }
          if (n) printf "%.0f\t%.2f", m / 1024, c }' "${files[@]}")
  [[ -n $client ]] || client=$'\t'
  server=$(awk -v a="$RES_T0" -v b="$(proc_ticks "${RES_PIDS[@]}")" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
  RES="$client"$'\t'"$server"$'\t'"$(proc_hwm_mib "${RES_PIDS[@]}")"
}

human() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u, " "); i = 1; while (b >= 1024 && i < 5) { b /= 1024; i++ } printf (i == 1 ? "%d %s" : "%.0f %s"), b, u[i] }'; }

# ----------------------------------------------------------------------------------------------
# peers: install when missing, set up daemons
# ----------------------------------------------------------------------------------------------
APT_UPDATED=0
ensure_pkg() {  # ensure_pkg COMMAND PACKAGE: 0 when COMMAND is available afterwards
  local cmd=$1 pkg=$2
  [[ -x $cmd ]] || command -v "$cmd" >/dev/null 2>&1 && return 0
  if ((!INSTALL)); then note "$cmd missing and --no-install given"; return 1; fi
  if [[ $(id -u) != 0 ]]; then note "$cmd missing and not root: cannot apt-get install $pkg"; return 1; fi
  command -v apt-get >/dev/null || { note "$cmd missing and no apt-get"; return 1; }
  note "installing $pkg with apt-get ..."
  if ((!APT_UPDATED)); then
    timeout 300 apt-get update -q >"$LOGS/apt-update.log" 2>&1 || note "apt-get update failed (see log); trying anyway"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "$pkg" >"$LOGS/apt-$pkg.log" 2>&1 \
    || { note "apt-get install $pkg failed: $(tail -1 "$LOGS/apt-$pkg.log")"; return 1; }
  [[ -x $cmd ]] || command -v "$cmd" >/dev/null 2>&1
}

KIRIM_TOOLS=()
for f in ${FSYNC//,/ }; do KIRIM_TOOLS+=("kirim-fsync-$f"); done
PEERS=()
SKIPPED_NOTES=()
# the peers in the order they run within a round; nc-sync and rsync-fsync are the durable variants, like
# kirim's fsync=on: nc-sync's receiver runs `sync -f` on what it received, rsync-fsync runs rsync --fsync
if has "$TOOLS" nc || has "$TOOLS" nc-sync; then
  # the OpenBSD netcat (-N); other netcats have other flags
  NC_OK=0
  if ensure_pkg nc netcat-openbsd && [[ $(nc -h 2>&1) == *OpenBSD* ]]; then NC_OK=1
  elif ensure_pkg /bin/nc.openbsd netcat-openbsd; then NC_OK=1; fi
  if ((NC_OK)); then
    has "$TOOLS" nc && PEERS+=(nc)
    if has "$TOOLS" nc-sync; then
      if [[ $(sync --help 2>&1) == *--file-system* ]]; then PEERS+=(nc-sync)
      else SKIPPED_NOTES+=("nc-sync: skipped (this sync has no -f / --file-system)"); fi
    fi
  else
    SKIPPED_NOTES+=("nc, nc-sync: skipped (netcat-openbsd not available)")
  fi
fi
NC=nc; [[ -x /bin/nc.openbsd ]] && NC=/bin/nc.openbsd
if has "$TOOLS" rsync || has "$TOOLS" rsync-fsync; then
  if ensure_pkg rsync rsync; then
    has "$TOOLS" rsync && PEERS+=(rsync)
    if has "$TOOLS" rsync-fsync; then
      # (not `| grep -q`: with pipefail, rsync's SIGPIPE when grep stops reading would count as "no")
      if [[ $(rsync --help 2>&1) == *--fsync* ]]; then PEERS+=(rsync-fsync)
      else SKIPPED_NOTES+=("rsync-fsync: skipped ($(rsync --version | head -1 | sed -E 's/ +protocol.*//') has no --fsync; it came in 3.2.4)"); fi
    fi
  else
    SKIPPED_NOTES+=("rsync, rsync-fsync: skipped (rsync not installable)")
  fi
fi
if has "$TOOLS" scp; then
  if ensure_pkg /usr/sbin/sshd openssh-server && ensure_pkg scp openssh-client && ensure_pkg ssh-keygen openssh-client; then
    if [[ $(id -u) == 0 ]]; then PEERS+=(scp); else SKIPPED_NOTES+=("scp: skipped (the temp sshd needs root here)"); fi
  else
    SKIPPED_NOTES+=("scp: skipped (openssh-server not installable)")
  fi
fi
ALL_TOOLS=()
has "$TOOLS" kirim && ALL_TOOLS+=("${KIRIM_TOOLS[@]}")
ALL_TOOLS+=("${PEERS[@]}")
((${#ALL_TOOLS[@]})) || die "no tool left to run"
C5_TOOLS=(kirim-jar kirim-script)   # case 5: the client started by java -jar, and by bin/kirim-client
if has "$CASES" 5 && ! has "$TOOLS" kirim; then SKIPPED_NOTES+=("case 5: skipped (it runs kirim only)"); fi
case_tools() {  # the tools of case N, in their order within a round (case 5: kirim only; 6: kirim and rsync; 7: no scp)
  local t
  case $1 in
    5) has "$TOOLS" kirim && echo "${C5_TOOLS[*]}" ;;
    6) for t in "${ALL_TOOLS[@]}"; do [[ $t == kirim-* || $t == rsync* ]] && printf '%s ' "$t"; done; echo ;;
    7) for t in "${ALL_TOOLS[@]}"; do [[ $t != scp ]] && printf '%s ' "$t"; done; echo ;;
    *) echo "${ALL_TOOLS[*]}" ;;
  esac
  return 0
}

# /usr/bin/time measures each kirim client (peak RSS, CPU); without it those columns stay empty
TIME_BIN=""
if has "$TOOLS" kirim; then
  if ensure_pkg /usr/bin/time time; then TIME_BIN=/usr/bin/time
  else SKIPPED_NOTES+=("client peak RSS and CPU: not measured (/usr/bin/time, Debian package time, not available)"); fi
fi

SSH_DIR=$WORK/ssh
setup_ssh_keys() {
  [[ -f $SSH_DIR/client_key ]] && return 0
  mkdir -p "$SSH_DIR" && chmod 700 "$SSH_DIR"
  ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key" -C kirim-bench-host || return 1
  ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/client_key" -C kirim-bench-client || return 1
  cp "$SSH_DIR/client_key.pub" "$SSH_DIR/authorized_keys" && chmod 600 "$SSH_DIR/authorized_keys"
  : >"$SSH_DIR/ssh_config"
  if [[ ! -d /run/sshd ]]; then mkdir -p /run/sshd && chmod 755 /run/sshd && CREATED_RUN_SSHD=1; fi
}
SCP_OPTS=()

# start_sshd NAME: sets PORT, BG_PID
start_sshd() {
  local name=$1
  setup_ssh_keys || return 1
  alloc_port
  cat >"$SSH_DIR/$name.conf" <<EOF
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/$name.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  bg "$name" /usr/sbin/sshd -D -e -f "$SSH_DIR/$name.conf" -p "$PORT"
  wait_listen "$PORT" "$BG_PID" 20 || { note "sshd $name did not start: $(tail -3 "$LOGS/$name.log")"; return 1; }
  SCP_OPTS=(-q -F "$SSH_DIR/ssh_config" -i "$SSH_DIR/client_key" -o StrictHostKeyChecking=no
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=10)
  # the first login proves the keys work (outside any timing)
  timeout 20 scp "${SCP_OPTS[@]}" -P "$PORT" "$SSH_DIR/client_key.pub" "root@127.0.0.1:$SSH_DIR/probe-$name" \
    >"$LOGS/$name-probe.log" 2>&1 || { note "scp to sshd $name failed: $(tail -3 "$LOGS/$name-probe.log")"; return 1; }
}

# start_rsyncd NAME DIR: module "mod" -> DIR; sets PORT, BG_PID
start_rsyncd() {
  local name=$1 dir=$2
  alloc_port
  cat >"$WORK/$name.conf" <<EOF
address = 127.0.0.1
use chroot = no
pid file = $WORK/$name.pid
lock file = $WORK/$name.lock
log file = $LOGS/$name-daemon.log
uid = $(id -u)
gid = $(id -g)
[mod]
  path = $dir
  read only = no
  list = no
EOF
  bg "$name" rsync --daemon --no-detach --config="$WORK/$name.conf" --port="$PORT"
  wait_listen "$PORT" "$BG_PID" 20 || { note "rsync daemon $name did not start: $(tail -3 "$LOGS/$name.log")"; return 1; }
}

# launch_kirim NAME DIR FSYNC(on|off) [JVM-OPTION...]: starts a kirim server without waiting for it (a case
# launches its servers together, then waits for each with kirim_ready); sets PORT, BG_PID (the server JVM's
# pid: setsid execs java)
launch_kirim() {
  local name=$1 dir=$2 fs=$3 conf
  shift 3
  alloc_port
  conf="{\"host\":\"127.0.0.1\",\"port\":$PORT,\"storageDir\":\"$dir\",\"fsync\":$([[ $fs == on ]] && echo true || echo false)"
  conf+="${SERVER_EXTRA:+,$SERVER_EXTRA}}"
  echo "$conf" >"$LOGS/$name.conf.json"
  # shellcheck disable=SC2086
  bg "$name" java $SERVER_JAVA_OPTS $JAVA_OPTS "$@" -jar "$SERVER_JAR" -conf "$conf" $SERVER_ARGS
}
kirim_ready() {  # kirim_ready NAME PID: waits (at most 60 s) until the server logs "listening on", then warms it
  local name=$1 pid=$2 i
  for ((i = 0; i < 600; i++)); do
    grep -q "listening on" "$LOGS/$name.log" 2>/dev/null && { warm_server "$name"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  note "kirim server $name did not start: $(tail -3 "$LOGS/$name.log")"
  return 1
}

# warm_server NAME: the untimed --server-warmup pushes into a server that just started (into its warmup/ dir,
# beside what the rounds check). A failed warm-up is noted; the rounds then time a colder server.
warm_server() {
  local name=$1 port src=$WORK/server-warmup pass
  ((SERVER_WARMUP > 0)) || return 0
  [[ $name == warmup-server ]] && return 0
  port=$(grep -o -m1 'listening on [0-9.]*:[0-9]*' "$LOGS/$name.log" | sed 's/.*://')
  if [[ ! -f $src/.complete-$SERVER_WARMUP-$SERVER_WARMUP_BIG_B ]]; then
    rm -rf -- "$src"; mkdir -p "$src/small"
    head -c $((SERVER_WARMUP * 4096)) /dev/urandom | (cd "$src/small" && split -b 4096 -a 6 -d - f)
    head -c "$SERVER_WARMUP_BIG_B" /dev/urandom >"$src/big.bin"
    touch "$src/.complete-$SERVER_WARMUP-$SERVER_WARMUP_BIG_B"
  fi
  for pass in 1 2; do
    kirim_argv "$name-warmup$pass"
    run_fg "$name-warmup$pass" "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:$port\"]" "[\"$src/small\",\"$src/big.bin\"]" "warmup/$pass")" \
      || { note "warm-up push $pass into $name failed (log: $LOGS/$name-warmup$pass.log)"; return 0; }
  done
}
start_kirim() { launch_kirim "$@" && kirim_ready "$1" "$BG_PID"; }   # start_kirim as launch_kirim, and waits

stop_pid() { stop_group "$1"; wait "$1" 2>/dev/null; return 0; }
stop_pids() {  # stop_pids PGID...: stop_pid for several at once: TERM to all, one shared 5 s grace, then KILL
  local g i alive
  for g; do kill -TERM -- "-$g" 2>/dev/null; done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for g; do kill -0 -- "-$g" 2>/dev/null && { alive=1; break; }; done
    ((alive)) || break
    sleep 0.1
  done
  for g; do kill -KILL -- "-$g" 2>/dev/null; wait "$g" 2>/dev/null; done
  return 0
}

# kirim_argv NAME [jar|script]: sets KARGV to the command line of one kirim client, without its
# -conf: bounded by timeout, under /usr/bin/time (peak RSS and CPU into $LOGS/NAME.rusage), started with
# java -jar or with bin/kirim-client (default: --client-cmd)
kirim_argv() {
  local name=$1 how=${2:-$CLIENT_CMD}
  KARGV=(timeout -k 5 "$TIMEOUT")
  [[ -n $TIME_BIN ]] && KARGV+=("$TIME_BIN" -f '%M %U %S' -o "$LOGS/$name.rusage")
  if [[ $how == script ]]; then
    KARGV+=(env "XDG_CACHE_HOME=$CLIENT_CACHE" "KIRIM_CLIENT_JAR=$CLIENT_JAR" "KIRIM_JAVA_OPTS=$JAVA_OPTS" "$KIRIM_SCRIPT")
  else
    # shellcheck disable=SC2206
    KARGV+=(java $JAVA_OPTS -jar "$CLIENT_JAR")
  fi
}
# the client's -conf value: kirim_client_conf TARGETS_JSON FILES_JSON REMOTE_DIR
kirim_client_conf() {
  printf '{"targets":%s,"files":%s,"remoteDir":"%s"%s}' "$1" "$2" "$3" "${CLIENT_EXTRA:+,$CLIENT_EXTRA}"
}
reported_secs() {  # from the summary's last line: "kirim: ... in 4.73 s — all delivered"
  grep '^kirim:' "$1" 2>/dev/null | tail -1 | sed -nE 's/.* in ([0-9.]+) s.*/\1/p'
}

# ----------------------------------------------------------------------------------------------
# verification helpers (outside timings)
# ----------------------------------------------------------------------------------------------
verify_file() {  # verify_file SRC_CKSUM_LINE_VALUE SIZE PATH
  local want=$1 size=$2 path=$3 got
  [[ -f $path ]] || { note "verify: $path missing"; return 1; }
  [[ $(stat -c %s "$path") == "$size" ]] || { note "verify: $path has $(stat -c %s "$path") bytes, want $size"; return 1; }
  got=$(cksum <"$path" | awk '{print $1}')
  [[ $got == "$want" ]] || { note "verify: $path checksum $got, want $want"; return 1; }
}
tree_sig() {  # "count bytes cksum" of every regular file under DIR (contents concatenated in name order)
  (cd "$1" 2>/dev/null || exit 1
   find . -type f | wc -l
   find . -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
   find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r cat | cksum | awk '{print $1}') | paste -sd' '
}
verify_tree() {  # verify_tree WANT_SIG DIR
  local got
  got=$(tree_sig "$2")
  [[ $got == "$1" ]] || { note "verify: $2: files/bytes/cksum '$got', want '$1'"; return 1; }
}

settle() { sync; sleep "$SETTLE_PAUSE"; }  # let the previous tool's dirty pages reach the disk before the next clock starts

# bin/kirim-client makes its AppCDS archive on its first run of a jar (slower, once). That run happens here,
# untimed: a push of one small file to a server of its own, before the first case.
warm_script_client() {
  local dir=$WORK/warmup pid rc=0
  mkdir -p "$dir/in"
  head -c 65536 /dev/urandom >"$dir/warmup.bin"
  note "bin/kirim-client: making its AppCDS archive (one untimed push) ..."
  start_kirim warmup-server "$dir/in" on || return 1
  pid=$BG_PID
  kirim_argv warmup-client script
  run_fg warmup-client "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:$PORT\"]" "[\"$dir/warmup.bin\"]" w)" || rc=$?
  stop_pid "$pid"
  ((rc == 0)) || { note "bin/kirim-client warm-up push failed (exit $rc; log: $LOGS/warmup-client.log)"; return 1; }
  compgen -G "$CLIENT_CACHE/kirim/*.jsa" >/dev/null || note "bin/kirim-client made no AppCDS archive (see $LOGS/warmup-client.log)"
  return 0
}

# ----------------------------------------------------------------------------------------------
# data (generated once, reused)
# ----------------------------------------------------------------------------------------------
gen_file() {  # gen_file PATH BYTES (random, incompressible; reused when it already has that size)
  if [[ -f $1 && $(stat -c %s "$1") == "$2" ]]; then return 0; fi
  note "generating $1 ($(human "$2")) ..."
  head -c "$2" /dev/urandom >"$1.tmp" && mv "$1.tmp" "$1"
}
cksum_of() { cksum <"$1" | awk '{print $1}'; }

# nc_receiver TOOL REDIRECT SYNC_PATH: the sh -c script of an nc listener on $PORT; REDIRECT is what follows
# nc -l (e.g. "> 'file'" or "| tar xf - -C 'dir'"). nc-sync's receiver then runs `sync -f SYNC_PATH`
# (syncfs: writes back the file system holding it), so the sync is on the clock (the clock stops when
# every process of the transfer has exited, receivers included).
nc_receiver() {
  if [[ $1 == nc-sync ]]; then echo "$NC -l 127.0.0.1 $PORT $2 && exec sync -f '$3'"
  else echo "exec $NC -l 127.0.0.1 $PORT $2"; fi
}
rsync_flags() {  # rsync_flags TOOL: sets RSYNC_FLAGS (rsync-fsync: --fsync, the receiving daemon fsyncs each file)
  RSYNC_FLAGS=(-a)
  [[ $1 == rsync-fsync ]] && RSYNC_FLAGS+=(--fsync)
  return 0
}

# ----------------------------------------------------------------------------------------------
# case 1: one large file
# ----------------------------------------------------------------------------------------------
case1() {
  local src=$DATA_DIR/large-$SIZE_B.bin want dest=$WORK/c1 r tool t0 t rc rep
  gen_file "$src" "$SIZE_B" || die "cannot generate $src"
  want=$(cksum_of "$src")
  mkdir -p "$dest"
  echo "== case 1: one $(human "$SIZE_B") file, $ROUNDS rounds"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${ALL_TOOLS[@]}"; do
    mkdir -p "$dest/$tool"
    case $tool in
      kirim-fsync-*) launch_kirim "c1-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync*) start_rsyncd "c1-${tool}d" "$dest/$tool" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) start_sshd c1-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc*) PORTS[$tool]=per-round ;;
    esac
  done
  for tool in "${!PIDS[@]}"; do   # the kirim servers were launched together: wait for each
    if [[ $tool == kirim-* ]] && ! kirim_ready "c1-$tool" "${PIDS[$tool]}"; then unset 'PORTS[$tool]'; fi
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 1 "$tool" "$r" FAIL; continue; }
      settle
      local out="" rep="" res=""
      case $tool in
        kirim-fsync-*)
          out=$dest/$tool/r$r/$(basename "$src")
          kirim_argv "c1-$tool-r$r"
          res_start "${PIDS[$tool]}"
          t0=$(now_ns)
          run_fg "c1-$tool-r$r" "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"$src\"]" "r$r")"
          rc=$?; t=$(secs_since "$t0"); rep=$(reported_secs "$LOGS/c1-$tool-r$r.log")
          res_end "$LOGS/c1-$tool-r$r.rusage"; res=$RES ;;
        nc*)
          out=$dest/$tool/r$r.bin
          alloc_port
          bg "c1-$tool-listen-r$r" timeout -k 5 "$TIMEOUT" sh -c "$(nc_receiver "$tool" "> '$out'" "$out")"
          local lpid=$BG_PID
          wait_listen "$PORT" "$lpid" 10 || { record 1 "$tool" "$r" FAIL; stop_pid "$lpid"; continue; }
          t0=$(now_ns)
          run_fg "c1-$tool-r$r" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 $PORT < '$src'"
          rc=$?; wait_pid "$lpid" || rc=$?
          t=$(secs_since "$t0") ;;
        rsync*)
          out=$dest/$tool/r$r.bin
          rsync_flags "$tool"
          t0=$(now_ns)
          run_fg "c1-$tool-r$r" timeout -k 5 "$TIMEOUT" rsync "${RSYNC_FLAGS[@]}" "$src" "rsync://127.0.0.1:${PORTS[$tool]}/mod/r$r.bin"
          rc=$?; t=$(secs_since "$t0") ;;
        scp)
          out=$dest/scp/r$r.bin
          t0=$(now_ns)
          run_fg "c1-scp-r$r" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${PORTS[scp]}" "$src" "root@127.0.0.1:$out"
          rc=$?; t=$(secs_since "$t0") ;;
      esac
      if ((rc == 0)) && verify_file "$want" "$SIZE_B" "$out"; then record 1 "$tool" "$r" "$t" "$rep" "$res"
      else note "case 1 $tool round $r: exit $rc (log: $LOGS/c1-$tool-r$r.log)"; record 1 "$tool" "$r" FAIL; fi
      rm -f -- "$out"   # 2 GiB per round: do not keep (a single big inode, no reuse penalty)
    done
  done
  stop_pids "${PIDS[@]}"
}

# ----------------------------------------------------------------------------------------------
# case 2: many small files (fresh destination per round; trees are only deleted at the end)
# ----------------------------------------------------------------------------------------------
small_files() {  # the small files of cases 2 and 6 (generated once): sets SMALL_SRC, whose small/ holds them
  SMALL_SRC=$DATA_DIR/small-${NFILES}x$FILE_SIZE_B
  if [[ ! -f $SMALL_SRC/.complete ]]; then
    note "generating $NFILES files of $(human "$FILE_SIZE_B") in $SMALL_SRC ..."
    rm -rf -- "$SMALL_SRC"; mkdir -p "$SMALL_SRC/small"
    head -c $((NFILES * FILE_SIZE_B)) /dev/urandom | (cd "$SMALL_SRC/small" && split -b "$FILE_SIZE_B" -a 6 -d - f) \
      || die "cannot generate the small files"
    touch "$SMALL_SRC/.complete"
  fi
}

case2() {
  local src dest=$WORK/c2 want r tool t0 t rc
  small_files; src=$SMALL_SRC
  want=$(tree_sig "$src/small")
  mkdir -p "$dest"
  echo "== case 2: $NFILES files of $(human "$FILE_SIZE_B"), $ROUNDS rounds (each round into a fresh directory)"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${ALL_TOOLS[@]}"; do
    mkdir -p "$dest/$tool"
    case $tool in
      kirim-fsync-*) launch_kirim "c2-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync*) start_rsyncd "c2-${tool}d" "$dest/$tool" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) start_sshd c2-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc*) PORTS[$tool]=per-round ;;
    esac
  done
  for tool in "${!PIDS[@]}"; do   # the kirim servers were launched together: wait for each
    if [[ $tool == kirim-* ]] && ! kirim_ready "c2-$tool" "${PIDS[$tool]}"; then unset 'PORTS[$tool]'; fi
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 2 "$tool" "$r" FAIL; continue; }
      local rdir=$dest/$tool/r$r rep="" res=""
      [[ $tool == kirim-* ]] || mkdir -p "$rdir"   # kirim creates it (that is part of its job)
      settle
      case $tool in
        kirim-fsync-*)
          kirim_argv "c2-$tool-r$r"
          res_start "${PIDS[$tool]}"
          t0=$(now_ns)
          run_fg "c2-$tool-r$r" "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"$src/small\"]" "r$r")"
          rc=$?; t=$(secs_since "$t0"); rep=$(reported_secs "$LOGS/c2-$tool-r$r.log")
          res_end "$LOGS/c2-$tool-r$r.rusage"; res=$RES ;;
        nc*)
          alloc_port
          bg "c2-$tool-listen-r$r" timeout -k 5 "$TIMEOUT" sh -c "$(nc_receiver "$tool" "| tar xf - -C '$rdir'" "$rdir")"
          local lpid=$BG_PID
          wait_listen "$PORT" "$lpid" 10 || { record 2 "$tool" "$r" FAIL; stop_pid "$lpid"; continue; }
          t0=$(now_ns)
          run_fg "c2-$tool-r$r" timeout -k 5 "$TIMEOUT" sh -c "tar cf - -C '$src' small | $NC -N 127.0.0.1 $PORT"
          rc=$?; wait_pid "$lpid" || rc=$?
          t=$(secs_since "$t0") ;;
        rsync*)
          rsync_flags "$tool"
          t0=$(now_ns)
          run_fg "c2-$tool-r$r" timeout -k 5 "$TIMEOUT" rsync "${RSYNC_FLAGS[@]}" "$src/small" "rsync://127.0.0.1:${PORTS[$tool]}/mod/r$r/"
          rc=$?; t=$(secs_since "$t0") ;;
        scp)
          t0=$(now_ns)
          run_fg "c2-scp-r$r" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -r -P "${PORTS[scp]}" "$src/small" "root@127.0.0.1:$rdir/"
          rc=$?; t=$(secs_since "$t0") ;;
      esac
      if ((rc == 0)) && verify_tree "$want" "$rdir/small"; then record 2 "$tool" "$r" "$t" "$rep" "$res"
      else note "case 2 $tool round $r: exit $rc (log: $LOGS/c2-$tool-r$r.log)"; record 2 "$tool" "$r" FAIL; fi
    done
  done
  stop_pids "${PIDS[@]}"
}

# ----------------------------------------------------------------------------------------------
# case 3: NCLIENTS clients (--clients, default 4), one file each, concurrently into one server
# ----------------------------------------------------------------------------------------------
case3() {
  local dest=$WORK/c3 r tool t0 t rc i
  local -a srcs=() wants=()
  for ((i = 0; i < NCLIENTS; i++)); do
    srcs+=("$DATA_DIR/multi-$MULTI_SIZE_B-$i.bin")
    gen_file "${srcs[i]}" "$MULTI_SIZE_B" || die "cannot generate ${srcs[i]}"
    wants+=("$(cksum_of "${srcs[i]}")")
  done
  mkdir -p "$dest"
  echo "== case 3: $NCLIENTS clients x $(human "$MULTI_SIZE_B") at once into one server, $ROUNDS rounds"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${ALL_TOOLS[@]}"; do
    mkdir -p "$dest/$tool"
    case $tool in
      kirim-fsync-*) launch_kirim "c3-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync*) start_rsyncd "c3-${tool}d" "$dest/$tool" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) start_sshd c3-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc*) PORTS[$tool]=per-round ;;   # nc serves one connection: one listener per client
    esac
  done
  for tool in "${!PIDS[@]}"; do   # the kirim servers were launched together: wait for each
    if [[ $tool == kirim-* ]] && ! kirim_ready "c3-$tool" "${PIDS[$tool]}"; then unset 'PORTS[$tool]'; fi
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 3 "$tool" "$r" FAIL; continue; }
      local rdir=$dest/$tool/r$r rep="" res="" ok=1
      local -a cpids=() lpids=() nports=()
      [[ $tool == kirim-* ]] || mkdir -p "$rdir"
      if [[ $tool == nc* ]]; then
        for ((i = 0; i < NCLIENTS; i++)); do
          alloc_port; nports+=("$PORT")
          bg "c3-$tool-listen-r$r-$i" timeout -k 5 "$TIMEOUT" sh -c "$(nc_receiver "$tool" "> '$rdir/$i.bin'" "$rdir/$i.bin")"
          lpids+=("$BG_PID")
          wait_listen "$PORT" "$BG_PID" 10 || ok=0
        done
      fi
      [[ $tool == rsync* ]] && rsync_flags "$tool"
      settle
      rc=0
      if ((ok)); then
        [[ $tool == kirim-* ]] && res_start "${PIDS[$tool]}"
        t0=$(now_ns)
        for ((i = 0; i < NCLIENTS; i++)); do
          case $tool in
            kirim-fsync-*)
              kirim_argv "c3-$tool-r$r-$i"
              bg "c3-$tool-r$r-$i" "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"${srcs[i]}\"]" "r$r/$i")" ;;
            nc*) bg "c3-$tool-r$r-$i" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 ${nports[i]} < '${srcs[i]}'" ;;
            rsync*) bg "c3-$tool-r$r-$i" timeout -k 5 "$TIMEOUT" rsync "${RSYNC_FLAGS[@]}" "${srcs[i]}" "rsync://127.0.0.1:${PORTS[$tool]}/mod/r$r/$i.bin" ;;
            scp) bg "c3-scp-r$r-$i" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${PORTS[scp]}" "${srcs[i]}" "root@127.0.0.1:$rdir/$i.bin" ;;
          esac
          cpids+=("$BG_PID")
        done
        for k in "${cpids[@]}" "${lpids[@]}"; do wait_pid "$k" || rc=$?; done
        t=$(secs_since "$t0")
        if [[ $tool == kirim-* ]]; then res_end "$LOGS/c3-$tool-r$r-"*.rusage; res=$RES; fi
      else
        for k in "${lpids[@]}"; do stop_pid "$k"; done
        rc=1
      fi
      if [[ $tool == kirim-* ]]; then
        local sum=0 one
        for ((i = 0; i < NCLIENTS; i++)); do
          one=$(reported_secs "$LOGS/c3-$tool-r$r-$i.log")
          [[ -n $one ]] && sum=$(awk -v a="$sum" -v b="$one" 'BEGIN { print (b > a ? b : a) }')
        done
        rep=$sum   # the slowest client's own transfer time
      fi
      for ((i = 0; i < NCLIENTS; i++)); do
        local got=$rdir/$i.bin
        [[ $tool == kirim-* ]] && got=$rdir/$i/$(basename "${srcs[i]}")
        if ((rc == 0)); then verify_file "${wants[i]}" "$MULTI_SIZE_B" "$got" || rc=1; fi
        rm -f -- "$got"
      done
      if ((rc == 0)); then record 3 "$tool" "$r" "$t" "$rep" "$res"
      else note "case 3 $tool round $r: exit $rc (logs: $LOGS/c3-$tool-r$r-*.log)"; record 3 "$tool" "$r" FAIL; fi
    done
  done
  stop_pids "${PIDS[@]}"
}

# ----------------------------------------------------------------------------------------------
# case 4: one client out to 3 servers (kirim: one client, 3 targets; peers: 3 pushes in parallel)
# ----------------------------------------------------------------------------------------------
NSERVERS=3
# fanout CASE: one file to $NSERVERS servers; case 4 starts a kirim client per push, case 7 hands each push to a
# resident client (kirim's push service) as a job, as case 6 does
fanout() {
  local c=$1 name=fanout-$FANOUT_SIZE_B.bin
  local src=$DATA_DIR/$name dest=$WORK/c$c want r tool t0 t rc i pass
  gen_file "$src" "$FANOUT_SIZE_B" || die "cannot generate $src"
  want=$(cksum_of "$src")
  mkdir -p "$dest"
  echo "== case $c: one $(human "$FANOUT_SIZE_B") file to $NSERVERS servers$([[ $c == 7 ]] && echo " from a resident client (kirim's push service)"), $ROUNDS rounds (peers: $NSERVERS pushes in parallel)"
  local -a tools
  read -r -a tools <<<"$(case_tools "$c")"
  declare -A PORTS=() PIDS=()
  local k s
  for tool in "${tools[@]}"; do
    local okall=1 plist=""
    for ((s = 0; s < NSERVERS; s++)); do
      mkdir -p "$dest/$tool/s$s"
      case $tool in
        kirim-fsync-*) launch_kirim "c$c-$tool-s$s" "$dest/$tool/s$s" "${tool#kirim-fsync-}" || okall=0 ;;
        rsync*) start_rsyncd "c$c-${tool}d-s$s" "$dest/$tool/s$s" || okall=0 ;;
        scp) start_sshd "c$c-sshd-s$s" || okall=0 ;;
        nc*) PORT=per-round ;;
      esac
      ((okall)) || break
      plist+="${plist:+ }$PORT"
      [[ $tool == nc* ]] || PIDS[$tool-$s]=$BG_PID
    done
    ((okall)) && PORTS[$tool]=$plist
  done
  for k in "${!PIDS[@]}"; do   # the kirim servers were launched together: wait for each
    if [[ $k == kirim-* ]] && ! kirim_ready "c$c-${k%-*}-s${k##*-}" "${PIDS[$k]}"; then unset 'PORTS[${k%-*}]'; fi
  done
  if [[ $c == 7 && ${tools[*]} == *kirim-* ]]; then
    start_push_service c7 "$DATA_DIR"
    for tool in "${tools[@]}"; do   # two untimed jobs per server set: the service's JIT warms up, as a daemon's would
      [[ $tool == kirim-* && -n ${PORTS[$tool]:-} ]] || continue
      for pass in 1 2; do
        send_job "$(fanout_job "${PORTS[$tool]}" "$name" "service-warmup/$pass")" && continue
        note "case 7: warm-up job into $tool failed: $JOB_LINE (service log: $LOGS/c7-service.log)"; unset 'PORTS[$tool]'; break
      done
    done
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${tools[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record "$c" "$tool" "$r" FAIL; continue; }
      # shellcheck disable=SC2206
      local -a ports=(${PORTS[$tool]}) cpids=() lpids=() outs=() spids=()
      local rep="" res="" ok=1
      for ((s = 0; s < NSERVERS; s++)); do
        case $tool in
          kirim-fsync-*) outs+=("$dest/$tool/s$s/r$r/$(basename "$src")") ;;
          *) outs+=("$dest/$tool/s$s/r$r.bin") ;;
        esac
      done
      if [[ $tool == nc* ]]; then
        ports=()
        for ((s = 0; s < NSERVERS; s++)); do
          alloc_port; ports+=("$PORT")
          bg "c$c-$tool-listen-r$r-s$s" timeout -k 5 "$TIMEOUT" sh -c "$(nc_receiver "$tool" "> '${outs[s]}'" "${outs[s]}")"
          lpids+=("$BG_PID")
          wait_listen "$PORT" "$BG_PID" 10 || ok=0
        done
      fi
      [[ $tool == rsync* ]] && rsync_flags "$tool"
      settle
      rc=0
      if ((ok)); then
        if [[ $tool == kirim-* ]]; then
          for ((s = 0; s < NSERVERS; s++)); do spids+=("${PIDS[$tool-$s]}"); done
          kirim_argv "c$c-$tool-r$r"
          res_start "${spids[@]}"
          [[ $c == 7 ]] && SVC_T0=$(proc_ticks "$SVC_PID")
        fi
        t0=$(now_ns)
        case $tool in
          kirim-fsync-*)
            if [[ $c == 7 ]]; then
              send_job "$(fanout_job "${PORTS[$tool]}" "$name" "r$r")" || { rc=1; note "case 7 $tool round $r: $JOB_LINE"; }
            else
              local targets="" p
              for p in "${ports[@]}"; do targets+="${targets:+,}\"127.0.0.1:$p\""; done
              run_fg "c$c-$tool-r$r" "${KARGV[@]}" -conf "$(kirim_client_conf "[$targets]" "[\"$src\"]" "r$r")" || rc=$?
              rep=$(reported_secs "$LOGS/c$c-$tool-r$r.log")
            fi ;;
          *)
            for ((s = 0; s < NSERVERS; s++)); do
              case $tool in
                nc*) bg "c$c-$tool-r$r-s$s" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 ${ports[s]} < '$src'" ;;
                rsync*) bg "c$c-$tool-r$r-s$s" timeout -k 5 "$TIMEOUT" rsync "${RSYNC_FLAGS[@]}" "$src" "rsync://127.0.0.1:${ports[s]}/mod/r$r.bin" ;;
                scp) bg "c$c-scp-r$r-s$s" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${ports[s]}" "$src" "root@127.0.0.1:${outs[s]}" ;;
              esac
              cpids+=("$BG_PID")
            done
            for k in "${cpids[@]}" "${lpids[@]}"; do wait_pid "$k" || rc=$?; done ;;
        esac
        t=$(secs_since "$t0")
        # case 7: the job sender's own time (from the job sent to its report), as in case 6
        [[ $c == 7 && $tool == kirim-* && -n $JOB_SECS ]] && t=$JOB_SECS
        if [[ $c == 7 && $tool == kirim-* ]]; then res_end; service_job_res; res=$RES
        elif [[ $tool == kirim-* ]]; then res_end "$LOGS/c$c-$tool-r$r.rusage"; res=$RES; fi
      else
        for k in "${lpids[@]}"; do stop_pid "$k"; done
        rc=1
      fi
      for ((s = 0; s < NSERVERS; s++)); do
        if ((rc == 0)); then verify_file "$want" "$FANOUT_SIZE_B" "${outs[s]}" || rc=1; fi
        rm -f -- "${outs[s]}"
      done
      if ((rc == 0)); then record "$c" "$tool" "$r" "$t" "$rep" "$res"
      else note "case $c $tool round $r: exit $rc (logs: $LOGS/c$c-$tool-r$r*.log)"; record "$c" "$tool" "$r" FAIL; fi
    done
  done
  [[ $c == 7 ]] && stop_push_service
  stop_pids "${PIDS[@]}"
}
fanout_job() {  # fanout_job "PORT..." FILE REMOTE_DIR: case 7's job, FILE (under the data dir) to every port
  local targets="" p
  for p in $1; do targets+="${targets:+,}\"127.0.0.1:$p\""; done
  printf '{"targets":[%s],"files":["%s"],"remoteDir":"%s"}' "$targets" "$2" "$3"
}
case4() { fanout 4; }
case7() { fanout 7; }

# ----------------------------------------------------------------------------------------------
# case 5: start-up. One 1-byte file (a new name each round) to a server that is already running, the
# client started by java -jar (kirim-jar) and by bin/kirim-client (kirim-script). Besides the wall time:
# the time from launching the client to its first body byte at the server, from the server's log and its
# timestamps: a 1-byte file goes whole in a put (its byte comes with the put's line), so the line "copied 1
# bytes into '<name>'" marks it, an upper bound by the time the server took to store it; an offered file's
# body follows the debug line "server read '<name>': send from offset 0".
# ----------------------------------------------------------------------------------------------
case5() {
  local dest=$WORK/c5 srcdir=$WORK/c5-src r tool t0 t rc rep res name line ts ms ttfb
  mkdir -p "$dest" "$srcdir"
  echo "== case 5: start-up, one 1-byte file to a running server, $ROUNDS rounds (java -jar and bin/kirim-client)"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${C5_TOOLS[@]}"; do
    mkdir -p "$dest/$tool"
    # the default server configuration (fsync on); the offer's answer logged at debug, with UTC timestamps
    launch_kirim "c5-$tool" "$dest/$tool" on -Dorg.slf4j.simpleLogger.log.dev.kirim.server.ServerConnection=debug \
      -Duser.timezone=UTC && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; }
  done
  for tool in "${!PIDS[@]}"; do   # launched together: wait for each
    kirim_ready "c5-$tool" "${PIDS[$tool]}" || unset 'PORTS[$tool]'
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${C5_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 5 "$tool" "$r" FAIL; continue; }
      name=$tool-r$r.bin
      printf 'k' >"$srcdir/$name"
      rep="" res="" ttfb=""
      kirim_argv "c5-$tool-r$r" "$([[ $tool == kirim-script ]] && echo script || echo jar)"
      settle
      res_start "${PIDS[$tool]}"
      t0=$(now_ns)
      run_fg "c5-$tool-r$r" "${KARGV[@]}" -conf "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"$srcdir/$name\"]" "r$r")"
      rc=$?; t=$(secs_since "$t0"); rep=$(reported_secs "$LOGS/c5-$tool-r$r.log")
      res_end "$LOGS/c5-$tool-r$r.rusage"; res=$RES
      # "2026-11-24T00:22:01.123Z DEBUG ServerConnection - 127.0.0.1:4711 (me@host): server read 'r1/x.bin': send from offset 0"
      line=$(grep -F -e "$name': send from offset 0" -e "/$name' (crc" -e "/$name' (sha" "$LOGS/c5-$tool.log" | head -1)
      ts=${line%% *}
      if [[ $ts =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?$ ]] && ms=$(TZ=UTC date -d "$ts" +%s%3N 2>/dev/null); then
        ttfb=$(awk -v d="$((ms - t0 / 1000000))" 'BEGIN { printf "%.3f", d / 1000 }')
      else
        note "case 5 $tool round $r: no \"send from offset 0\" or \"copied\" line for $name in $LOGS/c5-$tool.log"
      fi
      if ((rc == 0)) && verify_file "$(cksum_of "$srcdir/$name")" 1 "$dest/$tool/r$r/$name"; then
        record 5 "$tool" "$r" "$t" "$rep" "$res" "$ttfb"
      else note "case 5 $tool round $r: exit $rc (log: $LOGS/c5-$tool-r$r.log)"; record 5 "$tool" "$r" FAIL; fi
      rm -f -- "$dest/$tool/r$r/$name"
    done
  done
  stop_pids "${PIDS[@]}"
}

# ----------------------------------------------------------------------------------------------
# case 6: case 2's files from a resident client: kirim's push service takes each push as a job
# ----------------------------------------------------------------------------------------------
JOB_SENDER=$REPO_DIR/bench/JobSender.java
SENDER_FD=""; SENDER_PID=""; SENDER_LOG=""; SVC_PID=""; JOBS_SENT=0
# job_result N SECS: waits until the job sender printed its Nth result line; sets JOB_LINE to it
job_result() {
  local n=$1 secs=$2 i
  for ((i = 0; i < secs * 20; i++)); do
    JOB_LINE=$(grep -E '^(DONE|FAIL) ' "$SENDER_LOG" 2>/dev/null | sed -n "${n}p")
    [[ -n $JOB_LINE ]] && return 0
    kill -0 "$SENDER_PID" 2>/dev/null || break
    sleep 0.05
  done
  JOB_LINE="FAIL no answer from the job sender (log: $SENDER_LOG)"
  return 1
}
# send_job JOB_JSON: one job (one line of JSON), waited for; sets JOB_SECS (the sender's own timing) or fails
send_job() {
  JOB_SECS=""
  if ! kill -0 "$SENDER_PID" 2>/dev/null; then JOB_LINE="FAIL the job sender is not running (log: $SENDER_LOG)"; return 1; fi
  # (SIGPIPE is ignored while a push service runs: a sender that died makes this write fail, not the bench)
  if ! printf '%s\n' "$1" >&"$SENDER_FD" 2>/dev/null; then
    JOB_LINE="FAIL cannot write to the job sender (log: $SENDER_LOG)"; return 1
  fi
  JOBS_SENT=$((JOBS_SENT + 1))
  job_result "$JOBS_SENT" "$TIMEOUT" || return 1
  [[ $JOB_LINE =~ ^DONE\ ([0-9.]+)\ 0$ ]] || return 1
  JOB_SECS=${BASH_REMATCH[1]}
}
# start_push_service NAME BASEDIR: kirim's push service (the resident client) with BASEDIR as its base
# directory, and the job sender, a cluster of their own on loopback ports from --port-base on; sets SVC_PID
start_push_service() {
  local name=$1 base=$2 cport
  alloc_port; cport=$PORT; alloc_port; alloc_port
  # (without the caller's cluster secret: the sender's jobs are unsigned)
  local -a cluster_env=(env -u KIRIM_CLUSTER_SECRET "KIRIM_CLUSTER_NAME=kirim-bench-$$-$name" "KIRIM_CLUSTER_PORT=$cport"
    KIRIM_CLUSTER_MEMBERS=127.0.0.1 KIRIM_CLUSTER_INTERFACE=127.0.0.1)
  trap '' PIPE
  # shellcheck disable=SC2086
  bg "$name-service" "${cluster_env[@]}" java $SERVICE_JAVA_OPTS $JAVA_OPTS -jar "$CLIENT_JAR" -cluster \
    -conf "{\"service\":{\"allowedTargets\":[\"*\"]},\"baseDir\":\"$base\"}"
  SVC_PID=$BG_PID
  mkfifo "$WORK/$name-sender.in"
  SENDER_LOG=$LOGS/$name-sender.log; JOBS_SENT=0
  setsid "${cluster_env[@]}" java -cp "$CLIENT_JAR" "$JOB_SENDER" <"$WORK/$name-sender.in" >"$SENDER_LOG" 2>&1 &
  SENDER_PID=$!; PGIDS+=("$SENDER_PID")
  exec {SENDER_FD}>"$WORK/$name-sender.in"
}
# service_job_res: after res_end for the servers of a job: prepends the push service's peak RSS and CPU during
# the job (since SVC_T0) to RES, as the client columns
service_job_res() {
  local crss ccpu
  crss=$(proc_hwm_mib "$SVC_PID")
  ccpu=$(awk -v a="$SVC_T0" -v b="$(proc_ticks "$SVC_PID")" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
  RES="$crss"$'\t'"$ccpu"$'\t'"${RES#$'\t'$'\t'}"
}
stop_push_service() {  # end of input: the sender leaves the cluster; then both are stopped
  if [[ -n $SENDER_FD ]]; then exec {SENDER_FD}>&-; SENDER_FD=""; fi
  trap - PIPE
  stop_pids ${SVC_PID:+"$SVC_PID"} ${SENDER_PID:+"$SENDER_PID"}
  SVC_PID=""; SENDER_PID=""
}
small_job() {  # small_job PORT REMOTE_DIR: case 6's job, the small files to one server
  printf '{"targets":["127.0.0.1:%s"],"files":["small"],"remoteDir":"%s"}' "$1" "$2"
}
case6() {
  local src dest=$WORK/c6 want r tool rc res pass
  small_files; src=$SMALL_SRC
  want=$(tree_sig "$src/small")
  mkdir -p "$dest"
  echo "== case 6: $NFILES files of $(human "$FILE_SIZE_B") from a resident client (kirim's push service), $ROUNDS rounds"
  local -a tools
  read -r -a tools <<<"$(case_tools 6)"
  ((${#tools[@]})) || { note "case 6: no tool to run (it runs kirim and the rsync daemon)"; return 0; }
  declare -A PORTS=() PIDS=()
  for tool in "${tools[@]}"; do
    mkdir -p "$dest/$tool"
    case $tool in
      kirim-fsync-*) launch_kirim "c6-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync*) start_rsyncd "c6-${tool}d" "$dest/$tool" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
    esac
  done
  for tool in "${!PIDS[@]}"; do
    if [[ $tool == kirim-* ]] && ! kirim_ready "c6-$tool" "${PIDS[$tool]}"; then unset 'PORTS[$tool]'; fi
  done
  if [[ ${tools[*]} == *kirim-* ]]; then
    start_push_service c6 "$src"
    for tool in "${tools[@]}"; do   # two untimed jobs per server: the service's JIT warms up, as a daemon's would
      [[ $tool == kirim-* && -n ${PORTS[$tool]:-} ]] || continue
      for pass in 1 2; do
        send_job "$(small_job "${PORTS[$tool]}" "service-warmup/$pass")" && continue
        note "case 6: warm-up job into $tool failed: $JOB_LINE (service log: $LOGS/c6-service.log)"; unset 'PORTS[$tool]'; break
      done
    done
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${tools[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 6 "$tool" "$r" FAIL; continue; }
      local rdir=$dest/$tool/r$r t="" res=""
      [[ $tool == kirim-* ]] || mkdir -p "$rdir"
      settle
      case $tool in
        kirim-fsync-*)
          res_start "${PIDS[$tool]}"; SVC_T0=$(proc_ticks "$SVC_PID")
          send_job "$(small_job "${PORTS[$tool]}" "r$r")"; rc=$?; t=$JOB_SECS
          res_end; service_job_res; res=$RES
          ((rc == 0)) || note "case 6 $tool round $r: $JOB_LINE" ;;
        rsync*)
          rsync_flags "$tool"
          local t0; t0=$(now_ns)
          run_fg "c6-$tool-r$r" timeout -k 5 "$TIMEOUT" rsync "${RSYNC_FLAGS[@]}" "$src/small" "rsync://127.0.0.1:${PORTS[$tool]}/mod/r$r/"
          rc=$?; t=$(secs_since "$t0") ;;
      esac
      if ((rc == 0)) && verify_tree "$want" "$rdir/small"; then record 6 "$tool" "$r" "$t" "" "$res"
      else record 6 "$tool" "$r" FAIL; fi
    done
  done
  stop_push_service
  stop_pids "${PIDS[@]}"
}

# ----------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------
median_of() {  # median of the successful rounds of CASE TOOL in column COL (4 = wall, 5 = client-reported, 6-10: see RESULTS)
  awk -F'\t' -v c="$1" -v t="$2" -v col="$3" '$1 == c && $2 == t && $4 != "FAIL" && $col != "" { print $col }' "$RESULTS" \
    | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fails_of() { awk -F'\t' -v c="$1" -v t="$2" '$1 == c && $2 == t && $4 == "FAIL" { n++ } END { print n + 0 }' "$RESULTS"; }
spread_of() {  # min-max of the successful rounds
  awk -F'\t' -v c="$1" -v t="$2" '$1 == c && $2 == t && $4 != "FAIL" { if (n++ == 0 || $4 < lo) lo = $4; if ($4 > hi) hi = $4 } END { if (n) printf "%.2f–%.2f", lo, hi }' "$RESULTS"
}

case_label() {
  case $1 in
    1) echo "1: one $(human "$SIZE_B") file" ;;
    2) echo "2: $NFILES × $(human "$FILE_SIZE_B")" ;;
    3) echo "3: $NCLIENTS clients × $(human "$MULTI_SIZE_B") → 1 server" ;;
    4) echo "4: 1 client × $(human "$FANOUT_SIZE_B") → $NSERVERS servers" ;;
    5) echo "5: start-up, 1 byte" ;;
    6) echo "6: $NFILES × $(human "$FILE_SIZE_B"), resident client" ;;
    7) echo "7: 1 resident client × $(human "$FANOUT_SIZE_B") → $NSERVERS servers" ;;
  esac
}
case_rate() {  # case_rate CASE SECONDS -> "123 MB/s" or "4567 files/s"
  case $1 in
    1) awk -v s="$2" -v b="$SIZE_B" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }' ;;
    2|6) awk -v s="$2" -v n="$NFILES" 'BEGIN { printf "%.0f files/s", n / s }' ;;
    3) awk -v s="$2" -v b="$MULTI_SIZE_B" -v n="$NCLIENTS" 'BEGIN { printf "%.0f MB/s", n * b / 1e6 / s }' ;;
    4|7) awk -v s="$2" -v b="$FANOUT_SIZE_B" -v n="$NSERVERS" 'BEGIN { printf "%.0f MB/s", n * b / 1e6 / s }' ;;
    5) ;;   # 1 byte: no rate
  esac
}
fmt() {  # fmt NUMBER DECIMALS ("" stays "")
  [[ -n $1 ]] && awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'
  return 0
}
per_gib() {  # per_gib CASE CPU_SECONDS -> the cell: "2.10" or, in case 1, "2.10 (1.05 s/GiB)"
  [[ -n $2 ]] || return 0
  if [[ $1 == 1 ]]; then awk -v c="$2" -v b="$SIZE_B" 'BEGIN { printf "%.2f (%.2f s/GiB)", c, c / (b / 1073741824) }'
  else fmt "$2" 2; fi
}
ratio() {  # ratio KIRIM_SECONDS PEER_SECONDS -> kirim speed / peer speed (= peer time / kirim time)
  [[ -n $1 && -n $2 ]] || { echo "–"; return; }
  awk -v k="$1" -v p="$2" 'BEGIN { printf "%.2f", p / k }'
}

client_cmd_text() {
  case $1 in
    script) echo "bin/kirim-client (AppCDS archive made by one untimed push before the cases, C1, serial GC)" ;;
    *) echo "java -jar kirim-client.jar" ;;
  esac
}

report() {
  local c tool med fails rate rep out
  out=$WORK/results.md
  {
    echo "| case | tool | median s (min–max) | rate | kirim fsync=off ÷ tool | kirim fsync=on ÷ tool | kirim client's own transfer s | to first byte s | client peak RSS MiB | client CPU s | server CPU s | server peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for c in ${CASES//,/ }; do
      local koff kon
      koff=$(median_of "$c" kirim-fsync-off 4); kon=$(median_of "$c" kirim-fsync-on 4)
      for tool in $(case_tools "$c"); do
        med=$(median_of "$c" "$tool" 4); fails=$(fails_of "$c" "$tool")
        rep=$(median_of "$c" "$tool" 5)
        if [[ -n $med ]]; then rate=$(case_rate "$c" "$med"); else rate="–"; med="FAILED"; fi
        local shown=$med
        [[ $med != FAILED ]] && shown="$med ($(spread_of "$c" "$tool"))"
        ((fails)) && shown+=" [$fails failed]"
        local cm="" rr; [[ -n $rep ]] && { rr=$(case_rate "$c" "$rep"); cm="$rep${rr:+ ($rr)}"; }
        [[ $med == FAILED ]] && med=""
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(case_label "$c")" "$tool" "$shown" "$rate" \
          "$(ratio "$koff" "$med")" "$(ratio "$kon" "$med")" "$cm" "$(fmt "$(median_of "$c" "$tool" 10)" 3)" \
          "$(fmt "$(median_of "$c" "$tool" 6)" 0)" "$(per_gib "$c" "$(median_of "$c" "$tool" 7)")" \
          "$(per_gib "$c" "$(median_of "$c" "$tool" 8)")" "$(fmt "$(median_of "$c" "$tool" 9)" 0)"
      done
    done
  } >"$out"
  echo
  echo "== results (medians of $ROUNDS rounds; ratio = kirim's speed ÷ the tool's speed: < 1 means kirim is slower)"
  cat "$out"
  {
    echo
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -r); $(java -version 2>&1 | head -1)"
    echo "load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); run took $(( $(date +%s) - RUN_START )) s"
    echo "options: rounds=$ROUNDS size=$SIZE files=${NFILES}x$FILE_SIZE multi=${NCLIENTS}x$MULTI_SIZE fanout=$FANOUT_SIZE x $NSERVERS cases=$CASES fsync=$FSYNC client-cmd=$CLIENT_CMD server-java-opts='$SERVER_JAVA_OPTS' server-warmup=${SERVER_WARMUP}x4K+$SERVER_WARMUP_BIG,twice${SERVER_EXTRA:+ server-extra=$SERVER_EXTRA}${SERVER_ARGS:+ server-args='$SERVER_ARGS'}${CLIENT_EXTRA:+ client-extra=$CLIENT_EXTRA}"
    if has "$TOOLS" kirim; then
      echo "kirim client: $(client_cmd_text "$CLIENT_CMD")$(has "$CASES" 5 && echo "; case 5 runs both: kirim-jar = java -jar, kirim-script = bin/kirim-client")"
    fi
    echo "peers: nc = OpenBSD netcat (tar | nc for case 2; one listener per connection); nc-sync = the same, then the receiver runs sync -f on what it received (syncfs of that file system), on the clock; rsync = rsync daemon (use chroot = no); rsync-fsync = the same with rsync --fsync (the daemon fsyncs every file); scp = OpenSSH scp (its default protocol) to a temp sshd; case 4 and 7 peers push to the $NSERVERS servers in parallel"
    echo "like-for-like: kirim fsync=off with nc, rsync, scp (none of them syncs); kirim fsync=on with nc-sync, rsync-fsync (durable before they exit)"
    echo "resources (kirim rounds only, medians): client peak RSS and CPU (user+sys) from /usr/bin/time, case 3: the largest RSS and the CPU summed over the $NCLIENTS clients; server CPU = utime+stime of the server JVM(s) during the round (cases 4 and 7: summed over the $NSERVERS servers); server peak RSS = VmHWM, the peak since the server started, so cumulative over the case's rounds (cases 4 and 7: the largest of the $NSERVERS); case 1 adds CPU s per GiB"
    has "$CASES" 7 && echo "resident fan-out (case 7): as case 6, a push service of its own (base directory: the data directory) takes each push of case 4's file to the 3 servers as a job, after two untimed jobs"
    has "$CASES" 6 && echo "resident client (case 6): one kirim push service (java $SERVICE_JAVA_OPTS -jar kirim-client.jar -cluster, \"service\": true) takes every push as a job on kirim.push from bench/JobSender.java (a cluster member on loopback), after two untimed jobs per server; time = from the job sent to its report received; client columns = the service JVM (peak RSS since it started, CPU during the job)"
    has "$CASES" 5 && echo "to first byte (case 5): from launching the client to its first body byte at the server, from the server's log: the 1-byte file goes in a put, so the line \"copied 1 bytes into\" (an upper bound: it comes after the file is stored; an offered file's \"send from offset 0\" line, whose answer the body follows)"
    local n; for n in "${SKIPPED_NOTES[@]}"; do echo "note: $n"; done
    [[ -f $CLIENT_JAR && $(stat -c '%s-%Y' "$CLIENT_JAR" 2>/dev/null) != "$CLIENT_JAR_STAMP" ]] \
      && echo "note: $CLIENT_JAR changed during the run: later rounds ran another build"
    [[ -f $SERVER_JAR && $(stat -c '%s-%Y' "$SERVER_JAR" 2>/dev/null) != "$SERVER_JAR_STAMP" ]] \
      && echo "note: $SERVER_JAR changed during the run: servers started later ran another build"
  } | tee -a "$out"
  [[ -n $OUT ]] && cp "$out" "$OUT" && note "results written to $OUT"
  echo "raw rounds: $RESULTS$( ((KEEP)) || echo ' (removed at exit; --keep keeps it)')"
}

# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------
RUN_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CLIENT_JAR_STAMP=$(stat -c '%s-%Y' "$CLIENT_JAR" 2>/dev/null); SERVER_JAR_STAMP=$(stat -c '%s-%Y' "$SERVER_JAR" 2>/dev/null)
echo "kirim bench: tools ${ALL_TOOLS[*]}; cases $CASES; $ROUNDS rounds; client-cmd $CLIENT_CMD; scratch $WORK"
has "$TOOLS" kirim && echo "jars: $SERVER_JAR, $CLIENT_JAR; kirim client: $(client_cmd_text "$CLIENT_CMD")"
for n in "${SKIPPED_NOTES[@]}"; do note "$n"; done
if has "$TOOLS" kirim && { [[ $CLIENT_CMD == script ]] || has "$CASES" 5; }; then
  warm_script_client || note "bin/kirim-client: no warm-up; its first timed run makes the archive"
fi
for c in ${CASES//,/ }; do
  if [[ $c == 5 ]] && ! has "$TOOLS" kirim; then continue; fi
  "case$c"
done
report
