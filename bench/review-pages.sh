#!/usr/bin/env bash
# Benchmark: how the program manager's review pages grow with the number of
# applications. For each size it seeds a fresh database with
# `fellowship-portal seed-demo`, serves it, logs in as the demo manager and
# times each page (curl's time_total, the median of 7 requests after 2
# warm-ups; requests alternate between the sizes' servers, so that other
# work on the machine weighs on both alike), then reads each server's peak
# resident memory (VmHWM). On PostgreSQL each database is analysed after
# seeding (VACUUM ANALYZE), as autovacuum would have done. Prints
# one table per database: page, time at each size, and the ratio of the
# largest to the smallest. Not a test: run it by hand on a quiet machine.
#
#   bench/review-pages.sh                           # SQLite, 1000 and 10000 applications
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/review-pages.sh
#                                                   # the same on PostgreSQL too (a database
#                                                   # is created and dropped for each size)
#   SIZES="1000 10000 50000" bench/review-pages.sh  # other sizes
#   BENCH_KEEP=1 bench/review-pages.sh              # keep the data folders and databases
#                                                   # (for EXPLAIN), under target/bench-review
#
# Needs: curl, python3 (a free port), psql for PostgreSQL; builds the
# release binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
runs=7
warmups=2
bin="$root/target/release/fellowship-portal"
work="$root/target/bench-review"
rm -rf "$work"
mkdir -p "$work"
pids=()
databases=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -z "${BENCH_KEEP:-}" ]; then
    for d in "${databases[@]:-}"; do
      [ -n "$d" ] && psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
}
trap cleanup EXIT

cargo build --release --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }

# The pages, as "label|path" ($C is the cycle, $A one application).
pages=(
  'cycle page|/manage/cycles/$C'
  'applications (default)|/manage/cycles/$C/applications'
  'applications, page 50|/manage/cycles/$C/applications?page=50'
  'applications, flag=disagreement|/manage/cycles/$C/applications?flag=disagreement'
  'applications, q=<a name>|/manage/cycles/$C/applications?q=Okafor'
  'applications, review + in progress|/manage/cycles/$C/applications?stage=review&progress=in_progress'
  'ranking (normalised)|/manage/cycles/$C/ranking'
  'ranking, sort=spread|/manage/cycles/$C/ranking?sort=spread'
  'one application|/manage/applications/$A'
  'reviewer progress|/manage/cycles/$C/reviewers'
)

declare -A ms      # "backend|size|label" -> median milliseconds
declare -A notes   # "backend|size" -> seeding time and peak memory
declare -A url jar pid cycle app db_of   # per size, for the backend being measured

# Seeds a fresh database with `size` applications, serves it, logs in as
# the demo manager and picks an application.
start() { # backend size
  local backend=$1 n=$2 data="$work/$1-$2" port; port=$(free_port)
  mkdir -p "$data"
  local env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false)
  if [ "$backend" = postgres ]; then
    local db="portal_bench_$n" base="${BENCH_DATABASE_URL%%\?*}" query=""
    [ "$base" != "$BENCH_DATABASE_URL" ] && query="?${BENCH_DATABASE_URL#*\?}"
    psql -q "$BENCH_DATABASE_URL" -c "SET client_min_messages = warning" \
      -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    databases+=("$db")
    db_of[$n]=$db
    env+=(DATABASE_URL="${base%/*}/$db$query")
  fi

  local seeded t0 t1
  t0=$(date +%s.%N)
  seeded=$(env "${env[@]}" "$bin" seed-demo --applications "$n")
  t1=$(date +%s.%N)
  echo "$seeded" >"$data/seed.txt"
  # What autovacuum would have done by the time anyone looks (it may be off,
  # as on a test machine). SQLite keeps no statistics unless asked, and the
  # portal never asks, so it is measured as it runs.
  if [ "$backend" = postgres ]; then psql -q "${base%/*}/$db$query" -c "VACUUM ANALYZE" >/dev/null; fi
  local password
  password=$(sed -n 's/^Password: //p' <<<"$seeded")
  cycle[$n]=$(grep -o '(cycle [0-9]*)' <<<"$seeded" | grep -o '[0-9]*')
  notes["$backend|$n"]=$(awk -v s="$t0" -v e="$t1" 'BEGIN { printf "seeded in %.1f s", e - s }')

  env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
  pid[$n]=$!; pids+=("${pid[$n]}")
  wait_port "$port"
  url[$n]="http://127.0.0.1:$port" jar[$n]="$data/cookies"
  local page="$data/page.html"

  # Log in as the demo manager: the CSRF token must be the first field.
  curl -s -c "${jar[$n]}" -b "${jar[$n]}" "${url[$n]}/account/login" -o "$page"
  curl -s -c "${jar[$n]}" -b "${jar[$n]}" -o /dev/null "${url[$n]}/account/login" \
    --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=manager@demo.example" \
    --data-urlencode "password=$password" --data-urlencode "next=/"
  [ "$(curl -s -b "${jar[$n]}" -o /dev/null -w '%{http_code}' "${url[$n]}/manage/")" = 200 ] ||
    { echo "$backend $n: the demo manager could not log in" >&2; tail -n 20 "$data/portal.log" >&2; return 1; }

  # One application: the top of the ranking (in review, with reviews).
  curl -s -b "${jar[$n]}" "${url[$n]}/manage/cycles/${cycle[$n]}/ranking" -o "$page"
  app[$n]=$(grep -o '/manage/applications/[0-9]*' "$page" | head -n 1 | grep -o '[0-9]*$')
}

# Times every page on every size's server. Requests alternate between the
# sizes, so a busy moment of the machine falls on both alike; each figure
# is the median of `runs` after `warmups`, in milliseconds, and every
# answer must be 200.
measure() { # backend
  local entry label path n i out code
  for entry in "${pages[@]}"; do
    label=${entry%%|*}
    declare -A times=()
    for i in $(seq 1 $((warmups + runs))); do
      for n in "${sizes[@]}"; do
        path=${entry#*|}; path=${path//\$C/${cycle[$n]}}; path=${path//\$A/${app[$n]}}
        out=$(curl -s -b "${jar[$n]}" -o /dev/null -w '%{http_code} %{time_total}' "${url[$n]}$path")
        code=${out% *}
        [ "$code" = 200 ] || { echo "$1 $n: $path answered $code" >&2; return 1; }
        if [ "$i" -gt "$warmups" ]; then times[$n]+="${out#* } "; fi
      done
    done
    for n in "${sizes[@]}"; do
      ms["$1|$n|$label"]=$(tr ' ' '\n' <<<"${times[$n]}" | grep . | sort -g |
        sed -n "$(((runs + 1) / 2))p" | awk '{printf "%.1f", $1 * 1000}')
    done
    unset times
  done
}

# Reads each server's peak memory, stops it, and drops its database.
stop() { # backend
  local n
  for n in "${sizes[@]}"; do
    notes["$1|$n"]+=$(awk -v k="$(hwm_kb "${pid[$n]}")" 'BEGIN { printf "; server peak RSS (VmHWM) %.1f MiB", k / 1024 }')
    kill "${pid[$n]}"; wait "${pid[$n]}" 2>/dev/null || true
    if [ "$1" = postgres ] && [ -z "${BENCH_KEEP:-}" ]; then
      psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE ${db_of[$n]} WITH (FORCE)" >/dev/null
    fi
    echo "$1, $n applications: ${notes["$1|$n"]}" >&2
  done
}

table() { # backend
  local first=${sizes[0]} last=${sizes[-1]} header="| page |" rule="|---|" entry label row
  for n in "${sizes[@]}"; do header+=" $n ms |"; rule+="---:|"; done
  echo
  echo "$1 ($(uname -m), $(nproc) cores, release build; median of $runs after $warmups warm-ups)"
  echo "$header ratio |"
  echo "$rule---:|"
  for entry in "${pages[@]}"; do
    label=${entry%%|*}
    row="| $label |"
    for n in "${sizes[@]}"; do row+=" ${ms["$1|$n|$label"]} |"; done
    row+=" $(awk -v a="${ms["$1|$first|$label"]}" -v b="${ms["$1|$last|$label"]}" 'BEGIN { printf "%.1f", b / a }') |"
    echo "$row"
  done
  for n in "${sizes[@]}"; do echo "$n applications: ${notes["$1|$n"]}"; done
}

backends=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do start "$backend" "$n"; done
  measure "$backend"
  stop "$backend"
done
for backend in "${backends[@]}"; do table "$backend"; done
