#!/usr/bin/env bash
# Builds kirim and runs its main job end to end on loopback: a server with conf/server.json
# (storing into ./received) and the client pushing the sample list of conf/client.json.
# Prints the client's summary; the JSON report lands in ./kirim-report.json. Builds the jars first only when
# they are missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")"

SERVER_JAR=server-verticle/target/kirim-server.jar
CLIENT_JAR=client-verticle/target/kirim-client.jar

# Builds only when a jar is missing or older than a source file or pom (--build forces it, --no-build skips it).
stale() {
  local jar
  for jar in "$SERVER_JAR" "$CLIENT_JAR"; do
    [[ -f $jar ]] || { echo "$jar is missing"; return 0; }
    local newer
    newer=$(find pom.xml ./*/pom.xml ./*/src -type f -newer "$jar" -print -quit 2>/dev/null)
    [[ -z $newer ]] || { echo "$newer is newer than $jar"; return 0; }
  done
  return 1
}

case "${1:-}" in
  --no-build) ;;
  --build) reason="--build" ;;
  *) reason=$(stale) || reason="" ;;
esac
if [[ -n ${reason:-} ]]; then
  echo "demo: building the jars ($reason): ./mvnw -B -q clean package -DskipTests ..."
  ./mvnw -B -q -Dstyle.color=never clean package -DskipTests
else
  echo "demo: the jars are up to date with the sources (./demo.sh --build rebuilds them)"
fi

log=$(mktemp -t kirim-server.XXXXXX.log)
java -jar "$SERVER_JAR" -conf conf/server.json >"$log" 2>&1 &
server_pid=$!
# The server's log is shown where it matters (start-up failure, the summary below); it goes with the server.
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$log"' EXIT

# Wait for the server's "listening" line (or its early exit, e.g. port 25563 in use).
for _ in $(seq 1 150); do
  grep -q "listening on" "$log" && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$log" >&2
    echo "demo: the server did not start (see above)" >&2
    exit 1
  fi
  sleep 0.1
done
grep -q "listening on" "$log" || { cat "$log" >&2; echo "demo: the server did not start within 15 s" >&2; exit 1; }
echo "demo: $(grep -o 'kirim server .*' "$log")"

status=0
java -jar "$CLIENT_JAR" -conf conf/client.json || status=$?

echo
echo "demo: the server logged:"
grep -E "Connection from|copied|skipped|refused|failed" "$log" | sed 's/^/  /'
echo "demo: files now in ./received:"
find received -type f | sort | sed 's/^/  /'
echo "demo: client exit code $status (report: ./kirim-report.json)"
exit "$status"
