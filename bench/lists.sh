#!/usr/bin/env bash
# Benchmark: the applications list under load. For each size it seeds a
# fresh database with `fellowship-portal seed-demo`, serves it (release
# build), logs in as the demo manager and loads each page with
# `wrk -t2 -c16 -d10s` (sessions carried in the Cookie header), one page
# after another; prints requests per second per page and size, with the
# anonymous home page for scale. Not a test: run it by hand.
#
#   bench/lists.sh                                  # SQLite, 1000 and 10000 applications
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/lists.sh
#                                                   # PostgreSQL too
#   SIZES="1000" DURATION=5s bench/lists.sh
#   BENCH_BIN=target/debug/fellowship-portal bench/lists.sh   # another build, unbuilt
#
# Needs: wrk, curl, python3 (a free port), psql for PostgreSQL.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
duration=${DURATION:-10s}
target=${CARGO_TARGET_DIR:-$root/target}
bin="${BENCH_BIN:-$target/release/fellowship-portal}"
work="$target/bench-lists"
rm -rf "$work"
mkdir -p "$work"
server=""
database=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$database" ] && psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ -n "${BENCH_BIN:-}" ] || cargo build --release --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }
cookie_of() { sed 's/^#HttpOnly_//' "$1" | awk '!/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }'; }

pages=(
  'home page (anonymous)|/'
  'applications list|/manage/cycles/$C/applications'
  'search q=Okafor|/manage/cycles/$C/applications?q=Okafor'
  'search q=Oka (part of a name)|/manage/cycles/$C/applications?q=Oka'
  'page 50|/manage/cycles/$C/applications?page=50'
)

declare -A rps
backends=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do
    data="$work/$backend-$n"; port=$(free_port); mkdir -p "$data"
    env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false ROCKET_LOG_LEVEL=critical)
    if [ "$backend" = postgres ]; then
      database="portal_bench_lists_$n"; base="${BENCH_DATABASE_URL%%\?*}"
      psql -q "$BENCH_DATABASE_URL" -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database" >/dev/null
      env+=(DATABASE_URL="${base%/*}/$database")
    fi
    seeded=$(env "${env[@]}" "$bin" seed-demo --applications "$n")
    [ "$backend" = postgres ] && psql -q "${base%/*}/$database" -c "VACUUM ANALYZE" >/dev/null
    password=$(sed -n 's/^Password: //p' <<<"$seeded")
    cycle=$(grep -o '(cycle [0-9]*)' <<<"$seeded" | grep -o '[0-9]*')
    env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
    server=$!
    wait_port "$port"
    url="http://127.0.0.1:$port" jar="$data/cookies" page="$data/page.html"
    curl -s -c "$jar" -b "$jar" "$url/account/login" -o "$page"
    curl -s -c "$jar" -b "$jar" -o /dev/null "$url/account/login" \
      --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=manager@demo.example" \
      --data-urlencode "password=$password" --data-urlencode "next=/"
    cookie=$(cookie_of "$jar")
    for entry in "${pages[@]}"; do
      label=${entry%%|*}; path=${entry#*|}; path=${path//\$C/$cycle}
      code=$(curl -s -H "Cookie: $cookie" -o /dev/null -w '%{http_code}' "$url$path")
      [ "$code" = 200 ] || { echo "$backend $n: $path answered $code" >&2; exit 1; }
      out=$(wrk -t2 -c16 -d"$duration" -H "Cookie: $cookie" "$url$path")
      rps["$backend|$n|$label"]=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
      if grep -q "Non-2xx" <<<"$out"; then rps["$backend|$n|$label"]+=" (non-2xx!)"; fi
      echo "$backend $n $label: ${rps["$backend|$n|$label"]} req/s" >&2
    done
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    if [ "$backend" = postgres ]; then
      psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE $database WITH (FORCE)" >/dev/null; database=""
    fi
  done
done

for backend in "${backends[@]}"; do
  header="| page |" rule="|---|"
  for n in "${sizes[@]}"; do header+=" $n |"; rule+="---:|"; done
  echo
  echo "$backend: requests per second ($(nproc) cores, $(basename "$(dirname "$bin")") build, wrk -t2 -c16 -d$duration)"
  echo "$header"
  echo "$rule"
  for entry in "${pages[@]}"; do
    label=${entry%%|*} row="| ${entry%%|*} |"
    for n in "${sizes[@]}"; do row+=" ${rps["$backend|$n|$label"]} |"; done
    echo "$row"
  done
done
