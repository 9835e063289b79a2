#!/usr/bin/env bash
# What a no-op re-push costs the server: pushes a tree (one big file plus many small ones) once, then
# again unchanged, and prints how many bytes the server read (/proc/PID/io) during the second push.
#
#   bench/noop-repush.sh [--big-mib N] [--small N] [--compare size-mtime|checksum] [--keep]
#
# rchar counts every byte the server's read calls returned (page cache included); read_bytes only what
# came from the disk. Needs the jars in */target (./mvnw -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
BIG_MIB=2048 SMALL=3000 COMPARE=size-mtime KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --big-mib) BIG_MIB=$2; shift 2 ;;
    --small) SMALL=$2; shift 2 ;;
    --compare) COMPARE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--big-mib N] [--small N] [--compare size-mtime|checksum] [--keep]" >&2; exit 2 ;;
  esac
done
BENCH=noop-repush
. bench/lib.sh

mkdir -p "$WORK/src/small"
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom > "$WORK/src/big.bin"
for ((i = 0; i < SMALL; i++)); do
  d="$WORK/src/small/$((i % 30))"; mkdir -p "$d"
  head -c 4096 /dev/urandom > "$d/f$i.dat"
done

start_server store ',"fsync":false'

COMPARE_KEY=${COMPARE_KEY-",\"compare\":\"$COMPARE\""}
client_conf="{\"targets\":[\"127.0.0.1:$PORT\"],\"files\":[\"$WORK/src/big.bin\",\"$WORK/src/small\"]${COMPARE_KEY:-}}"
push() { "$JAVA" -jar "$CLIENT_JAR" -conf "$client_conf" > "$WORK/push-$1.log" 2>&1 || { echo "noop-repush: push $1 failed" >&2; tail -5 "$WORK/push-$1.log" >&2; exit 1; }; }
io() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$SERVER_PID/io"; }

push first
sync
r0=$(io rchar) d0=$(io read_bytes)
push second
r1=$(io rchar) d1=$(io read_bytes)
echo "no-op re-push of ${BIG_MIB} MiB + ${SMALL} files (compare=$COMPARE): server rchar $((r1 - r0)) bytes, read_bytes $((d1 - d0)) bytes"
tail -1 "$WORK/push-second.log"
