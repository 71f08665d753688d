#!/bin/sh
# Re-captures deploy/grafana/metrics-sample.txt from a running demo: bookings
# in all five regions, a cancellation, and region 54 taken down and back so
# its breaker opens, half-opens and closes. Run from the repository root;
# needs curl and sed.
set -e
tmp=$(mktemp -d)
go build -o "$tmp/federation" ./cmd/federation
"$tmp/federation" demo --listen 127.0.0.1:18099 --log-format json >"$tmp/banner" 2>"$tmp/log" &
pid=$!
trap 'kill $pid; rm -rf "$tmp"' EXIT
sleep 2
API=http://127.0.0.1:18099/api/v1
TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' $API/dev/token -d '{"citizen_id":"ivan"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
auth="Authorization: Bearer $TOKEN"
for r in 77 78 16 54 25; do
  slot=$(curl -s -H "$auth" "$API/slots?region=$r&limit=1" | sed 's/.*"slots":\[{"id":"\([^"]*\)".*/\1/')
  curl -s -X POST -H "$auth" -H "Idempotency-Key: capture-$r" $API/bookings -H 'Content-Type: application/json' -d "{\"slot_id\":\"$slot\"}" >"$tmp/booking-$r"
done
id=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$tmp/booking-77")
curl -s -H "$auth" "$API/bookings/$id?wait=5s" >/dev/null
curl -s -X POST -H "$auth" -H "Idempotency-Key: capture-cancel" "$API/bookings/$id/cancel" >/dev/null
mis54=$(grep '^    54 ' "$tmp/banner" | awk '{print $(NF-2)}')
curl -s -X PUT "$mis54/admin/faults" -d '{"down":true}' >/dev/null
for i in 1 2 3 4 5 6 7; do curl -s -H "$auth" "$API/slots?region=54&limit=1" >/dev/null; done
sleep 2.5 # the demo's breaker open timeout is 2 s
curl -s -X PUT "$mis54/admin/faults" -d '{"down":false}' >/dev/null
for i in 1 2 3; do curl -s -H "$auth" "$API/slots?region=54&limit=1" >/dev/null; done
curl -s -H "$auth" "$API/bookings/no-such-booking" >/dev/null
sleep 1
sleep 60 # the demo's first live conformance probes run within its first minute
# /metrics is on the demo's internal listener, whose URL the banner prints.
metrics=$(sed -n 's/^  Metrics *\(http[^ ]*\)$/\1/p' "$tmp/banner")
{ sed -n 1,4p deploy/grafana/metrics-sample.txt; curl -s "$metrics"; } >"$tmp/sample"
mv "$tmp/sample" deploy/grafana/metrics-sample.txt
echo "captured deploy/grafana/metrics-sample.txt: $(grep -c '^# TYPE' deploy/grafana/metrics-sample.txt) metric families"
