#!/usr/bin/env bash
# Benchmark: the cycle dashboard (`/manage/cycles/<id>`) under load, against
# the anonymous home page, at 1,000 and 10,000 applications. For each size
# it seeds a fresh SQLite database with `fellowship-portal seed-demo` (50
# reviewers), serves it with the release build, logs in as the demo manager
# and runs wrk (2 threads, 16 connections, 10 s) on the home page and on
# the dashboard, the sizes' servers one after the other. Prints requests
# per second, the dashboard's rate at 10,000 against its rate at 1,000, and
# against the home page's. Not a test: run it by hand on a quiet machine.
#
#   bench/dashboard.sh
#   SIZES="1000 10000" DURATION=10s CONNECTIONS=16 bench/dashboard.sh
#   BENCH_DATA=/path bench/dashboard.sh   # reuse data folders <path>/d<size>
#                                         # (seeded before; their seed.txt read)
#
# Needs: curl, wrk, python3 (a free port); builds the release binary
# (CARGO_TARGET_DIR is honoured).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/release/fellowship-portal"
work="${BENCH_DATA:-$target/bench-dashboard}"
mkdir -p "$work"
pids=()
trap 'for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done' EXIT

cargo build --release --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }
rate() { wrk -t2 -c"$connections" -d"$duration" "$@" | awk '/Requests\/sec/ {print $2}'; }

declare -A home dash
for n in "${sizes[@]}"; do
  data="$work/d$n"
  if [ ! -f "$data/seed.txt" ]; then
    rm -rf "$data"; mkdir -p "$data"
    PORTAL_DATA_DIR="$data" "$bin" seed-demo --applications "$n" --reviewers 50 >"$data/seed.txt"
  fi
  password=$(sed -n 's/^Password: //p' "$data/seed.txt")
  cycle=$(grep -o '(cycle [0-9]*)' "$data/seed.txt" | grep -o '[0-9]*')
  port=$(free_port)
  PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false PORTAL_LOG_LEVEL=warn \
    "$bin" >"$data/portal.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_port "$port"
  url="http://127.0.0.1:$port" jar="$data/cookies" page="$data/page.html"
  curl -s -c "$jar" -b "$jar" "$url/account/login" -o "$page"
  curl -s -c "$jar" -b "$jar" -o /dev/null "$url/account/login" \
    --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=manager@demo.example" \
    --data-urlencode "password=$password" --data-urlencode "next=/"
  cookie=$(awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "} /^#HttpOnly_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")
  code=$(curl -s -H "Cookie: $cookie" -o "$page" -w '%{http_code}' "$url/manage/cycles/$cycle")
  [ "$code" = 200 ] && grep -q "Needs your attention" "$page" ||
    { echo "$n: the dashboard answered $code" >&2; tail -n 20 "$data/portal.log" >&2; exit 1; }
  home[$n]=$(rate "$url/")
  dash[$n]=$(rate -H "Cookie: $cookie" "$url/manage/cycles/$cycle")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

first=${sizes[0]} last=${sizes[-1]}
echo
echo "SQLite ($(uname -m), $(nproc) cores, release build; wrk -t2 -c$connections -d$duration; requests/s)"
echo "| page | $(printf '%s apps | ' "${sizes[@]}")"
echo "|---|$(printf -- '---:|%.0s' "${sizes[@]}")"
echo "| / (home, anonymous) | $(for n in "${sizes[@]}"; do printf '%s | ' "${home[$n]}"; done)"
echo "| cycle dashboard | $(for n in "${sizes[@]}"; do printf '%s | ' "${dash[$n]}"; done)"
awk -v a="${dash[$first]}" -v b="${dash[$last]}" -v h="${home[$last]}" -v f="$first" -v l="$last" \
  'BEGIN { printf "dashboard at %s / at %s: %.2f; dashboard / home at %s: 1/%.1f\n", l, f, b / a, l, h / b }'
