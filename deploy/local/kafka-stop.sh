#!/usr/bin/env bash
# kafka-stop.sh stops the local Kafka cluster that kafka-start.sh started.
#
# Usage: deploy/local/kafka-stop.sh [--dir DIR] [--node N] [--purge]
#   --dir DIR  state directory (default $KAFKA_DIR or /tmp/federation-kafka)
#   --node N   kill only node N with SIGKILL (a crash, for the broker-kill
#              drill); `kafka-start.sh --node N` brings it back
#   --purge    after stopping, delete DIR (topics, offsets, logs)
# Without --node every node gets SIGTERM (a clean shutdown), then SIGKILL
# after 30 s. Stopping a stopped cluster is not an error.
set -euo pipefail

DIR="${KAFKA_DIR:-/tmp/federation-kafka}"
NODE=""
PURGE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "kafka-stop: unknown argument $1" >&2; exit 2 ;;
  esac
done

alive() { kill -0 "$1" 2>/dev/null; }

if [[ -n "$NODE" ]]; then
  pidf="$DIR/node$NODE/pid"
  if [[ -f "$pidf" ]] && alive "$(cat "$pidf")"; then
    pid="$(cat "$pidf")"
    kill -KILL "$pid"
    while alive "$pid"; do sleep 0.1; done
    echo "kafka-stop: killed node $NODE (pid $pid)" >&2
  fi
  rm -f "$pidf"
  exit 0
fi

pids=()
for pidf in "$DIR"/node*/pid; do
  [[ -f "$pidf" ]] || continue
  pid="$(cat "$pidf")"
  if alive "$pid"; then kill -TERM "$pid"; pids+=("$pid"); fi
done
deadline=$((SECONDS + 30))
for pid in "${pids[@]+"${pids[@]}"}"; do
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
done
rm -f "$DIR"/node*/pid
[[ ${#pids[@]} -gt 0 ]] && echo "kafka-stop: stopped ${#pids[@]} node(s)" >&2
if [[ "$PURGE" == 1 ]]; then rm -rf "$DIR"; fi
exit 0
