#!/usr/bin/env bash
# Benchmark: the reviewer's desk under load. For each size it seeds a fresh
# SQLite database with `fellowship-portal seed-demo`, serves it, logs in as
# reviewer1@demo.example and runs `wrk -t2 -c16 -d10s` on the desk's two
# lists and on the anonymous home page (the yardstick: every staff page
# should serve at least a tenth of its rate). Prints requests per second
# per page and size, and the ratio of the largest size to the smallest.
# Not a test: run it by hand on a quiet machine.
#
#   bench/desk.sh                        # 1000 and 10000 applications
#   SIZES="1000 10000 50000" bench/desk.sh
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/desk.sh
#   BENCH_BIN=path/to/fellowship-portal bench/desk.sh   # a binary already built
#
# Needs: curl, wrk, python3 (a free port), psql for PostgreSQL; builds the
# release binary (in CARGO_TARGET_DIR when set).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${BENCH_BIN:-$target/release/fellowship-portal}"
work="${BENCH_WORK:-$target/bench-desk}"
rm -rf "$work"
mkdir -p "$work"
pids=()
databases=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for d in "${databases[@]:-}"; do
    [ -n "$d" ] && psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

[ -n "${BENCH_BIN:-}" ] || cargo build --release --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }
rate() { # url [cookie]
  local args=(-t2 -c16 -d10s)
  [ -n "${2:-}" ] && args+=(-H "Cookie: $2")
  wrk "${args[@]}" "$1" | awk '/Requests\/sec/ {printf "%.0f", $2} /Non-2xx/ {bad=1} END {if (bad) printf " (non-2xx!)"}'
}

declare -A rps
pages=('home (anonymous)|/' 'desk: to review|/review' 'desk: to review, page 2|/review?page=2' 'desk: submitted|/review/done')

backends=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do
    data="$work/$backend-$n" port=$(free_port)
    mkdir -p "$data"
    env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false ROCKET_LOG_LEVEL=off)
    if [ "$backend" = postgres ]; then
      db="portal_desk_$n" base="${BENCH_DATABASE_URL%%\?*}"
      psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
      databases+=("$db")
      env+=(DATABASE_URL="${base%/*}/$db")
    fi
    seeded=$(env "${env[@]}" "$bin" seed-demo --applications "$n")
    [ "$backend" = postgres ] && psql -q "${base%/*}/$db" -c "VACUUM ANALYZE" >/dev/null
    password=$(sed -n 's/^Password: //p' <<<"$seeded")
    env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
    pid=$!; pids+=("$pid")
    wait_port "$port"
    url="http://127.0.0.1:$port" jar="$data/cookies" page="$data/page.html"
    curl -s -c "$jar" -b "$jar" "$url/account/login" -o "$page"
    curl -s -c "$jar" -b "$jar" -o /dev/null "$url/account/login" \
      --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=reviewer1@demo.example" \
      --data-urlencode "password=$password" --data-urlencode "next=/"
    cookie=$(awk '!/^#/ || /^#HttpOnly_/ {sub(/^#HttpOnly_/, ""); if (NF >= 7) printf "%s%s=%s", (c++ ? "; " : ""), $6, $7}' "$jar")
    curl -s -H "Cookie: $cookie" "$url/review" -o "$page"
    grep -o '[0-9]* of [0-9]* reviewed' "$page" | head -n 1 | sed "s/^/$backend $n: reviewer1 has /" >&2
    for entry in "${pages[@]}"; do
      label=${entry%%|*} path=${entry#*|}
      if [ "$path" = / ]; then rps["$backend|$n|$label"]=$(rate "$url$path"); else rps["$backend|$n|$label"]=$(rate "$url$path" "$cookie"); fi
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

first=${sizes[0]} last=${sizes[-1]}
for backend in "${backends[@]}"; do
  echo
  echo "$backend ($(nproc) cores, $(basename "$(dirname "$bin")") build, wrk -t2 -c16 -d10s, requests per second)"
  header="| page |" rule="|---|"
  for n in "${sizes[@]}"; do header+=" $n |"; rule+="---:|"; done
  echo "$header $last / $first | share of home at $last |"
  echo "$rule---:|---:|"
  for entry in "${pages[@]}"; do
    label=${entry%%|*} row="| $label |"
    for n in "${sizes[@]}"; do row+=" ${rps["$backend|$n|$label"]} |"; done
    row+=" $(awk -v a="${rps["$backend|$first|$label"]%% *}" -v b="${rps["$backend|$last|$label"]%% *}" 'BEGIN { printf "%.2f", b / a }') |"
    row+=" $(awk -v a="${rps["$backend|$last|home (anonymous)"]%% *}" -v b="${rps["$backend|$last|$label"]%% *}" 'BEGIN { printf "1/%.1f", a / b }') |"
    echo "$row"
  done
done
