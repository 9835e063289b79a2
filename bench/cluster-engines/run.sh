#!/usr/bin/env bash
# Compares Vert.x cluster engines on 127.0.0.1: join time, memory per node, failure detection after kill -9, and what
# a node without the cluster's secret can do. Engines run interleaved round by round (the order rotates each round).
#
#   bench/cluster-engines/run.sh [--engines hazelcast,infinispan,infinispan-secured,zookeeper] [--rounds 3]
#                                [--sizes "1 3 5"] [--tests join,rogue[,silent]] [--out FILE] [--keep]
#
# Engines:
#   hazelcast           vertx-hazelcast 5.0.10 (Hazelcast 5.3.8), TCP-IP join as kirim's conf/cluster.xml
#   infinispan          vertx-infinispan 5.0.7 (Infinispan 14.0, JGroups 5.2), TCP + TCPPING, no security
#   infinispan-secured  the same with SYM_ENCRYPT (AES key from a JCEKS keystore) and AUTH (X509Token)
#   zookeeper           vertx-zookeeper 5.0.7 (Curator 5.4, ZooKeeper 3.7 client) against one ZooKeeper server that
#                       run.sh starts from the same jar (its memory is not counted in the nodes' RSS)
# Tests:
#   join   per size N: N nodes launched at once; "formation" is launch → the last node sees N members; for N=1 also
#          the node's own JVM start → joined → consumer registered; for N=3 also VmHWM per node (5 s after it saw
#          everyone) and the failure detection: kill -9 of the youngest node → every survivor's member list drops it
#   silent (not in the default) 3 nodes; SIGSTOP of the youngest (its sockets stay open, as a host gone without a
#          reset) → both survivors list 2 members; up to 150 s, then it is killed
#   rogue  2 members with event-bus TLS (client auth) and a third node started without any secret (no TLS keystore,
#          and for infinispan-secured no JGroups keystore, or another one): does it join, read, overwrite, delete
#          registry records, get event-bus requests routed to its consumer?
# Every node: java -Xmx256m -XX:+UseSerialGC (as kirim's server). Builds target/<engine>/node.jar when missing (mvn).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ENGINES=hazelcast,infinispan,infinispan-secured,zookeeper
ROUNDS=3 SIZES="1 3 5" TESTS=join,rogue OUT="" KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) ENGINES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --tests) TESTS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
JAVA=${JAVA:-java}
JOPTS=(-Xmx256m -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true)
IFS=, read -r -a ENG <<<"$ENGINES"
WORK=$(mktemp -d /tmp/kengine-bench.XXXXXX)
RES=$WORK/results.tsv
PW=kengine-$$-pw
PIDS=()
ZKPID=""

cleanup() {
  for p in "${PIDS[@]}" $ZKPID; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

jar_of() { echo "$HERE/target/${1%-secured}/node.jar"; }
for e in "${ENG[@]}"; do
  case "$e" in hazelcast|infinispan|infinispan-secured|zookeeper) ;; *) echo "unknown engine $e" >&2; exit 2 ;; esac
  if [ ! -f "$(jar_of "$e")" ]; then
    echo "building $(jar_of "$e")" >&2
    (cd "$HERE" && mvn -B -q -P"${e%-secured}" package) >&2
  fi
done

nowms() { date +%s%3N; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES"; }   # engine metric size round value

# Key material made per run, never committed: the JGroups keystore of the secured cluster (AES key "cluster",
# RSA key pair "auth"), a second one for the rogue, and the event bus's PKCS12 key/trust store.
mkstores() {
  local ks
  for ks in secret other; do
    keytool -genseckey -alias cluster -keyalg AES -keysize 128 -storetype JCEKS -keystore "$WORK/$ks.jceks" \
      -storepass "$PW" -keypass "$PW" 2>/dev/null
    keytool -genkeypair -alias auth -keyalg RSA -keysize 2048 -dname "CN=kengine-$ks" -validity 2 -storetype JCEKS \
      -keystore "$WORK/$ks.jceks" -storepass "$PW" -keypass "$PW" 2>/dev/null
  done
  keytool -genkeypair -alias eb -keyalg RSA -keysize 2048 -dname CN=localhost -ext SAN=ip:127.0.0.1,dns:localhost \
    -validity 2 -storetype PKCS12 -keystore "$WORK/eb.p12" -storepass "$PW" -keypass "$PW" 2>/dev/null
}
mkstores

# ZooKeeper server (only when the zookeeper engine is asked for), from the zookeeper jar's own classes.
ZKPORT=2191
start_zk() {
  mkdir -p "$WORK/zkdata"
  $JAVA -Xmx256m -XX:+UseSerialGC -Dzookeeper.admin.enableServer=false -cp "$(jar_of zookeeper)" org.apache.zookeeper.server.ZooKeeperServerMain \
    $ZKPORT "$WORK/zkdata" >"$WORK/zkserver.log" 2>&1 &
  ZKPID=$!
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$ZKPORT) 2>/dev/null && return 0; sleep 0.1; done
  echo "ZooKeeper server did not start" >&2; tail "$WORK/zkserver.log" >&2; exit 1
}
[[ ",$ENGINES," == *,zookeeper,* ]] && start_zk

RUN=0   # every cluster gets its own name, ports and (ZooKeeper) root path
# node_cmd ENGINE INDEX SIZE_OF_MEMBER_LIST [extra JVM props...] → the java command line, in array NODE
node_cmd() {
  local e=$1 i=$2 n=$3; shift 3
  local base=$((RUN % 20 * 10)) hosts="" k
  NODE=($JAVA "${JOPTS[@]}" -Dbench.cluster.name="kengine-$$-$RUN")
  case "$e" in
    hazelcast)
      for k in $(seq 0 $((n - 1))); do hosts+="${hosts:+,}127.0.0.1:$((5810 + base + k))"; done
      NODE+=(-Dvertx.hazelcast.config="$HERE/conf/hazelcast.xml" -Dbench.hz.port=$((5810 + base + i)) -Dbench.hz.members="$hosts") ;;
    infinispan|infinispan-secured)
      for k in $(seq 0 $((n - 1))); do hosts+="${hosts:+,}127.0.0.1[$((7810 + base + k))]"; done
      NODE+=(-Dvertx.infinispan.config="$HERE/conf/infinispan.xml" -Dbench.jg.port=$((7810 + base + i)) -Dbench.jg.hosts="$hosts")
      if [ "$e" = infinispan-secured ]; then
        NODE+=(-Dbench.jgroups.stack="$HERE/conf/jgroups-secured.xml" -Dbench.jg.keystore="$WORK/secret.jceks"
               -Dbench.jg.password="$PW" -Dbench.jg.auth_value="kengine-$$-auth")
      else
        NODE+=(-Dbench.jgroups.stack="$HERE/conf/jgroups-tcp.xml")
      fi ;;
    zookeeper)
      sed "s|ROOT_PATH|kengine-$$-$RUN|" "$HERE/conf/zookeeper.json" >"$WORK/zookeeper-$RUN.json"
      NODE+=(-Dvertx.zookeeper.config="$WORK/zookeeper-$RUN.json") ;;
  esac
  NODE+=("$@" -jar "$(jar_of "$e")")
}

# wait_for FILE REGEX SECONDS
wait_for() {
  local f=$1 re=$2 s=$3 k
  for k in $(seq 1 $((s * 10))); do grep -qE "$re" "$f" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }   # field LINE KEY
first_t() { local l; l=$(grep -m1 -E "$2" "$1" 2>/dev/null) || return 1; field " $l" t; }
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  wait "${PIDS[@]}" 2>/dev/null || true
  PIDS=()
}

# One cluster of N nodes launched at once.
join_run() {
  local e=$1 n=$2 r=$3 mode=${4:-kill9} dir i t0 tmax t pid survivors tk
  RUN=$((RUN + 1)); dir=$WORK/$([ "$mode" = silent ] && echo silent || echo join)-$e-$n-$r; mkdir -p "$dir"
  log "$([ "$mode" = silent ] && echo silent || echo join) $e n=$n round $r"
  t0=$(nowms)
  for i in $(seq 0 $((n - 1))); do
    node_cmd "$e" "$i" "$n"
    (cd "$dir" && exec "${NODE[@]}" --name "n$i" --expect "$n" --settle-ms 5000 >"$dir/n$i.out" 2>"$dir/n$i.err") &
    PIDS+=($!)
  done
  tmax=0
  for i in $(seq 0 $((n - 1))); do
    if ! wait_for "$dir/n$i.out" "^members n=$n " 180; then
      log "  $e n=$n round $r: node $i never saw $n members"; rec "$e" formation_failed "$n" "$r" 1; stop_all; return 0
    fi
    t=$(first_t "$dir/n$i.out" "^members n=$n ")
    [ $((t - t0)) -gt "$tmax" ] && tmax=$((t - t0))
  done
  [ "$mode" = silent ] || rec "$e" formation_ms "$n" "$r" "$tmax"
  if [ "$n" = 1 ] && [ "$mode" != silent ]; then
    rec "$e" joined_since_jvm_ms 1 "$r" "$(field " $(grep -m1 '^joined' "$dir/n0.out")" sinceJvm)"
    rec "$e" consumer_since_jvm_ms 1 "$r" "$(field " $(grep -m1 '^consumer' "$dir/n0.out")" sinceJvm)"
  fi
  for i in $(seq 0 $((n - 1))); do wait_for "$dir/n$i.out" '^mem ' 30 || true; done
  if [ "$n" = 3 ] && [ "$mode" = silent ]; then
    # a silent node: SIGSTOP keeps its sockets open, as a host that vanished without a reset; only heartbeats tell
    pid=${PIDS[2]}
    tk=$(nowms); kill -STOP "$pid"
    tmax=0; survivors=0
    for i in 0 1; do
      if wait_for "$dir/n$i.out" "^members n=2 " 150; then
        t=$(first_t "$dir/n$i.out" "^members n=2 ")
        [ $((t - tk)) -gt "$tmax" ] && tmax=$((t - tk))
        survivors=$((survivors + 1))
      fi
    done
    kill -9 "$pid"
    if [ "$survivors" = 2 ]; then rec "$e" detect_sigstop_ms 3 "$r" "$tmax"; else rec "$e" detect_sigstop_ms 3 "$r" ">150000"; fi
    log "  detection of a silent (SIGSTOP) node: ${tmax} ms"
  elif [ "$n" = 3 ]; then
    for i in 0 1 2; do
      rec "$e" vmhwm_kb 3 "$r" "$(field " $(grep -m1 '^mem ' "$dir/n$i.out")" VmHWM_kB)"
      rec "$e" vmrss_kb 3 "$r" "$(field " $(grep -m1 '^mem ' "$dir/n$i.out")" VmRSS_kB)"
    done
    # failure detection: kill -9 the youngest node, time until both others list 2 members
    pid=${PIDS[2]}
    tk=$(nowms); kill -9 "$pid"
    tmax=0; survivors=0
    for i in 0 1; do
      if wait_for "$dir/n$i.out" "^members n=2 " 120; then
        t=$(first_t "$dir/n$i.out" "^members n=2 ")
        [ $((t - tk)) -gt "$tmax" ] && tmax=$((t - tk))
        survivors=$((survivors + 1))
      fi
    done
    if [ "$survivors" = 2 ]; then rec "$e" detect_kill9_ms 3 "$r" "$tmax"; else rec "$e" detect_kill9_ms 3 "$r" ">120000"; fi
    log "  detection after kill -9: ${tmax} ms"
  fi
  [ "$mode" = silent ] || log "  formation ${n}: $(awk -F'\t' -v e="$e" -v n="$n" -v r="$r" '$1==e && $2=="formation_ms" && $3==n && $4==r {print $5}' "$RES") ms"
  stop_all
}

# Two members with event-bus TLS (client auth required), then a third node without the secret.
rogue_run() {
  local e=$1 variant=$2 r=$3 dir i tr joined members tag
  RUN=$((RUN + 1)); dir=$WORK/rogue-$e-$variant-$r; mkdir -p "$dir"
  tag="$e/$variant"
  log "rogue $tag round $r"
  local TLS=(-Dbench.eb.keystore="$WORK/eb.p12" -Dbench.eb.password="$PW")
  for i in 0 1; do
    node_cmd "$e" "$i" 3 "${TLS[@]}"
    (cd "$dir" && exec "${NODE[@]}" --name "n$i" --expect 2 --settle-ms 1000 --role "$([ $i = 0 ] && echo probe || echo member)" \
      >"$dir/n$i.out" 2>"$dir/n$i.err") &
    PIDS+=($!)
  done
  for i in 0 1; do wait_for "$dir/n$i.out" '^members n=2 ' 180 || { log "  members did not form"; stop_all; return 0; }; done
  sleep 2
  # the rogue: same engine and cluster name, no event-bus keystore; for infinispan-secured its JGroups stack varies
  case "$variant" in
    plain-stack)  # no SYM_ENCRYPT/AUTH at all
      node_cmd infinispan 2 3 ;;
    other-keystore)  # the secured stack with a keystore of its own
      node_cmd "$e" 2 3; NODE=("${NODE[@]/secret.jceks/other.jceks}") ;;
    *) node_cmd "$e" 2 3 ;;
  esac
  tr=$(nowms)
  (cd "$dir" && exec "${NODE[@]}" --name rogue --expect 3 --settle-ms 1000 --role rogue >"$dir/rogue.out" 2>"$dir/rogue.err") &
  PIDS+=($!)
  if wait_for "$dir/rogue.out" '^rogue step=request|^failed' 120; then :; fi
  sleep 6   # let the probe send ~30 requests while the rogue's consumer is registered
  local up rn mn
  up=$(first_t "$dir/rogue.out" '^joined|^failed') || up=""
  rn=$(grep -m1 '^rogue step=members' "$dir/rogue.out" | sed -n 's/.* n=\([0-9]*\) .*/\1/p') || rn=""
  mn=$(grep '^members' "$dir/n0.out" | tail -1 | sed -n 's/^members n=\([0-9]*\) .*/\1/p')
  if [ -n "$up" ]; then rec "$tag" rogue_launch_to_up_ms 3 "$r" "$((up - tr))"; fi
  rec "$tag" rogue_outcome 3 "$r" "$(grep -m1 -E '^joined|^failed' "$dir/rogue.out" | sed 's/ nodeId=[^ ]*//; s/ t=.*//' || echo 'never came up') | rogue lists ${rn:-?} member(s); the members list ${mn:-?}"
  for s in read overwrite delete request; do
    rec "$tag" "rogue_$s" 3 "$r" "$(grep -m1 "^rogue step=$s" "$dir/rogue.out" | sed 's/ t=.*//' | cut -c1-140 || echo 'not reached')"
  done
  rec "$tag" probe_before_after 3 "$r" "$(grep '^probe' "$dir/n0.out" | awk -v tr="$tr" '{for(i=1;i<=NF;i++){split($i,a,"=");v[a[1]]=a[2]} if (v["t"]<tr) {b=v["ok"]"/"v["fail"]} last=v["ok"]"/"v["fail"]} END {print "ok/fail before rogue " b ", at end " last}')"
  rec "$tag" members_log 3 "$r" "$(grep -h -i -E 'auth|decrypt|encrypt|drop|reject|refus|denied|not allowed|security|SSL|handshake|certificate' "$dir"/n0.err "$dir"/n1.err 2>/dev/null | grep -v -E '^\s+at ' | grep -v -E 'recommendations|system.security' | sed 's/^[A-Z][a-z][a-z] [0-9].*M //' | sort | uniq -c | sort -rn | head -3 | tr '\n\t' '  ' | cut -c1-400)"
  rec "$tag" rogue_log 3 "$r" "$(grep -h -i -E 'auth|decrypt|encrypt|drop|reject|refus|denied|security|SSL|handshake|certificate' "$dir"/rogue.err "$dir"/rogue.out 2>/dev/null | grep -v -E '^\s+at ' | grep -v -E 'recommendations|system.security' | sed 's/^[A-Z][a-z][a-z] [0-9].*M //' | sort | uniq -c | sort -rn | head -3 | tr '\n\t' '  ' | cut -c1-400)"
  stop_all
}

uptime >"$WORK/load-start.txt"
for r in $(seq 1 "$ROUNDS"); do
  # rotate the engine order each round
  ORDER=("${ENG[@]:$(( (r - 1) % ${#ENG[@]} ))}" "${ENG[@]:0:$(( (r - 1) % ${#ENG[@]} ))}")
  if [[ ",$TESTS," == *,join,* ]]; then
    for n in $SIZES; do for e in "${ORDER[@]}"; do join_run "$e" "$n" "$r"; done; done
  fi
  if [[ ",$TESTS," == *,silent,* ]]; then
    for e in "${ORDER[@]}"; do join_run "$e" 3 "$r" silent; done
  fi
  if [[ ",$TESTS," == *,rogue,* ]]; then
    for e in "${ORDER[@]}"; do
      if [ "$e" = infinispan-secured ]; then
        rogue_run "$e" plain-stack "$r"; rogue_run "$e" other-keystore "$r"
      else
        rogue_run "$e" no-secret "$r"
      fi
    done
  fi
  log "round $r done; load: $(cut -d, -f3- <"$WORK/load-start.txt" | head -1) at start, now $(uptime | sed 's/.*load average: //')"
done
uptime >"$WORK/load-end.txt"

# Summary: numeric metrics as median [min–max] over every value (rounds × nodes), the rest verbatim per round.
summary() {
  echo "# cluster engines: $ROUNDS round(s), engines $ENGINES, sizes $SIZES, tests $TESTS"
  echo
  echo "load average at start: $(sed 's/.*load average: //' "$WORK/load-start.txt"); at end: $(sed 's/.*load average: //' "$WORK/load-end.txt")"
  echo
  echo "| engine | metric | nodes | median | min | max | values (by round) |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' '$5 ~ /^[0-9]+$/ {k=$1"\t"$2"\t"$3; v[k]=v[k]" "$5; if(!(k in seen)){seen[k]=1; o[++n]=k}}
    END {for(i=1;i<=n;i++){k=o[i]; m=split(substr(v[k],2),a," "); for(x=1;x<=m;x++)for(y=x+1;y<=m;y++)if(a[y]+0<a[x]+0){t=a[x];a[x]=a[y];a[y]=t}
      med=(m%2)?a[(m+1)/2]:(a[m/2]+a[m/2+1])/2; split(k,kk,"\t"); printf "| %s | %s | %s | %s | %s | %s | %s |\n", kk[1], kk[2], kk[3], med, a[1], a[m], substr(v[k],2)}}' "$RES"
  echo
  echo "| engine | what | round | observed |"
  echo "|---|---|---|---|"
  awk -F'\t' '$5 !~ /^[0-9]+$/ {gsub(/\|/,"\\|",$5); printf "| %s | %s | %s | %s |\n", $1, $2, $4, $5}' "$RES"
}
summary | tee ${OUT:+"$OUT"}
