#!/usr/bin/env bash
# Benchmark under load: requests per second (wrk, 2 threads, 16
# connections, 10 s) of the ranking, the ranking sorted by spread, one
# application as manager, and the anonymous home page, on databases seeded
# by `seed-demo --applications N` for each size. SQLite by default; with
# BENCH_DATABASE_URL the same on PostgreSQL (a database per size, created,
# analysed, dropped). Not a test: run it by hand on a quiet machine.
#
#   bench/scores-wrk.sh
#   SIZES="1000 10000" BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/scores-wrk.sh
#   BIN=/path/to/release/fellowship-portal bench/scores-wrk.sh   # a binary built elsewhere
#
# Needs: wrk, curl, python3, psql for PostgreSQL.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
bin="${BIN:-$root/target/release/fellowship-portal}"
[ -n "${BIN:-}" ] || cargo build --release --quiet
work="${BENCH_WORK:-$root/target/bench-scores}"
rm -rf "$work"; mkdir -p "$work"
duration="${DURATION:-10s}"
pids=()
trap 'for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }
rate() { wrk -t2 -c16 -d"$duration" "$@" | awk '/Requests\/sec/ {print $2}'; }

backends=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)
echo "| backend | applications | seeded (s) | home | ranking | ranking by spread | one application |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do
    data="$work/$backend-$n"; mkdir -p "$data"; port=$(free_port)
    env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false)
    if [ "$backend" = postgres ]; then
      db="portal_scores_$n"; base="${BENCH_DATABASE_URL%%\?*}"
      psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
      env+=(DATABASE_URL="${base%/*}/$db")
    fi
    t0=$(date +%s.%N)
    seeded=$(env "${env[@]}" "$bin" seed-demo --applications "$n")
    t1=$(date +%s.%N)
    [ "$backend" = postgres ] && psql -q "${base%/*}/$db" -c "VACUUM ANALYZE" >/dev/null
    password=$(sed -n 's/^Password: //p' <<<"$seeded")
    cycle=$(grep -o '(cycle [0-9]*)' <<<"$seeded" | grep -o '[0-9]*')
    env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
    pid=$!; pids+=("$pid")
    wait_port "$port"
    url="http://127.0.0.1:$port"; jar="$data/cookies"; page="$data/page.html"
    curl -s -c "$jar" -b "$jar" "$url/account/login" -o "$page"
    curl -s -c "$jar" -b "$jar" -o /dev/null "$url/account/login" \
      --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=manager@demo.example" \
      --data-urlencode "password=$password" --data-urlencode "next=/"
    cookie=$(awk '$6 == "portal_session" {print "portal_session=" $7}' "$jar")
    curl -s -b "$jar" "$url/manage/cycles/$cycle/ranking" -o "$page"
    app=$(grep -o '/manage/applications/[0-9]*' "$page" | head -n 1 | grep -o '[0-9]*$')
    for path in "/manage/cycles/$cycle/ranking" "/manage/cycles/$cycle/ranking?sort=spread" "/manage/applications/$app"; do
      code=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$url$path")
      [ "$code" = 200 ] || { echo "$backend $n: $path answered $code" >&2; exit 1; }
    done
    home=$(rate "$url/")
    ranking=$(rate -H "Cookie: $cookie" "$url/manage/cycles/$cycle/ranking")
    spread=$(rate -H "Cookie: $cookie" "$url/manage/cycles/$cycle/ranking?sort=spread")
    one=$(rate -H "Cookie: $cookie" "$url/manage/applications/$app")
    printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "$backend" "$n" "$(echo "$t1 - $t0" | bc)" "$home" "$ranking" "$spread" "$one"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    [ "$backend" = postgres ] && [ -z "${BENCH_KEEP:-}" ] && psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
  done
done
