#!/usr/bin/env bash
# deploy/bench/run.sh: the project's benchmark, reproducible on any machine.
#
# Builds the binary once, starts five simulated MIS as separate processes
# (2 ms latency each), of every region kind that books at an MIS: 77 of the
# city JSON-RPC style (jsonrpc), 16 of the e-registry SOAP style (soap), 78,
# 54 and 25 of the federal FHIR contract (fhir); and a slot publisher, 27
# (feed: its bookings wait in the region's operator queue, polled every
# second). Starts "federation serve" in embedded mode (in-process
# Kafka-protocol broker, SQLite in a fresh directory), then runs
# "federation loadgen" with the same N and C:
#   direct  hold+book pairs straight to the FHIR simulators: the cost of
#           doing nothing durable, the physical limit of this machine;
#   saga    bookings through the federal API over the five MIS regions,
#           followed to their final status;
#   saga-fhir, saga-soap, saga-jsonrpc
#           the same over the regions of one kind only;
#   saga-feed
#           FEED_N bookings in region 27, each confirmed by loadgen's
#           operator bot (latency: from request to confirmed); FEED_N,
#           not N, because the publisher has a week of two clinics' slots.
# It prints two tables: bookings/s, p50, p99, the broker's peak RSS and CPU
# seconds per 1,000 bookings, and saga throughput as a fraction of direct;
# then saga throughput per kind beside the direct path (kind, regions,
# bookings/s, p50, p99).
#
# ISOLATION=1 adds three open-loop saga runs at the same rate (half the
# saga peak unless ISO_RATE is set): all regions healthy, the SOAP region
# 16 down, region 16 answering after 3000 ms; it prints the healthy
# regions' p99 next to the all-healthy figure.
#
# REGIONS_N=85 then stops that broker and starts another over REGIONS_N
# FHIR simulators (the first REGIONS_N federal subjects of
# regions/subjects, one process each), runs the same saga load spread over
# all of them and prints its throughput beside the 5-region figure of this
# run. With ISOLATION=1 it also runs four open-loop scenarios of ISO85_N
# bookings each over the REGIONS_N regions: all healthy, the first region
# down, answering after 3000 ms, failing 20% of its calls; it prints the
# other regions' p99 (all their bookings together) beside the all-healthy
# figure.
#
# Environment (defaults):
#   N=5000 C=64              bookings per run and concurrency
#   KINDS=1                  0 skips the runs per kind (saga-feed too)
#   FEED_N=500               bookings of the saga-feed run
#   LATENCY_MS=2             latency of every simulator
#   ISOLATION=0              1 runs the isolation scenarios too
#   ISO_N=2000 ISO_RATE=     bookings and rate of each isolation run
#   ISO_TIMEOUT=20s          bound of one booking in the isolation runs
#   PORT_BASE=18000          API on PORT_BASE+80, its internal listener on +90,
#                            embedded Kafka on +92, the test identity provider
#                            on +94, simulators on PORT_BASE+<region code>
#   DATA_DIR=                serve's data directory (kept afterwards) instead of a
#                            fresh one: a store seeded by "federation seed"
#   PSEUDONYM_KEY=           the broker's pseudonym key in hex (default random);
#                            with DATA_DIR, the key the store was seeded with
#   HISTORY_READS=0          after the saga run, read this many history pages of
#                            the seeded citizens (loadgen --history, run "history")
#   HISTORY_CITIZENS=seed-:100  whose pages (loadgen --history-citizens)
#   SAGA_REGIONS=77,78,16,54,25  the regions of the saga run (and the soak)
#   MIS_DAYS=14              days of slots of the FHIR simulators (a long soak needs more)
#   DIRECT=1                 0 skips the direct run
#   SOAK_SECONDS=0           after the saga run, an open-loop run at SOAK_RATE (half
#   SOAK_RATE=               the saga run's bookings/s unless set) for this long,
#                            sampling the broker's RSS and the outbox depth every
#                            10 s into OUT/soak-samples.csv (deploy/bench/soak.sh)
#   PROFILE=0                1 saves the broker's CPU profile of the saga run
#   PROFILE_SECONDS=10       (its first seconds) as OUT/saga.cpu.pprof, and
#                            its allocations as OUT/saga.allocs.pprof
#   REGIONS_N=0              85: the run over that many FHIR regions too
#   ISO85_N=5000             bookings of each isolation run over REGIONS_N regions
#   PARTITIONS=              partitions per topic (default: serve's, 1 embedded)
#   BENCH_KAFKA_BROKERS=     a real Kafka's bootstrap addresses (host:port,...) instead of
#                            the embedded broker (deploy/local/kafka-start.sh), with a
#                            namespace of this run's own; DATABASE_URL (PostgreSQL) is
#                            serve's own setting and passes through
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
KINDS=${KINDS:-1}
PROFILE=${PROFILE:-0}
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
FEED_N=${FEED_N:-500}
REGIONS_N=${REGIONS_N:-0}
ISO85_N=${ISO85_N:-5000}
MIS_DAYS=${MIS_DAYS:-14}
DIRECT=${DIRECT:-1}
DATA_DIR=${DATA_DIR:-}
HISTORY_READS=${HISTORY_READS:-0}
HISTORY_CITIZENS=${HISTORY_CITIZENS:-seed-:100}
SOAK_SECONDS=${SOAK_SECONDS:-0}
SOAK_RATE=${SOAK_RATE:-}
FAULTY=16 # the SOAP region: a slow or down SOAP MIS must not slow the others
REGIONS=(77 78 16 54 25 27)
MIS_REGIONS=${SAGA_REGIONS:-77,78,16,54,25} # the mixed and isolation runs: 27's slots are too few for N
declare -A KIND=([77]=jsonrpc [78]=fhir [16]=soap [54]=fhir [25]=fhir [27]=feed)

cd "$(dirname "$0")/../.."
for tool in go curl jq; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fedbench.XXXXXX")
OUT=${OUT:-$TMP/out}
DATA=${DATA_DIR:-$TMP/data}
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
declare -A TZ=([77]=Europe/Moscow [78]=Europe/Moscow [16]=Europe/Moscow [54]=Asia/Novosibirsk [25]=Asia/Vladivostok [27]=Asia/Vladivostok)
declare -A NAME=([77]=Moscow [78]="Saint Petersburg" [16]="Republic of Tatarstan" [54]="Novosibirsk Oblast" [25]="Primorsky Krai" [27]="Khabarovsk Krai")
MIS_ARG=""  # every simulator: where loadgen injects faults
FHIR_MIS="" # the FHIR simulators: the direct path speaks only that contract
SIM_PIDS=()
seed=1
for r in "${REGIONS[@]}"; do
	port=$((PORT_BASE + 10#$r))
	days=()
	if [[ ${KIND[$r]} == fhir ]]; then days=(--days "$MIS_DAYS"); fi
	"$BIN" missim --kind "${KIND[$r]}" --region "$r" --listen "127.0.0.1:$port" --seed "$seed" "${days[@]}" --log-level warn >"$OUT/missim-$r.log" 2>&1 &
	PIDS+=($!) SIM_PIDS+=($!)
	seed=$((seed + 1))
	MIS_ARG+="${MIS_ARG:+,}$r=http://127.0.0.1:$port"
	if [[ ${KIND[$r]} == fhir ]]; then FHIR_MIS+="${FHIR_MIS:+,}$r=http://127.0.0.1:$port"; fi
done
for r in "${REGIONS[@]}"; do
	url=http://127.0.0.1:$((PORT_BASE + 10#$r))
	wait_http "$url/admin/faults"
	curl -fsS -o /dev/null -X PUT "$url/admin/faults" -d "{\"latency_ms\":$LATENCY_MS}"
done

# The TEST identity provider, its own process as serve requires; its tokens
# live within serve's cap on token lifetime (1 h), and each loadgen run
# fetches its own.
IDP=http://127.0.0.1:$((PORT_BASE + 94))
"$BIN" test-idp --listen "127.0.0.1:$((PORT_BASE + 94))" --ttl 55m --log-level warn >"$OUT/test-idp.log" 2>&1 &
PIDS+=($!)
wait_http "$IDP/.well-known/openid-configuration"

# The broker, from a configuration like deploy/federation.example.yaml.
API=http://127.0.0.1:$((PORT_BASE + 80))
INTERNAL=http://127.0.0.1:$((PORT_BASE + 90))
FEDERATION_PSEUDONYM_KEY=${PSEUDONYM_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
FEDERATION_SEAL_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
# The simulators demand no token; serve requires every region to have
# credentials, so the broker sends one they ignore.
BENCH_MIS_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
export FEDERATION_PSEUDONYM_KEY FEDERATION_SEAL_KEY BENCH_MIS_TOKEN
{
	cat <<EOF
listen: 127.0.0.1:$((PORT_BASE + 80))
internal_listen: 127.0.0.1:$((PORT_BASE + 90))
pprof: true
data_dir: $DATA
log_level: warn
kafka:
  embedded_listen: 127.0.0.1:$((PORT_BASE + 92))
$([[ -n ${PARTITIONS:-} ]] && echo "  partitions: $PARTITIONS")
$([[ -n ${BENCH_KAFKA_BROKERS:-} ]] && printf '  brokers: [%s]\n  namespace: bench%s.\n' "$BENCH_KAFKA_BROKERS" "$$")
  replication: 1
auth:
  issuer: $IDP
  audience: federation
  # The test identity provider signs the operator bot's tokens with it.
  operator_claim: operator_id
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
		url=http://127.0.0.1:$((PORT_BASE + 10#$r))
		cat <<EOF
  - code: "$r"
    name: ${NAME[$r]}
    time_zone: ${TZ[$r]}
    kind: ${KIND[$r]}
EOF
		if [[ ${KIND[$r]} == feed ]]; then
			cat <<EOF
    feed:
      base_url: $url
      poll_interval: 1s
EOF
		elif [[ ${KIND[$r]} == fhir ]]; then
			cat <<EOF
    mis:
      base_url: $url
      bearer_token: env:BENCH_MIS_TOKEN
      call_timeout: 5s
      retry: {max_attempts: 2, wait_min: 20ms, wait_max: 200ms, retry_after_cap: 1s}
EOF
		else
			cat <<EOF
    ${KIND[$r]}:
      endpoint: $url/
      bearer_token: env:BENCH_MIS_TOKEN
      call_timeout: 5s
      read_attempts: 2
      retry_wait_min: 20ms
      retry_wait_max: 200ms
EOF
		fi
		cat <<EOF
    breaker:
      consecutive_failures: 5
      open_timeout: 2s
      max_concurrent: 64
EOF
	done
} >"$TMP/federation.yaml"
cp "$TMP/federation.yaml" "$OUT/"

mkdir -p "$DATA"
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
	local prof=""
	if [[ $PROFILE == 1 && $name == saga ]]; then
		# The broker's CPU profile over the saga run's first PROFILE_SECONDS.
		curl -fsS -o "$OUT/saga.cpu.pprof" "$INTERNAL/debug/pprof/profile?seconds=$PROFILE_SECONDS" &
		prof=$!
	fi
	local lagger=""
	if [[ $name == saga ]]; then
		# The analysts' read model's lag behind the events topic, once a
		# second over the run (federation_analytics_consumer_lag and _last_event_age).
		(while :; do
			curl -fsS "$INTERNAL/metrics" 2>/dev/null | awk '/^federation_analytics_consumer_lag[{ ]/ { s += $NF }
				/^federation_analytics_consumer_last_event_age/ { a = $NF } END { printf "%d %.3f\n", s, a }'
			sleep 1
		done) >"$OUT/saga.lag" &
		lagger=$!
	fi
	"$BIN" loadgen --json "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.progress" ||
		{ log "loadgen $name failed:"; cat "$OUT/$name.progress" "$OUT/$name.txt" >&2; return 1; }
	if [[ -n $lagger ]]; then
		sleep 2 # the consumer's last fetches after the run
		kill "$lagger" 2>/dev/null || true
		wait "$lagger" 2>/dev/null || true
		# Events not yet fetched, and the age of the newest event applied
		# (while bookings flow, how far behind the read model is in time).
		LAG_LINE="at most $(sort -n "$OUT/saga.lag" | tail -1 | cut -d' ' -f1) events not fetched; newest applied event $(cut -d' ' -f2 "$OUT/saga.lag" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "at most %.2f s old (median %.2f s) over %d samples", v[NR], v[int((NR + 1) / 2)], NR }')"
		LAG_END=$(tail -1 "$OUT/saga.lag" | awk '{ printf "%d events, %.2f s", $1, $2 }')
	fi
	if [[ -n $prof ]]; then
		wait "$prof" && log "CPU profile of the saga run: go tool pprof -top $BIN $OUT/saga.cpu.pprof"
		# Allocations since the broker started, the saga run's by far the most.
		curl -fsS -o "$OUT/saga.allocs.pprof" "$INTERNAL/debug/pprof/allocs" &&
			log "allocations: go tool pprof -sample_index=alloc_space -top $BIN $OUT/saga.allocs.pprof"
	fi
	CPU[$name]=$(($(cpu_ticks "$BROKER") - b0))
	RSS[$name]=$(peak_rss_mib "$BROKER")
	for pid in "${SIM_PIDS[@]}"; do s1=$((s1 + $(cpu_ticks "$pid"))); done
	SIMCPU[$name]=$((s1 - s0))
}

# per_k TICKS BOOKINGS: CPU seconds per 1,000 bookings.
per_k() { awk -v t="$1" -v n="$2" -v hz="$TICKS" 'BEGIN { if (n > 0) printf "%.2f", t / hz / n * 1000; else print "-" }'; }

if [[ $DIRECT == 1 ]]; then
	measure direct --direct --mis "$FHIR_MIS" --bookings "$N" --concurrency "$C"
fi
measure saga --target "$API" --token-url "$IDP/token" --regions "$MIS_REGIONS" --bookings "$N" --concurrency "$C"
if ((HISTORY_READS > 0)); then
	log "run history: loadgen --history $HISTORY_READS --history-citizens $HISTORY_CITIZENS"
	"$BIN" loadgen --json "$OUT/history.json" --target "$API" --token-url "$IDP/token" --history "$HISTORY_READS" \
		--history-citizens "$HISTORY_CITIZENS" --concurrency 8 >"$OUT/history.txt" 2>"$OUT/history.progress" ||
		{ log "loadgen history failed:"; cat "$OUT/history.progress" "$OUT/history.txt" >&2; exit 1; }
fi
if ((SOAK_SECONDS > 0)); then
	rate=${SOAK_RATE:-$(jq '(.bookings_per_second / 2) | floor | if . < 1 then 1 else . end' "$OUT/saga.json")}
	echo "$rate" >"$OUT/soak-rate"
	# RSS (VmRSS, KiB) and the outbox gauge every 10 s while the soak runs.
	(
		echo "unix_seconds,rss_kib,outbox"
		while kill -0 "$BROKER" 2>/dev/null; do
			rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$BROKER/status")
			ob=$(curl -fsS "$INTERNAL/metrics" 2>/dev/null | awk '/^[a-z_]*outbox_backlog[{ ]/ {s += $NF} END {print s + 0}')
			echo "$(date +%s),$rss,$ob"
			sleep 10
		done
	) >"$OUT/soak-samples.csv" &
	SAMPLER=$!
	PIDS+=("$SAMPLER")
	measure soak --target "$API" --token-url "$IDP/token" --regions "$MIS_REGIONS" --rate "$rate" \
		--bookings "$((rate * SOAK_SECONDS))" --concurrency "$((rate * 6 > C ? rate * 6 : C))" --window 10s \
		--citizens 100000 --max-duration "$((SOAK_SECONDS + 120))s" --timeout 60s
	sleep 20 # the outbox drains after the last booking: keep sampling it
	kill "$SAMPLER" 2>/dev/null || true
fi
KIND_NAMES=()
if [[ $KINDS == 1 ]]; then
	for k in fhir soap jsonrpc; do
		codes=""
		for r in "${REGIONS[@]}"; do
			if [[ ${KIND[$r]} == "$k" ]]; then codes+="${codes:+,}$r"; fi
		done
		measure "saga-$k" --target "$API" --token-url "$IDP/token" --regions "$codes" --bookings "$N" --concurrency "$C"
		KIND_NAMES+=("$k")
	done
	measure saga-feed --target "$API" --token-url "$IDP/token" --regions 27 --bookings "$FEED_N" --concurrency "$C"
	KIND_NAMES+=(feed)
fi

row() { # row NAME BROKER_COLUMNS(yes|no)
	local f=$OUT/$1.json done
	done=$(jq .completed "$f")
	local rss=- cpu=-
	if [[ $2 == yes ]]; then rss=${RSS[$1]}; cpu=$(per_k "${CPU[$1]}" "$done"); fi
	printf "%-8s %11.1f %9.1f %9.1f %9s %10s %14s %9d %9d\n" "$1" \
		"$(jq .bookings_per_second "$f")" "$(jq .latency.p50_ms "$f")" "$(jq .latency.p99_ms "$f")" \
		"$rss" "$cpu" "$(per_k "${SIMCPU[$1]}" "$done")" \
		"$(jq '.outcomes.confirmed // 0' "$f")" "$(jq "([.outcomes[]] | add // 0) - (.outcomes.confirmed // 0)" "$f")"
}

echo
echo "Benchmark $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, N=$N C=$C, simulators at ${LATENCY_MS} ms," \
	"$([[ -n ${BENCH_KAFKA_BROKERS:-} ]] && echo "Kafka at $BENCH_KAFKA_BROKERS" || echo "embedded Kafka") +" \
	"$([[ -n ${DATABASE_URL:-} ]] && echo PostgreSQL || echo SQLite)"
printf "%-8s %11s %9s %9s %9s %10s %14s %9s %9s\n" mode bookings/s "p50 ms" "p99 ms" "RSS MiB" "CPU s/1k" "MIS CPU s/1k" confirmed other
[[ $DIRECT == 1 ]] && row direct no
row saga yes
[[ $SOAK_SECONDS -gt 0 ]] && row soak yes
if [[ $DIRECT == 1 ]]; then
	ratio=$(jq -n --slurpfile d "$OUT/direct.json" --slurpfile s "$OUT/saga.json" \
		'if $d[0].bookings_per_second > 0 then ($s[0].bookings_per_second / $d[0].bookings_per_second * 100 * 10 | round / 10) else 0 end')
	echo "saga/direct throughput: ${ratio}%   (RSS: the broker's peak over the run; CPU: the broker's, then the simulators', per 1,000 bookings)"
fi
echo "analytics consumer lag during the saga run: ${LAG_LINE:-not sampled}; ${LAG_END:-?} two seconds after it"

# kind_row LABEL FILE KIND: one kind's figures from a loadgen report.
kind_row() {
	local k=".kinds[\"$3\"]"
	printf "%-8s %-10s %11.1f %9.1f %9.1f %9d %9d\n" "$1" "$(jq -r "$k.regions | join(\",\")" "$2")" \
		"$(jq "$k.bookings_per_second" "$2")" "$(jq "$k.latency.p50_ms" "$2")" "$(jq "$k.latency.p99_ms" "$2")" \
		"$(jq "$k.outcomes.confirmed // 0" "$2")" "$(jq "([$k.outcomes[]] | add // 0) - ($k.outcomes.confirmed // 0)" "$2")"
}
echo
echo "Saga throughput per region kind, each run over its kind's regions only, beside the direct path (FHIR simulators);"
echo "feed: $FEED_N bookings, from request to confirmed by loadgen's operator bot (8 operators, each reading the queue every 50 ms)"
printf "%-8s %-10s %11s %9s %9s %9s %9s\n" kind regions bookings/s "p50 ms" "p99 ms" confirmed other
[[ $DIRECT == 1 ]] && kind_row direct "$OUT/direct.json" fhir
for k in "${KIND_NAMES[@]}"; do kind_row "$k" "$OUT/saga-$k.json" "$k"; done
echo "The mixed saga run above, by kind (bookings/s: the kind's share of the run):"
for k in fhir soap jsonrpc; do
	if jq -e ".kinds[\"$k\"]" "$OUT/saga.json" >/dev/null; then kind_row "$k" "$OUT/saga.json" "$k"; fi
done

if [[ $ISOLATION == 1 ]]; then
	rate=${ISO_RATE:-$(jq '(.bookings_per_second / 2) | floor | if . < 1 then 1 else . end' "$OUT/saga.json")}
	inflight=$(awk -v r="$rate" -v c="$C" 'BEGIN { n = r * 6; if (n < c) n = c; if (n > 8192) n = 8192; printf "%d", n }')
	iso=(--target "$API" --token-url "$IDP/token" --mis "$MIS_ARG" --regions "$MIS_REGIONS" --bookings "$ISO_N" --rate "$rate" --concurrency "$inflight" --timeout "$ISO_TIMEOUT")
	measure iso-healthy "${iso[@]}"
	sleep 5
	measure iso-slow "${iso[@]}" --fault "$FAULTY={\"latency_ms\":3000}"
	sleep 10 # let region $FAULTY's backlog drain before the next run
	measure iso-down "${iso[@]}" --fault "$FAULTY={\"down\":true}"

	healthy=()
	for r in "${REGIONS[@]}"; do [[ $r != "$FAULTY" && ${KIND[$r]} != feed ]] && healthy+=("$r"); done
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
if ((REGIONS_N > 0)); then
	# A second broker over REGIONS_N FHIR regions; the first one goes.
	kill "$BROKER"; wait "$BROKER" 2>/dev/null || true
	mapfile -t SUBJECTS < <(sed -n 's/.*{"\([0-9]*\)", "\([^"]*\)", "\([^"]*\)".*/\1|\2|\3/p' regions/subjects/subjects.go | head -n "$REGIONS_N")
	((${#SUBJECTS[@]} == REGIONS_N)) || { log "regions/subjects has ${#SUBJECTS[@]} subjects, REGIONS_N=$REGIONS_N"; exit 1; }
	MIS85="" SIM_PIDS=()
	declare -A URL85
	i=0
	for s in "${SUBJECTS[@]}"; do
		IFS='|' read -r code name zone <<<"$s"
		port=$((PORT_BASE + 100 + i)) i=$((i + 1))
		"$BIN" missim --kind fhir --region "$code" --timezone "$zone" --listen "127.0.0.1:$port" --seed "$i" --log-level warn >"$OUT/missim85-$code.log" 2>&1 &
		PIDS+=($!) SIM_PIDS+=($!)
		URL85[$code]=http://127.0.0.1:$port
		MIS85+="${MIS85:+,}$code=http://127.0.0.1:$port"
	done
	for code in "${!URL85[@]}"; do
		wait_http "${URL85[$code]}/admin/faults"
		curl -fsS -o /dev/null -X PUT "${URL85[$code]}/admin/faults" -d "{\"latency_ms\":$LATENCY_MS}"
	done
	API=http://127.0.0.1:$((PORT_BASE + 96))
	{
		sed -e "s#^listen: .*#listen: 127.0.0.1:$((PORT_BASE + 96))#" -e "s#^internal_listen: .*#internal_listen: 127.0.0.1:$((PORT_BASE + 97))#" \
			-e "s#^data_dir: .*#data_dir: $TMP/data85#" -e "s#^  embedded_listen: .*#  embedded_listen: 127.0.0.1:$((PORT_BASE + 98))#" \
			-e '/^regions:/,$d' "$TMP/federation.yaml"
		echo "regions:"
		for s in "${SUBJECTS[@]}"; do
			IFS='|' read -r code name zone <<<"$s"
			cat <<EOF
  - code: "$code"
    name: $name
    time_zone: $zone
    kind: fhir
    mis:
      base_url: ${URL85[$code]}
      bearer_token: env:BENCH_MIS_TOKEN
      call_timeout: 5s
      retry: {max_attempts: 2, wait_min: 20ms, wait_max: 200ms, retry_after_cap: 1s}
    breaker:
      consecutive_failures: 5
      open_timeout: 2s
      max_concurrent: 64
EOF
		done
	} >"$TMP/federation85.yaml"
	cp "$TMP/federation85.yaml" "$OUT/"
	mkdir -p "$TMP/data85"
	"$BIN" serve --config "$TMP/federation85.yaml" >"$OUT/serve85.log" 2>&1 &
	BROKER=$!
	PIDS+=("$BROKER")
	wait_http "$API/readyz" "$BROKER" || { tail -20 "$OUT/serve85.log" >&2; exit 1; }
	log "broker over $REGIONS_N regions ready at $API (pid $BROKER)"
	measure saga85 --target "$API" --token-url "$IDP/token" --bookings "$N" --concurrency "$C"
	echo
	echo "Saga over $REGIONS_N FHIR regions beside the 5 regions of the mixed run above (same N=$N, C=$C, same run)"
	printf "%-8s %11s %9s %9s %9s %10s %14s %9s %9s\n" mode bookings/s "p50 ms" "p99 ms" "RSS MiB" "CPU s/1k" "MIS CPU s/1k" confirmed other
	row saga yes
	row saga85 yes
	echo "$REGIONS_N regions / 5 regions throughput: $(jq -n --slurpfile a "$OUT/saga85.json" --slurpfile b "$OUT/saga.json" \
		'if $b[0].bookings_per_second > 0 then ($a[0].bookings_per_second / $b[0].bookings_per_second * 100 | round) else 0 end')%"
	if [[ $ISOLATION == 1 ]]; then
		rate=${ISO_RATE:-$(jq '(.bookings_per_second / 2) | floor | if . < 1 then 1 else . end' "$OUT/saga85.json")}
		inflight=$(awk -v r="$rate" -v c="$C" 'BEGIN { n = r * 6; if (n < c) n = c; if (n > 8192) n = 8192; printf "%d", n }')
		faulty=${SUBJECTS[0]%%|*}
		iso=(--target "$API" --token-url "$IDP/token" --mis "$MIS85" --bookings "$ISO85_N" --rate "$rate" --concurrency "$inflight" --timeout "$ISO_TIMEOUT")
		# The healthy run marks the faulty region too, at its usual latency,
		# so that every scenario compares the same other regions.
		measure iso85-healthy "${iso[@]}" --fault "$faulty={\"latency_ms\":$LATENCY_MS}"
		sleep 5
		measure iso85-slow "${iso[@]}" --fault "$faulty={\"latency_ms\":3000}"
		sleep 10 # let the slow region's backlog drain before the next run
		measure iso85-down "${iso[@]}" --fault "$faulty={\"down\":true}"
		sleep 5
		measure iso85-errors "${iso[@]}" --fault "$faulty={\"latency_ms\":$LATENCY_MS,\"error_rate\":0.2}"
		echo
		echo "Isolation over $REGIONS_N regions: $ISO85_N bookings per scenario at $rate/s (at most $inflight in flight), region $faulty faulty;"
		echo "the other $((REGIONS_N - 1)) regions' latency, all their bookings together (N: theirs)"
		printf "%-22s %8s %9s %9s %11s   %s\n" scenario N "p50 ms" "p99 ms" "vs healthy" "region $faulty outcomes"
		base=$(jq .unfaulted_latency.p99_ms "$OUT/iso85-healthy.json")
		for sc in healthy slow down errors; do
			f=$OUT/iso85-$sc.json
			case $sc in healthy) label="all healthy" ;; slow) label="$faulty at 3000 ms" ;; down) label="$faulty down" ;; errors) label="$faulty failing 20%" ;; esac
			p99=$(jq .unfaulted_latency.p99_ms "$f")
			n=$(jq "[.regions | to_entries[] | select(.key != \"$faulty\") | .value.outcomes[]] | add // 0" "$f")
			printf "%-22s %8d %9.1f %9.1f %10s%%   %s\n" "$label" "$n" "$(jq .unfaulted_latency.p50_ms "$f")" "$p99" \
				"$(jq -n "if $base > 0 then (($p99 / $base - 1) * 100 | round) else 0 end")" \
				"$(jq -r ".regions[\"$faulty\"].outcomes // {} | to_entries | map(\"\(.key) \(.value)\") | join(\", \")" "$f")"
		done
		echo "(within 20% of the all-healthy p99 is the bar)"
	fi
fi
[[ $OUT == "$TMP/out" ]] || log "reports and logs kept in $OUT"
