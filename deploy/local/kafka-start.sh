#!/usr/bin/env bash
# kafka-start.sh runs a real Apache Kafka 4.x cluster in KRaft mode on
# loopback, from the jars kafka-fetch.sh caches (no Docker, no tarball).
#
# Usage: deploy/local/kafka-start.sh [--brokers 1|3] [--dir DIR] [--node N]
#   --brokers N  1 (default): one combined broker+controller;
#                3: three combined nodes forming one KRaft quorum, RF=3,
#                min.insync.replicas=2
#   --dir DIR    state directory (default $KAFKA_DIR or /tmp/federation-kafka)
#   --node N     (re)start only node N (0-based) of an existing cluster,
#                e.g. after `kafka-stop.sh --node N` in a broker-kill drill
# Environment: KAFKA_VERSION, KAFKA_CACHE (see kafka-fetch.sh),
#   KAFKA_PORT_BASE (client ports, default 19092: node i listens on base+i),
#   KAFKA_CONTROLLER_PORT_BASE (default 19192), KAFKA_HEAP (default 512m),
#   KAFKA_START_TIMEOUT seconds (default 90).
# On success prints `export KAFKA_BROKERS=...` on stdout (eval-able).
# Running it again while the cluster is up only prints that line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BROKERS=""
DIR="${KAFKA_DIR:-/tmp/federation-kafka}"
NODE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --brokers) BROKERS="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "kafka-start: unknown argument $1" >&2; exit 2 ;;
  esac
done

PORT_BASE="${KAFKA_PORT_BASE:-19092}"
CTRL_BASE="${KAFKA_CONTROLLER_PORT_BASE:-19192}"
HEAP="${KAFKA_HEAP:-512m}"
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

# An existing cluster keeps its size; a new one defaults to one broker.
if [[ -f "$DIR/cluster.env" ]]; then
  # shellcheck disable=SC1091
  source "$DIR/cluster.env"
  if [[ -n "$BROKERS" && "$BROKERS" != "$CLUSTER_BROKERS" ]]; then
    echo "kafka-start: $DIR holds a $CLUSTER_BROKERS-node cluster; stop it and remove $DIR for a $BROKERS-node one" >&2
    exit 2
  fi
  BROKERS="$CLUSTER_BROKERS"
fi
BROKERS="${BROKERS:-1}"
[[ "$BROKERS" == 1 || "$BROKERS" == 3 ]] || { echo "kafka-start: --brokers must be 1 or 3" >&2; exit 2; }
if [[ -n "$NODE" ]] && ! [[ "$NODE" =~ ^[0-9]+$ && "$NODE" -lt "$BROKERS" ]]; then
  echo "kafka-start: --node must be 0..$((BROKERS - 1))" >&2; exit 2
fi

KAFKA_HOME="$("$HERE/kafka-fetch.sh")"
LIBS="$KAFKA_HOME/libs"
mkdir -p "$DIR"

bootstrap=""
voters=""
for ((i = 0; i < BROKERS; i++)); do
  bootstrap+="${bootstrap:+,}127.0.0.1:$((PORT_BASE + i))"
  voters+="${voters:+,}$i@127.0.0.1:$((CTRL_BASE + i))"
done

alive() { [[ -f "$1/pid" ]] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# write_config writes node $1's server.properties: every node is a combined
# broker+controller, so any single node can be killed in a 3-node drill and
# the remaining two keep both a controller and an ISR majority.
write_config() {
  local i="$1" nd="$DIR/node$1" rf=1 isr=1
  if [[ "$BROKERS" == 3 ]]; then rf=3; isr=2; fi
  mkdir -p "$nd/data" "$nd/logs"
  cat >"$nd/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$((PORT_BASE + i)),CONTROLLER://127.0.0.1:$((CTRL_BASE + i))
advertised.listeners=PLAINTEXT://127.0.0.1:$((PORT_BASE + i))
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$nd/data
num.partitions=4
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
auto.create.topics.enable=true
# Tests form groups constantly: Kafka's default 3 s delay before the first
# rebalance of a new group would add 3 s to each (kfake has none).
group.initial.rebalance.delay.ms=0
log.segment.bytes=16777216
log.retention.hours=24
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
PROPS
}

format_node() {
  local i="$1" nd="$DIR/node$1"
  [[ -f "$nd/data/meta.properties" ]] && return 0
  tool -Dkafka.logs.dir="$nd/logs" kafka.tools.StorageTool format \
    --config "$nd/server.properties" --cluster-id "$CLUSTER_ID" --ignore-formatted \
    >"$nd/logs/format.log" 2>&1 || { cat "$nd/logs/format.log" >&2; return 1; }
}

start_node() {
  local i="$1" nd="$DIR/node$1"
  if alive "$nd"; then return 0; fi
  if port_open $((PORT_BASE + i)) || port_open $((CTRL_BASE + i)); then
    echo "kafka-start: port $((PORT_BASE + i)) or $((CTRL_BASE + i)) is taken by another process" >&2
    return 1
  fi
  # setsid: the broker outlives the shell (and CI step) that started it.
  setsid java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    -Dkafka.logs.dir="$nd/logs" \
    -cp "$LIBS/*" kafka.Kafka "$nd/server.properties" \
    >"$nd/logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$nd/pid"
}

# wait_node waits until node $1 serves clients: Kafka opens its client
# listener only once the broker has caught up with the metadata log and is
# unfenced, so an open port plus "started" in the log means it answers.
wait_node() {
  local i="$1" nd="$DIR/node$1" deadline=$((SECONDS + TIMEOUT))
  until port_open $((PORT_BASE + i)) && grep -q 'Kafka Server started' "$nd/logs/server.log" 2>/dev/null; do
    if ! alive "$nd"; then
      echo "kafka-start: node $i exited; last log lines:" >&2
      tail -n 30 "$nd/logs/server.log" "$nd/logs/stdout.log" >&2 2>/dev/null || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "kafka-start: node $i not ready after ${TIMEOUT}s; see $nd/logs/server.log" >&2
      return 1
    fi
    sleep 0.3
  done
}

# tool runs a short-lived Kafka command: C1 only, which starts faster.
tool() {
  java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$LIBS/*" \
    -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" "$@"
}

# check_cluster sends a real ApiVersions request to every broker.
check_cluster() {
  tool -Dkafka.logs.dir="$DIR" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$bootstrap" >"$DIR/api-versions.txt" 2>&1 || {
    cat "$DIR/api-versions.txt" >&2; return 1; }
  local n
  n="$(grep -c '^127.0.0.1:' "$DIR/api-versions.txt" || true)"
  if [[ "$n" != "$BROKERS" ]]; then
    echo "kafka-start: $n of $BROKERS brokers answered ApiVersions" >&2; return 1
  fi
}

if [[ ! -f "$DIR/cluster.env" ]]; then
  CLUSTER_ID="$(tool -Dkafka.logs.dir="$DIR" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  printf 'CLUSTER_BROKERS=%s\nCLUSTER_ID=%s\n' "$BROKERS" "$CLUSTER_ID" >"$DIR/cluster.env"
fi
# shellcheck disable=SC1091
source "$DIR/cluster.env"

nodes=()
if [[ -n "$NODE" ]]; then nodes=("$NODE"); else for ((i = 0; i < BROKERS; i++)); do nodes+=("$i"); done; fi

started=0
t0=$SECONDS
# Formatting is one JVM per node: run them side by side.
fmt_pids=()
for i in "${nodes[@]}"; do
  write_config "$i"
  format_node "$i" &
  fmt_pids+=("$!")
done
for p in "${fmt_pids[@]}"; do wait "$p"; done
for i in "${nodes[@]}"; do
  if ! alive "$DIR/node$i"; then start_node "$i"; started=1; fi
done
for i in "${nodes[@]}"; do wait_node "$i"; done
if [[ "$started" == 1 ]]; then
  check_cluster
  echo "kafka-start: $BROKERS-node Kafka $(basename "$KAFKA_HOME") ready in $((SECONDS - t0))s (state in $DIR)" >&2
fi
echo "export KAFKA_BROKERS=$bootstrap"
