#!/usr/bin/env bash
# How long a one-shot client takes to join a cluster of N servers and push one small file to cluster:all,
# as a Hazelcast lite member (the client's default) and as a full member (-Dkirim.cluster.lite=false, the
# behaviour before), interleaved, on 127.0.0.1. Also counts the partition migrations the servers log while
# the clients come and go ("Repartitioning cluster data").
#
#   bench/cluster-join.sh [--nodes "1 3 5"] [--rounds 5]
#
# "wall" is the client JVM from launch to exit (start-up, join, push, leave). Builds nothing: needs the jars
# in */target (./mvnw -B package -DskipTests). Uses its own cluster name and ports 26100+ / 5950+.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES="1 3 5" ROUNDS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: $0 [--nodes \"1 3 5\"] [--rounds N]" >&2; exit 2 ;;
  esac
done
JAVA=${JAVA:-java}
OPTS="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
SERVER_JAR=server-verticle/target/kirim-server.jar
CLIENT_JAR=client-verticle/target/kirim-client.jar
[ -f "$SERVER_JAR" ] && [ -f "$CLIENT_JAR" ] || { echo "cluster-join: build the jars first" >&2; exit 2; }
WORK=$(mktemp -d /var/tmp/kirim-join.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
echo x > "$WORK/x.txt"
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
migrations() { cat "$WORK"/server-*.log 2>/dev/null | grep -c "Repartitioning cluster data" || true; }

printf '%-6s %-5s %8s %8s  %s\n' servers mode "median s" "min s" "migrations logged by the servers"
for n in $NODES; do
  NAME=kirim-join-$$-$n
  MEMBERS=$(seq -s, -f "127.0.0.1:%g" 5950 $((5950 + n - 1)))
  PROPS=(-Dkirim.cluster.name="$NAME" -Dkirim.cluster.members="$MEMBERS")
  rm -f "$WORK"/server-*.log
  for i in $(seq 0 $((n - 1))); do
    mkdir -p "$WORK/s$i"
    $JAVA $OPTS "${PROPS[@]}" -Dkirim.cluster.port=$((5950 + i)) \
      -Dorg.slf4j.simpleLogger.log.com.hazelcast.internal.partition=info \
      -jar "$SERVER_JAR" -cluster -conf "{\"host\":\"127.0.0.1\",\"port\":$((26100 + i)),\"storageDir\":\"$WORK/s$i\",\"serverId\":\"s$i\"}" \
      >"$WORK/server-$i.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 600); do grep -q "Registered in" "$WORK/server-$i.log" && break; sleep 0.1; done
    grep -q "Registered in" "$WORK/server-$i.log" || { echo "server $i did not start" >&2; tail "$WORK/server-$i.log" >&2; exit 1; }
  done
  declare -A T=() M=()
  for r in $(seq 1 "$ROUNDS"); do
    for mode in full lite; do
      lite=$([ "$mode" = lite ] && echo true || echo false)
      before=$(migrations)
      t0=$(now)
      $JAVA $OPTS "${PROPS[@]}" -Dkirim.cluster.port=5960 -Dkirim.cluster.lite=$lite -jar "$CLIENT_JAR" -cluster \
        -conf "{\"targets\":[\"cluster:all\"],\"files\":[\"$WORK/x.txt\"],\"remoteDir\":\"$mode-$r\"}" \
        >"$WORK/client.log" 2>&1 || { echo "client ($mode) failed:" >&2; cat "$WORK/client.log" >&2; exit 1; }
      t=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}')
      grep -q "x $n target(s)" "$WORK/client.log" || { echo "client ($mode) did not reach $n servers:" >&2; cat "$WORK/client.log" >&2; exit 1; }
      sleep 1   # let the servers log the migrations the client's leaving causes
      T[$mode]+="$t "
      M[$mode]=$(( ${M[$mode]:-0} + $(migrations) - before ))
    done
  done
  for mode in full lite; do
    printf '%-6s %-5s %8s %8s  %s in %s runs   (%s)\n' "$n" "$mode" "$(tr ' ' '\n' <<<"${T[$mode]}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${T[$mode]}" | grep . | sort -n | head -1)" "${M[$mode]}" "$ROUNDS" "${T[$mode]% }"
  done
  unset T M
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
done
