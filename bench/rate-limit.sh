#!/usr/bin/env bash
# Rate limits against their target: pushes one file (default 200 MiB) at a limit (default "20MiB", so the
# target is 10 s) three ways, over 127.0.0.1, and prints the times and their ratio to the target:
#   client     the client's rateLimit, into an unlimited server
#   server     limits.rateLimitPerConnection on the server, from an unlimited client
#   unlimited  neither (what the limit holds back)
#
#   bench/rate-limit.sh [--mib N] [--rate SIZE] [--keep]
#
# "wall" is the client JVM from launch to exit (start-up included); "transfer" the client's own figure from its
# summary line. The target is MIB / RATE: a token bucket starts with a quarter second's bytes, so the transfer
# can come in up to 0.25 s under it. Builds nothing: needs the jars in */target
# (./mvnw -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=200 RATE=20MiB KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) MIB=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--mib N] [--rate SIZE, e.g. 20MiB] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH=rate-limit
. bench/lib.sh

# The rate in bytes per second, for the target: binary units only here (the jars take decimal ones too).
case "$RATE" in
  *KiB) RATE_BYTES=$(( ${RATE%KiB} * 1024 )) ;;
  *MiB) RATE_BYTES=$(( ${RATE%MiB} * 1024 * 1024 )) ;;
  *GiB) RATE_BYTES=$(( ${RATE%GiB} * 1024 * 1024 * 1024 )) ;;
  *) echo "rate-limit: --rate takes a whole number of KiB, MiB or GiB, e.g. 20MiB" >&2; exit 2 ;;
esac
TARGET=$(awk -v m="$MIB" -v r="$RATE_BYTES" 'BEGIN { printf "%.2f", m * 1048576 / r }')

mkdir -p "$WORK/src"
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$WORK/src/big.bin"
WANT=$(cksum < "$WORK/src/big.bin")

start_server plain ""
PLAIN_PORT=$PORT
start_server limited ",\"limits\":{\"rateLimitPerConnection\":\"$RATE\"}"
LIMITED_PORT=$PORT

# push CASE PORT EXTRA_JSON: prints "wall transfer"
push() {
  local name=$1 port=$2 extra=$3 start end
  start=$(date +%s.%N)
  "$JAVA" -jar "$CLIENT_JAR" -conf "{\"targets\":[\"127.0.0.1:$port\"],\"files\":[\"$WORK/src/big.bin\"],\"remoteDir\":\"$name\"$extra}" \
    > "$WORK/push-$name.log" 2>&1 || { echo "rate-limit: push $name failed" >&2; tail -5 "$WORK/push-$name.log" >&2; exit 1; }
  end=$(date +%s.%N)
  local store=plain
  [ "$port" = "$LIMITED_PORT" ] && store=limited
  [ "$(cksum < "$WORK/$store/$name/big.bin")" = "$WANT" ] || { echo "rate-limit: $name arrived damaged" >&2; exit 1; }
  local transfer
  transfer=$(grep '^kirim:' "$WORK/push-$name.log" | tail -1 | sed -nE 's/.* in ([0-9.]+) s.*/\1/p')
  awk -v s="$start" -v e="$end" -v t="$transfer" 'BEGIN { printf "%.2f %s", e - s, t }'
}

sync
echo "rate-limit: one ${MIB} MiB file at ${RATE}/s over 127.0.0.1 (target ${TARGET} s); $(nproc) cores"
printf '%-10s %8s %10s %16s %20s\n' case "wall s" "transfer s" "wall / target" "transfer / target"
for case in client server unlimited; do
  case $case in
    client) out=$(push client "$PLAIN_PORT" ",\"rateLimit\":\"$RATE\"") ;;
    server) out=$(push server "$LIMITED_PORT" "") ;;
    unlimited) out=$(push unlimited "$PLAIN_PORT" "") ;;
  esac
  read -r wall transfer <<< "$out"
  awk -v c="$case" -v w="$wall" -v t="$transfer" -v g="$TARGET" \
    'BEGIN { printf "%-10s %8.2f %10.2f %16.3f %20.3f\n", c, w, t, w / g, t / g }'
  sync
done
