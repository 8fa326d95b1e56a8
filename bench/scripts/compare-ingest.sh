#!/usr/bin/env bash
# Compares POST /api/events throughput of an earlier commit and the working tree, alternated
# round by round on one database, so that a shared machine's noise falls on both alike.
#   bench/scripts/compare-ingest.sh <commit> [rounds=3] [seconds=8]
# Needs BENCH_DATABASE_URL (a server whose user may create databases).
set -euo pipefail
base=${1:?usage: compare-ingest.sh <commit> [rounds] [seconds]}
rounds=${2:-3}
seconds=${3:-8}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$here" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add --detach "$work/base" "$base" >/dev/null
(cd "$work/base" && npm ci --no-audit --no-fund >/dev/null && npx tsc -p tsconfig.build.json)
(cd "$here" && npx tsc -p tsconfig.build.json)
admin=${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL}
name="ff_compare_$$"
psql "$admin" -qc "create database $name"
url="${admin%/*}/$name"
(cd "$here" && node_modules/node/bin/node --input-type=module -e "
  const { MikroORM } = await import('@mikro-orm/postgresql');
  const { migrateUp } = await import('./dist/src/database/migration-runner.js');
  const { ormConfig } = await import('./dist/src/database/orm.config.js');
  const orm = await MikroORM.init(ormConfig('$url'));
  await migrateUp(orm);
  await orm.close();")
body=$("$here/node_modules/node/bin/node" -e "process.stdout.write(JSON.stringify({eventType:'CustomerNoted',aggregateId:4242,aggregateType:'Customer',eventSource:'Api',eventData:{customerId:4242,note:'Called back about the onboarding documents; all received.',context:{region:'EU',channel:'phone',notes:'x'.repeat(600)}},eventTags:['crm','callback'],eventDescription:'Customer called back'}))")
for round in $(seq 1 "$rounds"); do
  for side in base head; do
    dir=$([ "$side" = base ] && echo "$work/base" || echo "$here")
    port=$((20000 + RANDOM % 20000))
    (cd "$dir" && PORT=$port HOST=127.0.0.1 LOG_LEVEL=warn DATABASE_URL=$url \
      node_modules/node/bin/node --max-old-space-size=256 dist/src/main.js) >>"$work/$side.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
    "$here/node_modules/.bin/autocannon" -c 64 -d "$seconds" -m POST -H content-type=application/json \
      -H x-tenant-id=bench -b "$body" --json "http://127.0.0.1:$port/api/events" 2>/dev/null |
      node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);console.log('round $round $side', Math.round(r['2xx']/r.duration), 'events/s', r.non2xx, 'non-2xx')})"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  done
done
psql "$admin" -qc "drop database $name with (force)"
