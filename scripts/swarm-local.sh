#!/usr/bin/env bash
# A local swarm: K shard processes of one campaign at once, then their merge.
#   scripts/swarm-local.sh CAMPAIGN K OUTDIR [fuzz options...]
# e.g. the design page's larger configuration, 2 shards, 10 minutes at most:
#   scripts/swarm-local.sh fuzz-noVersionBump 2 out/swarm --runs 10000000 --time-limit 570 \
#     --set N=3 --set C=2 --set W=1 --set L=2 --set S=1 \
#     --set MaxCrashes=1 --set MaxLoss=1 --set MaxRetries=1 --set MaxGrants=2
# Runs the sources through tsx (no build needed); exits with the merge's code.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: scripts/swarm-local.sh CAMPAIGN K OUTDIR [fuzz options...]" >&2
  exit 2
fi
campaign=$1 k=$2 out=$3
shift 3
cd "$(dirname "$0")/.."
mkdir -p "$out"
rm -f "$out"/shard-*.json
pids=()
for ((i = 0; i < k; i++)); do
  nice -n 10 node --import tsx specs/cli.ts fuzz "$campaign" "$@" --shard "$i/$k" --out "$out/shard-$i.json" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
node --import tsx specs/cli.ts merge "$out"/shard-*.json --out "$out/merged.json" --trace "$out/trace.json"
