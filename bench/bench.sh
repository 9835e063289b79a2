#!/usr/bin/env bash
# kirim benchmark: kirim side by side with the tools a user would reach for instead
# (tar|nc, an rsync daemon, scp to an sshd), all on 127.0.0.1, in one run, interleaved,
# medians and ratios. See bench/README.md for how to read the output.
#
#   bench/bench.sh [--quick] [--rounds N] [--size SIZE] [--jar-dir DIR] ...   (--help for all options)
#
# Everything it starts (kirim servers, nc listeners, rsync daemons, sshd) runs in its own process
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
  1  one large file                          (--size, default 1G)
  2  many small files                        (--files N x --file-size, default 10000 x 4K)
  3  4 clients x one file each, concurrently into one server (--multi-size, default 256M)
  4  one client out to 3 servers             (--fanout-size, default 256M; peers push in parallel)

Options:
  --quick               smoke run: --size 64M --files 500 --multi-size 16M --fanout-size 16M --rounds 2
  --rounds N            rounds per case, tools interleaved within each round (default 5)
  --size SIZE           case 1 file size (K/M/G suffixes are KiB/MiB/GiB)
  --files N             case 2 file count
  --file-size SIZE      case 2 file size
  --multi-size SIZE     case 3 file size per client
  --fanout-size SIZE    case 4 file size
  --cases LIST          comma list of cases to run (default 1,2,3,4)
  --tools LIST          comma list of kirim,nc,rsync,scp (default all)
  --fsync LIST          kirim server variants: on,off (default on,off; "off" is the like-for-like one)
  --jar-dir DIR         where the jars are: DIR/kirim-{server,client}.jar or DIR/{server,client}-verticle/target/
                        (default: this repository's own target dirs)
  --server-extra JSON   extra keys merged into every kirim server -conf, e.g. '"limits":{"chunkBytes":1048576}'
  --client-extra JSON   extra keys merged into every kirim client -conf, e.g. '"parallelism":{"perTarget":4}'
  --java-opts OPTS      JVM options for kirim client and server (default none)
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

QUICK=0; ROUNDS=""; SIZE=""; NFILES=""; FILE_SIZE="4K"; MULTI_SIZE=""; FANOUT_SIZE=""
CASES="1,2,3,4"; TOOLS="kirim,nc,rsync,scp"; FSYNC="on,off"; JAR_DIR="$REPO_DIR"
SERVER_EXTRA=""; CLIENT_EXTRA=""; JAVA_OPTS=""; WORK=""; DATA_DIR=""; PORT_BASE=27100
TIMEOUT=""; OUT=""; KEEP=0; INSTALL=1

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --size) SIZE=${2:?}; shift ;;
    --files) NFILES=${2:?}; shift ;;
    --file-size) FILE_SIZE=${2:?}; shift ;;
    --multi-size) MULTI_SIZE=${2:?}; shift ;;
    --fanout-size) FANOUT_SIZE=${2:?}; shift ;;
    --cases) CASES=${2:?}; shift ;;
    --tools) TOOLS=${2:?}; shift ;;
    --fsync) FSYNC=${2:?}; shift ;;
    --jar-dir) JAR_DIR=${2:?}; shift ;;
    --server-extra) SERVER_EXTRA=${2:?}; shift ;;
    --client-extra) CLIENT_EXTRA=${2:?}; shift ;;
    --java-opts) JAVA_OPTS=${2:?}; shift ;;
    --work) WORK=${2:?}; shift ;;
    --data-dir) DATA_DIR=${2:?}; shift ;;
    --port-base) PORT_BASE=${2:?}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    --no-install) INSTALL=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done

if ((QUICK)); then
  : "${ROUNDS:=2}" "${SIZE:=64M}" "${NFILES:=500}" "${MULTI_SIZE:=16M}" "${FANOUT_SIZE:=16M}" "${TIMEOUT:=180}"
else
  : "${ROUNDS:=5}" "${SIZE:=1G}" "${NFILES:=10000}" "${MULTI_SIZE:=256M}" "${FANOUT_SIZE:=256M}" "${TIMEOUT:=900}"
fi
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
[[ $NFILES =~ ^[1-9][0-9]*$ ]] || die "--files must be a positive number"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
[[ $PORT_BASE =~ ^[0-9]+$ ]] && ((PORT_BASE > 1024 && PORT_BASE < 65000)) || die "--port-base must be in 1025..64999"
SIZE_B=$(to_bytes "$SIZE"); FILE_SIZE_B=$(to_bytes "$FILE_SIZE")
MULTI_SIZE_B=$(to_bytes "$MULTI_SIZE"); FANOUT_SIZE_B=$(to_bytes "$FANOUT_SIZE")
((SIZE_B > 0 && FILE_SIZE_B > 0 && MULTI_SIZE_B > 0 && FANOUT_SIZE_B > 0)) || die "sizes must be > 0"

has() { [[ ",$1," == *",$2,"* ]]; }
for c in ${CASES//,/ }; do [[ $c =~ ^[1-4]$ ]] || die "--cases: unknown case '$c'"; done
for t in ${TOOLS//,/ }; do [[ $t =~ ^(kirim|nc|rsync|scp)$ ]] || die "--tools: unknown tool '$t'"; done
for f in ${FSYNC//,/ }; do [[ $f =~ ^(on|off)$ ]] || die "--fsync: use on, off or on,off"; done

if [[ -f $JAR_DIR/kirim-server.jar ]]; then
  SERVER_JAR=$JAR_DIR/kirim-server.jar; CLIENT_JAR=$JAR_DIR/kirim-client.jar
else
  SERVER_JAR=$JAR_DIR/server-verticle/target/kirim-server.jar; CLIENT_JAR=$JAR_DIR/client-verticle/target/kirim-client.jar
fi
if has "$TOOLS" kirim; then
  [[ -f $SERVER_JAR && -f $CLIENT_JAR ]] || die "kirim jars not found under $JAR_DIR (build them, or pass --jar-dir)"
  command -v java >/dev/null || die "java not found"
fi
for cmd in timeout setsid cksum cmp tar awk sort head; do
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
RESULTS=$WORK/results.tsv   # case  tool  round  seconds|FAIL  kirim-reported-seconds
: >"$RESULTS"

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

record() {  # record CASE TOOL ROUND SECONDS|FAIL [REPORTED]
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RESULTS"
  if [[ $4 == FAIL ]]; then
    printf '  case %s round %s %-16s FAILED\n' "$1" "$3" "$2"
  else
    printf '  case %s round %s %-16s %8.3f s%s\n' "$1" "$3" "$2" "$4" "${5:+   (client summary: $5 s)}"
  fi
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
if has "$TOOLS" nc; then
  # the OpenBSD netcat (-N); other netcats have other flags
  if ensure_pkg nc netcat-openbsd && nc -h 2>&1 | grep -q OpenBSD; then PEERS+=(nc)
  elif ensure_pkg /bin/nc.openbsd netcat-openbsd; then PEERS+=(nc)
  else SKIPPED_NOTES+=("nc: skipped (netcat-openbsd not available)"); fi
fi
NC=nc; [[ -x /bin/nc.openbsd ]] && NC=/bin/nc.openbsd
if has "$TOOLS" rsync; then
  if ensure_pkg rsync rsync; then PEERS+=(rsync); else SKIPPED_NOTES+=("rsync: skipped (not installable)"); fi
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

# start_kirim NAME DIR FSYNC(on|off): sets PORT, BG_PID
start_kirim() {
  local name=$1 dir=$2 fs=$3 conf i
  alloc_port
  conf="{\"host\":\"127.0.0.1\",\"port\":$PORT,\"storageDir\":\"$dir\",\"fsync\":$([[ $fs == on ]] && echo true || echo false)"
  conf+="${SERVER_EXTRA:+,$SERVER_EXTRA}}"
  echo "$conf" >"$LOGS/$name.conf.json"
  # shellcheck disable=SC2086
  bg "$name" java $JAVA_OPTS -jar "$SERVER_JAR" -conf "$conf"
  for ((i = 0; i < 600; i++)); do
    grep -q "listening on" "$LOGS/$name.log" 2>/dev/null && return 0
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.1
  done
  note "kirim server $name did not start: $(tail -3 "$LOGS/$name.log")"
  return 1
}

stop_pid() { stop_group "$1"; wait "$1" 2>/dev/null; return 0; }

# kirim_push TAG TARGETS_JSON FILES_JSON REMOTE_DIR: runs the client (foreground, bounded);
# sets KIRIM_REPORTED (the client's own duration, s) and returns its exit code
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

settle() { sync; sleep 0.5; }  # let the previous tool's dirty pages reach the disk before the next clock starts

# ----------------------------------------------------------------------------------------------
# data (generated once, reused)
# ----------------------------------------------------------------------------------------------
gen_file() {  # gen_file PATH BYTES (random, incompressible; reused when it already has that size)
  if [[ -f $1 && $(stat -c %s "$1") == "$2" ]]; then return 0; fi
  note "generating $1 ($(human "$2")) ..."
  head -c "$2" /dev/urandom >"$1.tmp" && mv "$1.tmp" "$1"
}
cksum_of() { cksum <"$1" | awk '{print $1}'; }

# ----------------------------------------------------------------------------------------------
# case 1: one large file
# ----------------------------------------------------------------------------------------------
case1() {
  local src=$DATA_DIR/large-$SIZE_B.bin want dest=$WORK/c1 r tool t0 t rc rep port_of_tool
  gen_file "$src" "$SIZE_B" || die "cannot generate $src"
  want=$(cksum_of "$src")
  mkdir -p "$dest"
  echo "== case 1: one $(human "$SIZE_B") file, $ROUNDS rounds"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${ALL_TOOLS[@]}"; do
    case $tool in
      kirim-fsync-*) mkdir -p "$dest/$tool"
        start_kirim "c1-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync) mkdir -p "$dest/rsync"; start_rsyncd c1-rsyncd "$dest/rsync" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) mkdir -p "$dest/scp"; start_sshd c1-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc) mkdir -p "$dest/nc"; PORTS[$tool]=per-round ;;
    esac
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 1 "$tool" "$r" FAIL; continue; }
      settle
      local out="" rep=""
      case $tool in
        kirim-fsync-*)
          out=$dest/$tool/r$r/$(basename "$src")
          t0=$(now_ns)
          # shellcheck disable=SC2086
          run_fg "c1-$tool-r$r" timeout -k 5 "$TIMEOUT" java $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
            "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"$src\"]" "r$r")"
          rc=$?; t=$(secs_since "$t0"); rep=$(reported_secs "$LOGS/c1-$tool-r$r.log") ;;
        nc)
          out=$dest/nc/r$r.bin
          alloc_port
          bg "c1-nc-listen-r$r" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -l 127.0.0.1 $PORT > '$out'"
          local lpid=$BG_PID
          wait_listen "$PORT" "$lpid" 10 || { record 1 nc "$r" FAIL; stop_pid "$lpid"; continue; }
          t0=$(now_ns)
          run_fg "c1-nc-r$r" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 $PORT < '$src'"
          rc=$?; wait_pid "$lpid" || rc=$?
          t=$(secs_since "$t0") ;;
        rsync)
          out=$dest/rsync/r$r.bin
          t0=$(now_ns)
          run_fg "c1-rsync-r$r" timeout -k 5 "$TIMEOUT" rsync -a "$src" "rsync://127.0.0.1:${PORTS[rsync]}/mod/r$r.bin"
          rc=$?; t=$(secs_since "$t0") ;;
        scp)
          out=$dest/scp/r$r.bin
          t0=$(now_ns)
          run_fg "c1-scp-r$r" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${PORTS[scp]}" "$src" "root@127.0.0.1:$out"
          rc=$?; t=$(secs_since "$t0") ;;
      esac
      if ((rc == 0)) && verify_file "$want" "$SIZE_B" "$out"; then record 1 "$tool" "$r" "$t" "$rep"
      else note "case 1 $tool round $r: exit $rc (log: $LOGS/c1-$tool-r$r.log)"; record 1 "$tool" "$r" FAIL; fi
      rm -f -- "$out"   # 1 GiB per round: do not keep (a single big inode, no reuse penalty)
    done
  done
  for k in "${PIDS[@]}"; do stop_pid "$k"; done
}

# ----------------------------------------------------------------------------------------------
# case 2: many small files (fresh destination per round; trees are only deleted at the end)
# ----------------------------------------------------------------------------------------------
case2() {
  local src=$DATA_DIR/small-${NFILES}x$FILE_SIZE_B dest=$WORK/c2 want r tool t0 t rc
  if [[ ! -f $src/.complete ]]; then
    note "generating $NFILES files of $(human "$FILE_SIZE_B") in $src ..."
    rm -rf -- "$src"; mkdir -p "$src/small"
    head -c $((NFILES * FILE_SIZE_B)) /dev/urandom | (cd "$src/small" && split -b "$FILE_SIZE_B" -a 6 -d - f) \
      || die "cannot generate the small files"
    touch "$src/.complete"
  fi
  want=$(tree_sig "$src/small")
  mkdir -p "$dest"
  echo "== case 2: $NFILES files of $(human "$FILE_SIZE_B"), $ROUNDS rounds (each round into a fresh directory)"
  declare -A PORTS=() PIDS=()
  local k
  for tool in "${ALL_TOOLS[@]}"; do
    mkdir -p "$dest/$tool"
    case $tool in
      kirim-fsync-*) start_kirim "c2-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync) start_rsyncd c2-rsyncd "$dest/rsync" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) start_sshd c2-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc) PORTS[$tool]=per-round ;;
    esac
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 2 "$tool" "$r" FAIL; continue; }
      local rdir=$dest/$tool/r$r rep=""
      [[ $tool == kirim-* ]] || mkdir -p "$rdir"   # kirim creates it (that is part of its job)
      settle
      case $tool in
        kirim-fsync-*)
          t0=$(now_ns)
          # shellcheck disable=SC2086
          run_fg "c2-$tool-r$r" timeout -k 5 "$TIMEOUT" java $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
            "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"$src/small\"]" "r$r")"
          rc=$?; t=$(secs_since "$t0"); rep=$(reported_secs "$LOGS/c2-$tool-r$r.log") ;;
        nc)
          alloc_port
          bg "c2-nc-listen-r$r" timeout -k 5 "$TIMEOUT" sh -c "$NC -l 127.0.0.1 $PORT | tar xf - -C '$rdir'"
          local lpid=$BG_PID
          wait_listen "$PORT" "$lpid" 10 || { record 2 nc "$r" FAIL; stop_pid "$lpid"; continue; }
          t0=$(now_ns)
          run_fg "c2-nc-r$r" timeout -k 5 "$TIMEOUT" sh -c "tar cf - -C '$src' small | $NC -N 127.0.0.1 $PORT"
          rc=$?; wait_pid "$lpid" || rc=$?
          t=$(secs_since "$t0") ;;
        rsync)
          t0=$(now_ns)
          run_fg "c2-rsync-r$r" timeout -k 5 "$TIMEOUT" rsync -a "$src/small" "rsync://127.0.0.1:${PORTS[rsync]}/mod/r$r/"
          rc=$?; t=$(secs_since "$t0") ;;
        scp)
          t0=$(now_ns)
          run_fg "c2-scp-r$r" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -r -P "${PORTS[scp]}" "$src/small" "root@127.0.0.1:$rdir/"
          rc=$?; t=$(secs_since "$t0") ;;
      esac
      if ((rc == 0)) && verify_tree "$want" "$rdir/small"; then record 2 "$tool" "$r" "$t" "$rep"
      else note "case 2 $tool round $r: exit $rc (log: $LOGS/c2-$tool-r$r.log)"; record 2 "$tool" "$r" FAIL; fi
    done
  done
  for k in "${PIDS[@]}"; do stop_pid "$k"; done
}

# ----------------------------------------------------------------------------------------------
# case 3: 4 clients, one file each, concurrently into one server
# ----------------------------------------------------------------------------------------------
NCLIENTS=4
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
      kirim-fsync-*) start_kirim "c3-$tool" "$dest/$tool" "${tool#kirim-fsync-}" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      rsync) start_rsyncd c3-rsyncd "$dest/rsync" && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      scp) start_sshd c3-sshd && { PORTS[$tool]=$PORT; PIDS[$tool]=$BG_PID; } ;;
      nc) PORTS[$tool]=per-round ;;   # nc serves one connection: one listener per client
    esac
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 3 "$tool" "$r" FAIL; continue; }
      local rdir=$dest/$tool/r$r rep="" ok=1
      local -a cpids=() lpids=() nports=()
      [[ $tool == kirim-* ]] || mkdir -p "$rdir"
      if [[ $tool == nc ]]; then
        for ((i = 0; i < NCLIENTS; i++)); do
          alloc_port; nports+=("$PORT")
          bg "c3-nc-listen-r$r-$i" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -l 127.0.0.1 $PORT > '$rdir/$i.bin'"
          lpids+=("$BG_PID")
          wait_listen "$PORT" "$BG_PID" 10 || ok=0
        done
      fi
      settle
      rc=0
      if ((ok)); then
        t0=$(now_ns)
        for ((i = 0; i < NCLIENTS; i++)); do
          case $tool in
            kirim-fsync-*)
              # shellcheck disable=SC2086
              bg "c3-$tool-r$r-$i" timeout -k 5 "$TIMEOUT" java $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
                "$(kirim_client_conf "[\"127.0.0.1:${PORTS[$tool]}\"]" "[\"${srcs[i]}\"]" "r$r/$i")" ;;
            nc) bg "c3-nc-r$r-$i" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 ${nports[i]} < '${srcs[i]}'" ;;
            rsync) bg "c3-rsync-r$r-$i" timeout -k 5 "$TIMEOUT" rsync -a "${srcs[i]}" "rsync://127.0.0.1:${PORTS[rsync]}/mod/r$r/$i.bin" ;;
            scp) bg "c3-scp-r$r-$i" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${PORTS[scp]}" "${srcs[i]}" "root@127.0.0.1:$rdir/$i.bin" ;;
          esac
          cpids+=("$BG_PID")
        done
        for k in "${cpids[@]}" "${lpids[@]}"; do wait_pid "$k" || rc=$?; done
        t=$(secs_since "$t0")
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
      if ((rc == 0)); then record 3 "$tool" "$r" "$t" "$rep"
      else note "case 3 $tool round $r: exit $rc (logs: $LOGS/c3-$tool-r$r-*.log)"; record 3 "$tool" "$r" FAIL; fi
    done
  done
  for k in "${PIDS[@]}"; do stop_pid "$k"; done
}

# ----------------------------------------------------------------------------------------------
# case 4: one client out to 3 servers (kirim: one client, 3 targets; peers: 3 pushes in parallel)
# ----------------------------------------------------------------------------------------------
NSERVERS=3
case4() {
  local src=$DATA_DIR/fanout-$FANOUT_SIZE_B.bin dest=$WORK/c4 want r tool t0 t rc i
  gen_file "$src" "$FANOUT_SIZE_B" || die "cannot generate $src"
  want=$(cksum_of "$src")
  mkdir -p "$dest"
  echo "== case 4: one $(human "$FANOUT_SIZE_B") file to $NSERVERS servers, $ROUNDS rounds (peers: $NSERVERS pushes in parallel)"
  declare -A PORTS=() PIDS=()
  local k s
  for tool in "${ALL_TOOLS[@]}"; do
    local okall=1 plist=""
    for ((s = 0; s < NSERVERS; s++)); do
      mkdir -p "$dest/$tool/s$s"
      case $tool in
        kirim-fsync-*) start_kirim "c4-$tool-s$s" "$dest/$tool/s$s" "${tool#kirim-fsync-}" || okall=0 ;;
        rsync) start_rsyncd "c4-rsyncd-s$s" "$dest/rsync/s$s" || okall=0 ;;
        scp) start_sshd "c4-sshd-s$s" || okall=0 ;;
        nc) PORT=per-round ;;
      esac
      ((okall)) || break
      plist+="${plist:+ }$PORT"
      [[ $tool == nc ]] || PIDS[$tool-$s]=$BG_PID
    done
    ((okall)) && PORTS[$tool]=$plist
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for tool in "${ALL_TOOLS[@]}"; do
      [[ -n ${PORTS[$tool]:-} ]] || { record 4 "$tool" "$r" FAIL; continue; }
      local -a ports=(${PORTS[$tool]}) cpids=() lpids=() outs=()
      local rep="" ok=1
      for ((s = 0; s < NSERVERS; s++)); do
        case $tool in
          kirim-fsync-*) outs+=("$dest/$tool/s$s/r$r/$(basename "$src")") ;;
          *) outs+=("$dest/$tool/s$s/r$r.bin") ;;
        esac
      done
      if [[ $tool == nc ]]; then
        ports=()
        for ((s = 0; s < NSERVERS; s++)); do
          alloc_port; ports+=("$PORT")
          bg "c4-nc-listen-r$r-s$s" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -l 127.0.0.1 $PORT > '${outs[s]}'"
          lpids+=("$BG_PID")
          wait_listen "$PORT" "$BG_PID" 10 || ok=0
        done
      fi
      settle
      rc=0
      if ((ok)); then
        t0=$(now_ns)
        case $tool in
          kirim-fsync-*)
            local targets="" p
            for p in "${ports[@]}"; do targets+="${targets:+,}\"127.0.0.1:$p\""; done
            # shellcheck disable=SC2086
            run_fg "c4-$tool-r$r" timeout -k 5 "$TIMEOUT" java $JAVA_OPTS -jar "$CLIENT_JAR" -conf \
              "$(kirim_client_conf "[$targets]" "[\"$src\"]" "r$r")" || rc=$?
            rep=$(reported_secs "$LOGS/c4-$tool-r$r.log") ;;
          *)
            for ((s = 0; s < NSERVERS; s++)); do
              case $tool in
                nc) bg "c4-nc-r$r-s$s" timeout -k 5 "$TIMEOUT" sh -c "exec $NC -N 127.0.0.1 ${ports[s]} < '$src'" ;;
                rsync) bg "c4-rsync-r$r-s$s" timeout -k 5 "$TIMEOUT" rsync -a "$src" "rsync://127.0.0.1:${ports[s]}/mod/r$r.bin" ;;
                scp) bg "c4-scp-r$r-s$s" timeout -k 5 "$TIMEOUT" scp "${SCP_OPTS[@]}" -P "${ports[s]}" "$src" "root@127.0.0.1:${outs[s]}" ;;
              esac
              cpids+=("$BG_PID")
            done
            for k in "${cpids[@]}" "${lpids[@]}"; do wait_pid "$k" || rc=$?; done ;;
        esac
        t=$(secs_since "$t0")
      else
        for k in "${lpids[@]}"; do stop_pid "$k"; done
        rc=1
      fi
      for ((s = 0; s < NSERVERS; s++)); do
        if ((rc == 0)); then verify_file "$want" "$FANOUT_SIZE_B" "${outs[s]}" || rc=1; fi
        rm -f -- "${outs[s]}"
      done
      if ((rc == 0)); then record 4 "$tool" "$r" "$t" "$rep"
      else note "case 4 $tool round $r: exit $rc (logs: $LOGS/c4-$tool-r$r*.log)"; record 4 "$tool" "$r" FAIL; fi
    done
  done
  for k in "${PIDS[@]}"; do stop_pid "$k"; done
}

# ----------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------
median_of() {  # median of the successful rounds of CASE TOOL in column COL (4 = wall, 5 = client-reported)
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
  esac
}
case_rate() {  # case_rate CASE SECONDS -> "123 MB/s" or "4567 files/s"
  case $1 in
    1) awk -v s="$2" -v b="$SIZE_B" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }' ;;
    2) awk -v s="$2" -v n="$NFILES" 'BEGIN { printf "%.0f files/s", n / s }' ;;
    3) awk -v s="$2" -v b="$MULTI_SIZE_B" -v n="$NCLIENTS" 'BEGIN { printf "%.0f MB/s", n * b / 1e6 / s }' ;;
    4) awk -v s="$2" -v b="$FANOUT_SIZE_B" -v n="$NSERVERS" 'BEGIN { printf "%.0f MB/s", n * b / 1e6 / s }' ;;
  esac
}
ratio() {  # ratio KIRIM_SECONDS PEER_SECONDS -> kirim speed / peer speed (= peer time / kirim time)
  [[ -n $1 && -n $2 ]] || { echo "–"; return; }
  awk -v k="$1" -v p="$2" 'BEGIN { printf "%.2f", p / k }'
}

report() {
  local c tool med fails rate rep out
  out=$WORK/results.md
  {
    echo "| case | tool | median s (min–max) | rate | kirim fsync=off ÷ tool | kirim fsync=on ÷ tool | kirim client's own transfer s |"
    echo "|---|---|---|---|---|---|---|"
    for c in ${CASES//,/ }; do
      local koff kon
      koff=$(median_of "$c" kirim-fsync-off 4); kon=$(median_of "$c" kirim-fsync-on 4)
      for tool in "${ALL_TOOLS[@]}"; do
        med=$(median_of "$c" "$tool" 4); fails=$(fails_of "$c" "$tool")
        rep=$(median_of "$c" "$tool" 5)
        if [[ -n $med ]]; then rate=$(case_rate "$c" "$med"); else rate="–"; med="FAILED"; fi
        local shown=$med
        [[ $med != FAILED ]] && shown="$med ($(spread_of "$c" "$tool"))"
        ((fails)) && shown+=" [$fails failed]"
        local cm=""; [[ -n $rep ]] && cm="$rep ($(case_rate "$c" "$rep"))"
        [[ $med == FAILED ]] && med=""
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(case_label "$c")" "$tool" "$shown" "$rate" \
          "$(ratio "$koff" "$med")" "$(ratio "$kon" "$med")" "$cm"
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
    echo "options: rounds=$ROUNDS size=$SIZE files=${NFILES}x$FILE_SIZE multi=${NCLIENTS}x$MULTI_SIZE fanout=$FANOUT_SIZE x $NSERVERS cases=$CASES fsync=$FSYNC${SERVER_EXTRA:+ server-extra=$SERVER_EXTRA}${CLIENT_EXTRA:+ client-extra=$CLIENT_EXTRA}"
    echo "peers: nc = OpenBSD netcat (tar | nc for case 2; one listener per connection); rsync = rsync daemon (use chroot = no); scp = OpenSSH scp (its default protocol) to a temp sshd; case 4 peers push to the $NSERVERS servers in parallel"
    local n; for n in "${SKIPPED_NOTES[@]}"; do echo "note: $n"; done
  } | tee -a "$out"
  [[ -n $OUT ]] && cp "$out" "$OUT" && note "results written to $OUT"
  echo "raw rounds: $RESULTS$( ((KEEP)) || echo ' (removed at exit; --keep keeps it)')"
}

# ----------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------
RUN_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "kirim bench: tools ${ALL_TOOLS[*]}; cases $CASES; $ROUNDS rounds; scratch $WORK"
has "$TOOLS" kirim && echo "jars: $SERVER_JAR, $CLIENT_JAR"
for n in "${SKIPPED_NOTES[@]}"; do note "$n"; done
for c in ${CASES//,/ }; do "case$c"; done
report
