#!/usr/bin/env bash
# What TLS costs: pushes one file (default 1 GiB) over 127.0.0.1 to a plain server and to a TLS server
# (certificates from a throwaway CA made here with openssl, as the README shows), rounds interleaved
# (plain, tls, plain, tls, ...), and prints each round and the medians with the TLS/plain ratio.
#
#   bench/tls-cost.sh [--mib N] [--rounds N] [--fsync true|false] [--keep]
#
# "wall" is the client JVM from launch to exit (start-up included); "transfer" the client's own figure from
# its summary line, MiB/s from it. The servers run with fsync false by default so that the disk does not hide
# the cost of the encryption (--fsync true for the durable figure). Each round pushes under a new remote
# directory and deletes it afterwards. Builds nothing: needs the jars in */target
# (./mvnw -B package -DskipTests) and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=1024 ROUNDS=3 FSYNC=false KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) MIB=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --fsync) FSYNC=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--mib N] [--rounds N] [--fsync true|false] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH=tls-cost
. bench/lib.sh
command -v openssl >/dev/null || { echo "tls-cost: openssl is needed for the certificates" >&2; exit 2; }

# A CA and a server certificate for 127.0.0.1 (the README's commands).
(
  cd "$WORK"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj "/CN=kirim bench CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
    -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out server.pem 2>/dev/null
)

mkdir -p "$WORK/src"
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$WORK/src/big.bin"
WANT=$(cksum < "$WORK/src/big.bin")

start_server plain ",\"fsync\":$FSYNC"
PLAIN_PORT=$PORT
start_server tls ",\"fsync\":$FSYNC,\"tls\":{\"cert\":\"$WORK/server.pem\",\"key\":\"$WORK/server.key\"}"
TLS_PORT=$PORT

# push CASE ROUND: prints "wall transfer"
push() {
  local name=$1 round=$2 port extra start end transfer
  if [ "$name" = tls ]; then port=$TLS_PORT; extra=",\"tls\":{\"ca\":\"$WORK/ca.pem\"}"; else port=$PLAIN_PORT; extra=""; fi
  start=$(date +%s.%N)
  "$JAVA" -jar "$CLIENT_JAR" -conf "{\"targets\":[\"127.0.0.1:$port\"],\"files\":[\"$WORK/src/big.bin\"],\"remoteDir\":\"r$round\"$extra}" \
    > "$WORK/push-$name-$round.log" 2>&1 || { echo "tls-cost: push $name failed" >&2; tail -5 "$WORK/push-$name-$round.log" >&2; exit 1; }
  end=$(date +%s.%N)
  [ "$(cksum < "$WORK/$name/r$round/big.bin")" = "$WANT" ] || { echo "tls-cost: $name arrived damaged" >&2; exit 1; }
  rm -rf "${WORK:?}/$name/r$round"
  transfer=$(grep '^kirim:' "$WORK/push-$name-$round.log" | tail -1 | sed -nE 's/.* in ([0-9.]+) s.*/\1/p')
  awk -v s="$start" -v e="$end" -v t="$transfer" 'BEGIN { printf "%.2f %s", e - s, t }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

sync
echo "tls-cost: one ${MIB} MiB file over 127.0.0.1, ${ROUNDS} interleaved rounds, server fsync=${FSYNC}; $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)"
printf '%-6s %-6s %8s %11s %8s\n' round case "wall s" "transfer s" "MiB/s"
declare -A TRANSFERS WALLS
for round in $(seq 1 "$ROUNDS"); do
  for case in plain tls; do
    read -r wall transfer <<< "$(push "$case" "$round")"
    TRANSFERS[$case]+="$transfer "
    WALLS[$case]+="$wall "
    awk -v r="$round" -v c="$case" -v w="$wall" -v t="$transfer" -v m="$MIB" \
      'BEGIN { printf "%-6s %-6s %8.2f %11.2f %8.0f\n", r, c, w, t, m / t }'
    sync
  done
done
echo
printf '%-6s %13s %17s %15s\n' case "median wall s" "median transfer s" "median MiB/s"
for case in plain tls; do
  w=$(tr ' ' '\n' <<< "${WALLS[$case]}" | grep . | median)
  t=$(tr ' ' '\n' <<< "${TRANSFERS[$case]}" | grep . | median)
  eval "MED_$case=$t"
  awk -v c="$case" -v w="$w" -v t="$t" -v m="$MIB" 'BEGIN { printf "%-6s %13.2f %17.2f %15.0f\n", c, w, t, m / t }'
done
awk -v p="$MED_plain" -v t="$MED_tls" 'BEGIN { printf "tls / plain transfer time: %.2fx (TLS throughput %.0f%% of plain)\n", t / p, 100 * p / t }'
