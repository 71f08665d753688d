#!/usr/bin/env bash
# deploy/bench/run.sh: the project's benchmark, reproducible on any machine.
#
# Builds the binary once, starts five reference MIS simulators as separate
# processes (2 ms latency each), starts "federation serve" in embedded mode
# (in-process Kafka-protocol broker, SQLite in a fresh directory), then runs
# "federation loadgen" twice with the same N and C:
#   direct  hold+book pairs straight to the simulators: the cost of doing
#           nothing durable, the physical limit of this machine;
#   saga    bookings through the federal API, followed to their final status.
# It prints one table: bookings/s, p50, p99, the broker's peak RSS and CPU
# seconds per 1,000 bookings, and saga throughput as a fraction of direct.
#
# ISOLATION=1 adds three open-loop saga runs at the same rate (half the
# saga peak unless ISO_RATE is set): all regions healthy, region 25 down,
# region 25 answering after 3000 ms; it prints the healthy regions' p99
# next to the all-healthy figure.
#
# Environment (defaults):
#   N=5000 C=64              bookings per run and concurrency
#   LATENCY_MS=2             latency of every simulator
#   ISOLATION=0              1 runs the isolation scenarios too
#   ISO_N=2000 ISO_RATE=     bookings and rate of each isolation run
#   ISO_TIMEOUT=20s          bound of one booking in the isolation runs
#   PORT_BASE=18000          API on PORT_BASE+80, its internal listener on +90,
#                            embedded Kafka on +92, the test identity provider
#                            on +94, simulators on PORT_BASE+<region code>
#   OUT=                     directory to keep the JSON reports and logs in
#   FEDERATION_BIN=          a prebuilt binary to use instead of building one
#
# Usage: deploy/bench/run.sh          (from anywhere; needs go, curl, jq)
set -euo pipefail

N=${N:-5000}
C=${C:-64}
LATENCY_MS=${LATENCY_MS:-2}
ISOLATION=${ISOLATION:-0}
ISO_N=${ISO_N:-2000}
ISO_RATE=${ISO_RATE:-}
ISO_TIMEOUT=${ISO_TIMEOUT:-20s}
PORT_BASE=${PORT_BASE:-18000}
FAULTY=25
REGIONS=(77 78 16 54 25)

cd "$(dirname "$0")/../.."
for tool in go curl jq; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fedbench.XXXXXX")
OUT=${OUT:-$TMP/out}
mkdir -p "$OUT"
PIDS=()

cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ $OUT == "$TMP/out" ]]; then rm -rf "$TMP"; else rm -rf "$TMP"/data "$TMP"/federation; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "run.sh: $*" >&2; }

# wait_http URL [PID]: until it answers 2xx, at most 30 s, or PID exits.
wait_http() {
	for _ in $(seq 300); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		if [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null; then
			log "process $2 serving $1 exited"; return 1
		fi
		sleep 0.1
	done
	log "$1 did not answer within 30 s"; return 1
}

# cpu_ticks PID: utime+stime of the process, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# peak_rss_mib PID: VmHWM (peak resident set) in MiB.
peak_rss_mib() { awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
# reset_peak PID: start VmHWM again from the current RSS (Linux clear_refs).
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
TICKS=$(getconf CLK_TCK)

if [[ -n ${FEDERATION_BIN:-} ]]; then
	BIN=$FEDERATION_BIN
else
	log "building the binary"
	go build -o "$TMP/federation" ./cmd/federation
	BIN=$TMP/federation
fi

# Simulators, one process each.
declare -A TZ=([77]=Europe/Moscow [78]=Europe/Moscow [16]=Europe/Moscow [54]=Asia/Novosibirsk [25]=Asia/Vladivostok)
declare -A NAME=([77]=Moscow [78]="Saint Petersburg" [16]="Republic of Tatarstan" [54]="Novosibirsk Oblast" [25]="Primorsky Krai")
MIS_ARG=""
SIM_PIDS=()
seed=1
for r in "${REGIONS[@]}"; do
	port=$((PORT_BASE + 10#$r))
	"$BIN" missim --region "$r" --listen "127.0.0.1:$port" --seed "$seed" --log-level warn >"$OUT/missim-$r.log" 2>&1 &
	PIDS+=($!) SIM_PIDS+=($!)
	seed=$((seed + 1))
	MIS_ARG+="${MIS_ARG:+,}$r=http://127.0.0.1:$port"
done
for r in "${REGIONS[@]}"; do
	url=http://127.0.0.1:$((PORT_BASE + 10#$r))
	wait_http "$url/admin/faults"
	curl -fsS -o /dev/null -X PUT "$url/admin/faults" -d "{\"latency_ms\":$LATENCY_MS}"
done

# The TEST identity provider, its own process as serve requires.
IDP=http://127.0.0.1:$((PORT_BASE + 94))
"$BIN" test-idp --listen "127.0.0.1:$((PORT_BASE + 94))" --ttl 12h --log-level warn >"$OUT/test-idp.log" 2>&1 &
PIDS+=($!)
wait_http "$IDP/.well-known/openid-configuration"

# The broker, from a configuration like deploy/federation.example.yaml.
API=http://127.0.0.1:$((PORT_BASE + 80))
FEDERATION_PSEUDONYM_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
FEDERATION_SEAL_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# The simulators demand no token; serve requires every region to have
# credentials, so the broker sends one they ignore.
BENCH_MIS_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
export FEDERATION_PSEUDONYM_KEY FEDERATION_SEAL_KEY BENCH_MIS_TOKEN
{
	cat <<EOF
listen: 127.0.0.1:$((PORT_BASE + 80))
internal_listen: 127.0.0.1:$((PORT_BASE + 90))
data_dir: $TMP/data
log_level: warn
kafka:
  embedded_listen: 127.0.0.1:$((PORT_BASE + 92))
  partitions: 4
  replication: 1
auth:
  issuer: $IDP
  audience: federation
secrets:
  pseudonym_key: env:FEDERATION_PSEUDONYM_KEY
  seal_key: env:FEDERATION_SEAL_KEY
booking:
  deadline: 2m
# One machine is one client address: lift its budget for the load test.
limits:
  address: {reads: {per_second: 1000000, burst: 1000000}, writes: {per_second: 1000000, burst: 1000000}}
regions:
EOF
	for r in "${REGIONS[@]}"; do
		cat <<EOF
  - code: "$r"
    name: ${NAME[$r]}
    time_zone: ${TZ[$r]}
    mis:
      base_url: http://127.0.0.1:$((PORT_BASE + 10#$r))
      bearer_token: env:BENCH_MIS_TOKEN
      call_timeout: 5s
      retry: {max_attempts: 2, wait_min: 20ms, wait_max: 200ms, retry_after_cap: 1s}
    breaker:
      consecutive_failures: 5
      open_timeout: 2s
      max_concurrent: 64
EOF
	done
} >"$TMP/federation.yaml"
cp "$TMP/federation.yaml" "$OUT/"

mkdir -p "$TMP/data"
"$BIN" serve --config "$TMP/federation.yaml" >"$OUT/serve.log" 2>&1 &
BROKER=$!
PIDS+=("$BROKER")
wait_http "$API/readyz" "$BROKER" || { tail -20 "$OUT/serve.log" >&2; exit 1; }
log "broker ready at $API (pid $BROKER); simulators: $MIS_ARG"

# measure NAME ARGS...: one loadgen run; records the broker's CPU ticks and
# peak RSS over it, and the simulators' CPU ticks.
declare -A CPU RSS SIMCPU
measure() {
	local name=$1; shift
	local b0 s0=0 s1=0 pid
	reset_peak "$BROKER"
	b0=$(cpu_ticks "$BROKER")
	for pid in "${SIM_PIDS[@]}"; do s0=$((s0 + $(cpu_ticks "$pid"))); done
	log "run $name: loadgen $*"
	"$BIN" loadgen --json "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.progress" ||
		{ log "loadgen $name failed:"; cat "$OUT/$name.progress" "$OUT/$name.txt" >&2; return 1; }
	CPU[$name]=$(($(cpu_ticks "$BROKER") - b0))
	RSS[$name]=$(peak_rss_mib "$BROKER")
	for pid in "${SIM_PIDS[@]}"; do s1=$((s1 + $(cpu_ticks "$pid"))); done
	SIMCPU[$name]=$((s1 - s0))
}

# per_k TICKS BOOKINGS: CPU seconds per 1,000 bookings.
per_k() { awk -v t="$1" -v n="$2" -v hz="$TICKS" 'BEGIN { if (n > 0) printf "%.2f", t / hz / n * 1000; else print "-" }'; }

measure direct --direct --mis "$MIS_ARG" --bookings "$N" --concurrency "$C"
measure saga --target "$API" --token-url "$IDP/token" --bookings "$N" --concurrency "$C"

row() { # row NAME BROKER_COLUMNS(yes|no)
	local f=$OUT/$1.json done
	done=$(jq .completed "$f")
	local rss=- cpu=-
	if [[ $2 == yes ]]; then rss=${RSS[$1]}; cpu=$(per_k "${CPU[$1]}" "$done"); fi
	printf "%-8s %11.1f %9.1f %9.1f %9s %10s %14s %9d %9d\n" "$1" \
		"$(jq .bookings_per_second "$f")" "$(jq .latency.p50_ms "$f")" "$(jq .latency.p99_ms "$f")" \
		"$rss" "$cpu" "$(per_k "${SIMCPU[$1]}" "$done")" \
		"$(jq '.outcomes.confirmed // 0' "$f")" "$(jq "$N - (.outcomes.confirmed // 0)" "$f")"
}

echo
echo "Benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, N=$N C=$C, simulators at ${LATENCY_MS} ms, embedded Kafka + SQLite"
printf "%-8s %11s %9s %9s %9s %10s %14s %9s %9s\n" mode bookings/s "p50 ms" "p99 ms" "RSS MiB" "CPU s/1k" "MIS CPU s/1k" confirmed other
row direct no
row saga yes
ratio=$(jq -n --slurpfile d "$OUT/direct.json" --slurpfile s "$OUT/saga.json" \
	'if $d[0].bookings_per_second > 0 then ($s[0].bookings_per_second / $d[0].bookings_per_second * 100 * 10 | round / 10) else 0 end')
echo "saga/direct throughput: ${ratio}%   (RSS: the broker's peak over the run; CPU: the broker's, then the five simulators', per 1,000 bookings)"

if [[ $ISOLATION == 1 ]]; then
	rate=${ISO_RATE:-$(jq '(.bookings_per_second / 2) | floor | if . < 1 then 1 else . end' "$OUT/saga.json")}
	inflight=$(awk -v r="$rate" -v c="$C" 'BEGIN { n = r * 6; if (n < c) n = c; if (n > 8192) n = 8192; printf "%d", n }')
	iso=(--target "$API" --token-url "$IDP/token" --mis "$MIS_ARG" --bookings "$ISO_N" --rate "$rate" --concurrency "$inflight" --timeout "$ISO_TIMEOUT")
	measure iso-healthy "${iso[@]}"
	sleep 5
	measure iso-slow "${iso[@]}" --fault "$FAULTY={\"latency_ms\":3000}"
	sleep 10 # let region $FAULTY's backlog drain before the next run
	measure iso-down "${iso[@]}" --fault "$FAULTY={\"down\":true}"

	healthy=()
	for r in "${REGIONS[@]}"; do [[ $r != "$FAULTY" ]] && healthy+=("$r"); done
	echo
	echo "Isolation: $ISO_N bookings at $rate/s (at most $inflight in flight), region $FAULTY faulty; p99 ms per healthy region"
	printf "%-16s" scenario; for r in "${healthy[@]}"; do printf " %8s" "$r"; done
	printf " %12s %10s %22s\n" "worst p99" "vs healthy" "region $FAULTY outcomes"
	base=$(jq "[.regions | to_entries[] | select(.key != \"$FAULTY\") | .value.latency.p99_ms] | max" "$OUT/iso-healthy.json")
	for s in healthy slow down; do
		f=$OUT/iso-$s.json
		label=$s; [[ $s == slow ]] && label="$FAULTY at 3000 ms"; [[ $s == down ]] && label="$FAULTY down"; [[ $s == healthy ]] && label="all healthy"
		printf "%-16s" "$label"
		for r in "${healthy[@]}"; do printf " %8.1f" "$(jq ".regions[\"$r\"].latency.p99_ms // 0" "$f")"; done
		worst=$(jq "[.regions | to_entries[] | select(.key != \"$FAULTY\") | .value.latency.p99_ms] | max" "$f")
		printf " %12.1f %9s%% %22s\n" "$worst" "$(jq -n "if $base > 0 then (($worst / $base - 1) * 100 | round) else 0 end")" \
			"$(jq -r ".regions[\"$FAULTY\"].outcomes // {} | to_entries | map(\"\(.key) \(.value)\") | join(\", \")" "$f")"
	done
	echo "(within 20% of the all-healthy p99 is the bar; unfinished bookings of region $FAULTY count as timeouts after $ISO_TIMEOUT)"
fi
[[ $OUT == "$TMP/out" ]] || log "reports and logs kept in $OUT"
