#!/usr/bin/env bash
# Runs sa on the embedded default: writes a home (once), starts `sa serve`,
# sends the sample CloudTrail logs, and shows the alerts the sample rules
# delivered to the sample output. With DEMO_EXIT=1 it stops there (CI);
# otherwise sa keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

SA=bin/sa
HOME_DIR=${SA_DEMO_HOME:-build/demo-home}
PLUGINS=$PWD/build/plugins

if [ ! -f "$HOME_DIR/sa.yaml" ]; then
	$SA init "$HOME_DIR" --plugin-dir "$PLUGINS"
fi
if [ -n "${SA_DEMO_LISTEN:-}" ]; then
	sed -i "s/^listen: .*/listen: $SA_DEMO_LISTEN/" "$HOME_DIR/sa.yaml"
fi
ALERTS="$HOME_DIR/alerts.jsonl"
before=0
[ -f "$ALERTS" ] && before=$(wc -l <"$ALERTS")

rm -f "$HOME_DIR/serve.addr"
$SA --home "$HOME_DIR" serve &
SERVE=$!
trap 'kill -TERM $SERVE 2>/dev/null; wait $SERVE 2>/dev/null || true' EXIT

# sa serve writes the address it listens on to serve.addr.
addr=""
for _ in $(seq 150); do
	kill -0 $SERVE 2>/dev/null || { echo "sa serve exited" >&2; exit 1; }
	[ -s "$HOME_DIR/serve.addr" ] && addr=$(cat "$HOME_DIR/serve.addr") &&
		curl -sf "http://$addr/healthz" >/dev/null 2>&1 && break
	sleep 0.2
done
[ -n "$addr" ] || { echo "sa serve did not start" >&2; exit 1; }

echo "==> sending the sample CloudTrail logs"
$SA --home "$HOME_DIR" ingest --source sample "$HOME_DIR/samples/cloudtrail.jsonl"

echo "==> waiting for alerts in $ALERTS"
for _ in $(seq 150); do
	now=0
	[ -f "$ALERTS" ] && now=$(wc -l <"$ALERTS")
	[ "$now" -gt "$before" ] && break
	sleep 0.2
done
sleep 1
if [ ! -f "$ALERTS" ] || [ "$(wc -l <"$ALERTS")" -le "$before" ]; then
	echo "no alert reached the sample output" >&2
	$SA --home "$HOME_DIR" alerts list >&2 || true
	exit 1
fi
echo "==> alerts delivered to the sample output (file:sample):"
tail -n +$((before + 1)) "$ALERTS" | sed -E 's/.*"rule_name":"([^"]*)".*"rule_description":"([^"]*)".*/  \1: \2/' 
echo
$SA --home "$HOME_DIR" alerts list --limit 10

if [ "${DEMO_EXIT:-0}" = 1 ]; then
	exit 0
fi
echo
echo "sa is serving on http://$addr (ingest: POST /v1/ingest/sample; /metrics; /healthz). Ctrl-C stops it."
wait $SERVE
