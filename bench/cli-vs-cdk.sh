#!/usr/bin/env bash
# Times ddnsgen against AWS CDK synth of the same stack (240 devices, one
# zone, A and AAAA), side by side: each run is one ddnsgen process writing
# the YAML template, then one `node app.js` synthesizing the CDK app in
# bench/cdk (same resources, same mapping templates, validator off). Prints
# the medians of wall time and of CPU time (user + system) and their ratios.
#
#   bench/cli-vs-cdk.sh [RUNS]        (default 21; needs go, node and npm)
#
# DDNSGEN=path/to/ddnsgen times that binary instead of one built from here
# (to compare with an older build).
#
# The CDK app's packages are installed into bench/cdk/node_modules on the
# first run (npm install; not committed).
set -euo pipefail
runs=${1:-21}
devices=240
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${DDNSGEN:-}" ]; then
	cp "$DDNSGEN" "$work/ddnsgen"
else
	go build -o "$work/ddnsgen" "$root/cmd/ddnsgen"
fi
{
	echo "zones:"
	echo "  - {name: example.com, id: Z0123456789ABCDEFGHIJ}"
	echo "records:"
	for i in $(seq -w 1 "$devices"); do echo "  - {name: device$i.example.com, types: [A, AAAA]}"; done
	echo "devices:"
	for i in $(seq -w 1 "$devices"); do echo "  - {name: device$i, records: [device$i.example.com]}"; done
} >"$work/devices.yaml"
# The CDK app reads the mapping templates, the policy and the keys from this.
"$work/ddnsgen" -config "$work/devices.yaml" -format json -o "$work/ddns.json" 2>/dev/null
if [ ! -d "$root/bench/cdk/node_modules/aws-cdk-lib" ]; then
	(cd "$root/bench/cdk" && npm install --no-audit --no-fund --loglevel=error)
fi
node "$root/bench/cdk/app.js" "$work/ddns.json" "$work/cdk.out" # warm the file cache
echo "ddnsgen $(go version | cut -d' ' -f3), node $(node --version), aws-cdk-lib $(node -p "require('$root/bench/cdk/node_modules/aws-cdk-lib/package.json').version"); $devices devices, $runs runs each, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

TIMEFORMAT='%3R %3U %3S'
for _ in $(seq "$runs"); do
	{ time "$work/ddnsgen" -config "$work/devices.yaml" -o "$work/ddns.yaml" 2>/dev/null; } 2>>"$work/ddnsgen.times"
	rm -rf "$work/cdk.out"
	{ time node "$root/bench/cdk/app.js" "$work/ddns.json" "$work/cdk.out" >/dev/null; } 2>>"$work/cdk.times"
done

# median FILE COLUMN-EXPRESSION: the median of an awk expression over the lines, in ms.
median() {
	awk "{ print ($2) * 1000 }" "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
gw=$(median "$work/ddnsgen.times" '$1'); gc=$(median "$work/ddnsgen.times" '$2 + $3')
cw=$(median "$work/cdk.times" '$1'); cc=$(median "$work/cdk.times" '$2 + $3')
printf '%-10s %10s %10s\n' "" "wall ms" "CPU ms"
printf '%-10s %10s %10s\n' ddnsgen "$gw" "$gc" "cdk synth" "$cw" "$cc"
awk -v gw="$gw" -v gc="$gc" -v cw="$cw" -v cc="$cc" 'BEGIN { printf "%-10s %9.1fx %9.1fx\n", "CDK/ddnsgen", cw / (gw ? gw : 1), cc / (gc ? gc : 1) }'
