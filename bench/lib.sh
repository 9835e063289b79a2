# Shared by the single-purpose bench scripts (rate-limit.sh, tls-cost.sh, noop-repush.sh): the built jars,
# a scratch directory whose servers are stopped on exit, a free port, a server started and awaited.
# Source it from the repository root after setting BENCH (the script's name, for messages).

JAVA=${JAVA:-java}
SERVER_JAR=server-verticle/target/kirim-server.jar
CLIENT_JAR=client-verticle/target/kirim-client.jar
[ -f "$SERVER_JAR" ] && [ -f "$CLIENT_JAR" ] || {
  echo "$BENCH: build the jars first (./mvnw -B package -DskipTests)" >&2; exit 2; }

KEEP=${KEEP:-0}
WORK=$(mktemp -d "/var/tmp/kirim-$BENCH.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ "$KEEP" = 1 ]; then echo "$BENCH: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME EXTRA_JSON: a server on 127.0.0.1 storing into $WORK/NAME, logging to $WORK/NAME.log,
# with EXTRA_JSON (",\"key\":value…") added to its configuration; sets PORT and SERVER_PID.
start_server() {
  local name=$1 extra=$2 i
  PORT=$(free_port)
  mkdir -p "$WORK/$name"
  "$JAVA" -jar "$SERVER_JAR" -conf "{\"host\":\"127.0.0.1\",\"port\":$PORT,\"storageDir\":\"$WORK/$name\"$extra}" \
    > "$WORK/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for i in $(seq 1 300); do grep -q "listening on" "$WORK/$name.log" && return 0; sleep 0.1; done
  echo "$BENCH: server $name did not start" >&2; cat "$WORK/$name.log" >&2; exit 1
}
