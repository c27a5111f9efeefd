#!/usr/bin/env bash
# Benchmark: requests per second of every staff page under load, at two
# sizes of cycle, against the anonymous home page in the same run. For
# each size it seeds a fresh database with `fellowship-portal seed-demo`,
# serves it (release build), logs in as the demo manager and as the first
# demo reviewer, and loads each page with wrk (2 threads, 16 connections,
# DURATION seconds after a 2-second warm-up); pages alternate between the
# sizes' servers so that other work on the machine weighs on both alike.
# Every page must answer 200 (checked with curl first; wrk's non-2xx count
# must be 0). On PostgreSQL each database is analysed after seeding
# (VACUUM ANALYZE), as autovacuum would have done.
#
# Prints one table per database: each page's rate at each size, the
# ratio of the largest size's rate to the smallest's (target: >= 0.8),
# and each staff page's rate as a share of the home page's at the largest
# size (target: >= 1/10 = 0.10). Exits 1 when a target is missed, so the
# figures can gate a change. Not a test: run it on a quiet machine.
#
#   bench/staff-pages.sh                            # SQLite, 1000 and 10000 applications
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/staff-pages.sh
#                                                   # SQLite, then PostgreSQL (a database
#                                                   # is created and dropped for each size)
#   BENCH_ONLY=postgres BENCH_DATABASE_URL=... bench/staff-pages.sh   # PostgreSQL only
#   SIZES="1000 10000" DURATION=5 bench/staff-pages.sh
#
# Needs: wrk (apt-get install -y wrk), curl, python3 (a free port), psql
# for PostgreSQL; builds the release binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
duration=${DURATION:-5}
bin="$root/target/release/fellowship-portal"
work="$root/target/bench-staff"
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

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }
# The cookies of a curl jar as one Cookie header value.
cookie_of() { sed -n 's/^#HttpOnly_//; /^#/d; /^$/d; p' "$1" | awk -F'\t' '{ printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }'; }

# The pages, as "label|who|path": who is anon, manager or reviewer; $C is
# the cycle, $A one application (the top of the ranking), $R one of the
# first reviewer's assignments. Page 20 is the last page of the list at
# 1,000 applications (50 a page), so both sizes show the same page; the
# searches are for a word in many institutions' names, which fills a page
# at both sizes (a surname matches 19 applications at 1,000, 224 at 10,000).
pages=(
  'home page (anonymous)|anon|/'
  'manager: workspace index|manager|/manage/'
  'manager: cycle dashboard|manager|/manage/cycles/$C'
  'manager: applications|manager|/manage/cycles/$C/applications'
  'manager: applications, page 20|manager|/manage/cycles/$C/applications?page=20'
  'manager: applications, search|manager|/manage/cycles/$C/applications?q=nursing'
  'manager: applications, search by part|manager|/manage/cycles/$C/applications?q=nurs'
  'manager: applications, in review|manager|/manage/cycles/$C/applications?stage=review'
  'manager: ranking|manager|/manage/cycles/$C/ranking'
  'manager: ranking by spread|manager|/manage/cycles/$C/ranking?sort=spread'
  'manager: one application|manager|/manage/applications/$A'
  'manager: reviewer progress|manager|/manage/cycles/$C/reviewers'
  'manager: decisions|manager|/manage/cycles/$C/decisions'
  'reviewer: desk|reviewer|/review/'
  'reviewer: desk, page 2|reviewer|/review/?page=2'
  'reviewer: desk, submitted|reviewer|/review/done'
  'reviewer: one review|reviewer|$R'
)

declare -A rate     # "backend|size|label" -> requests per second
declare -A notes    # "backend|size" -> seeding time
declare -A url cookie pid cycle app assignment db_of

login() { # size email password -> cookie header value
  local n=$1 jar page
  jar="$work/jar-$n-${2%%@*}" page="$work/login-$n.html"
  curl -s -c "$jar" -b "$jar" "${url[$n]}/account/login" -o "$page"
  curl -s -c "$jar" -b "$jar" -o /dev/null "${url[$n]}/account/login" \
    --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "email=$2" \
    --data-urlencode "password=$3" --data-urlencode "next=/"
  cookie_of "$jar"
}

start() { # backend size
  local backend=$1 n=$2 data="$work/$1-$2" port; port=$(free_port)
  mkdir -p "$data"
  local env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false ROCKET_LOG_LEVEL=critical)
  local base query=""
  if [ "$backend" = postgres ]; then
    local db="portal_staff_bench_$n"
    base="${BENCH_DATABASE_URL%%\?*}"
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
  if [ "$backend" = postgres ]; then psql -q "${base%/*}/${db_of[$n]}$query" -c "VACUUM ANALYZE" >/dev/null; fi
  local password
  password=$(sed -n 's/^Password: //p' <<<"$seeded")
  cycle[$n]=$(grep -o '(cycle [0-9]*)' <<<"$seeded" | grep -o '[0-9]*')
  notes["$backend|$n"]=$(awk -v s="$t0" -v e="$t1" 'BEGIN { printf "seeded in %.1f s", e - s }')

  env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
  pid[$n]=$!; pids+=("${pid[$n]}")
  wait_port "$port"
  url[$n]="http://127.0.0.1:$port"
  cookie["$n|manager"]=$(login "$n" manager@demo.example "$password")
  cookie["$n|reviewer"]=$(login "$n" reviewer1@demo.example "$password")
  cookie["$n|anon"]=""
  local page="$data/page.html"
  curl -s -H "Cookie: ${cookie["$n|manager"]}" "${url[$n]}/manage/cycles/${cycle[$n]}/ranking" -o "$page"
  app[$n]=$(grep -o '/manage/applications/[0-9]*' "$page" | head -n 1 | grep -o '[0-9]*$')
  curl -s -H "Cookie: ${cookie["$n|reviewer"]}" "${url[$n]}/review/" -o "$page"
  assignment[$n]=$(grep -o 'href="/review/applications/[0-9]*"' "$page" | head -n 1 | sed 's/^href="//; s/"$//')
  [ -n "${app[$n]}" ] && [ -n "${assignment[$n]}" ] ||
    { echo "$backend $n: no application or review found to measure" >&2; return 1; }
}

measure() { # backend
  local entry label who path n out code requests errors
  for entry in "${pages[@]}"; do
    IFS='|' read -r label who path <<<"$entry"
    for n in "${sizes[@]}"; do
      local p=${path//\$C/${cycle[$n]}}; p=${p//\$A/${app[$n]}}; p=${p//\$R/${assignment[$n]}}
      local headers=()
      [ -n "${cookie["$n|$who"]}" ] && headers=(-H "Cookie: ${cookie["$n|$who"]}")
      code=$(curl -s "${headers[@]}" -o /dev/null -w '%{http_code}' "${url[$n]}$p")
      [ "$code" = 200 ] || { echo "$1 $n: $p answered $code" >&2; return 1; }
      wrk -t2 -c16 -d2s "${headers[@]}" "${url[$n]}$p" >/dev/null
      out=$(wrk -t2 -c16 -d"${duration}s" "${headers[@]}" "${url[$n]}$p")
      errors=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' <<<"$out")
      [ -z "$errors" ] || { echo "$1 $n: $p answered $errors times other than 2xx/3xx under load" >&2; return 1; }
      requests=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
      rate["$1|$n|$label"]=$(printf '%.0f' "$requests")
      [ "${rate["$1|$n|$label"]}" -gt 0 ] ||
        { echo "$1 $n: $p answered nothing in ${duration} s under load (see $work/$1-$n/portal.log)" >&2; return 1; }
    done
  done
}

stop() { # backend
  local n
  for n in "${sizes[@]}"; do
    kill "${pid[$n]}"; wait "${pid[$n]}" 2>/dev/null || true
    if [ "$1" = postgres ]; then
      psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE ${db_of[$n]} WITH (FORCE)" >/dev/null
    fi
  done
}

missed=0
table() { # backend
  local first=${sizes[0]} last=${sizes[-1]} header="| page |" rule="|---|" entry label who row home
  for n in "${sizes[@]}"; do header+=" $n req/s |"; rule+="---:|"; done
  home=${rate["$1|$last|home page (anonymous)"]}
  echo
  echo "$1 ($(uname -m), $(nproc) cores, release build; wrk -t2 -c16 -d${duration}s after a 2 s warm-up)"
  echo "$header $last ÷ $first | ÷ home at $last |"
  echo "$rule---:|---:|"
  for entry in "${pages[@]}"; do
    IFS='|' read -r label who _ <<<"$entry"
    row="| $label |"
    for n in "${sizes[@]}"; do row+=" ${rate["$1|$n|$label"]} |"; done
    local growth share
    growth=$(awk -v a="${rate["$1|$first|$label"]}" -v b="${rate["$1|$last|$label"]}" 'BEGIN { printf "%.2f", b / a }')
    share=$(awk -v a="${rate["$1|$last|$label"]}" -v h="$home" 'BEGIN { printf "%.2f", a / h }')
    if awk -v g="$growth" 'BEGIN { exit !(g < 0.8) }'; then growth+=" (below 0.8)"; missed=1; fi
    if [ "$who" = anon ]; then share="–"
    elif awk -v s="$share" 'BEGIN { exit !(s < 0.1) }'; then share+=" (below 0.10)"; missed=1; fi
    echo "$row $growth | $share |"
  done
  for n in "${sizes[@]}"; do echo "$n applications: ${notes["$1|$n"]}"; done
}

backends=()
[ "${BENCH_ONLY:-}" != postgres ] && backends+=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)
for backend in "${backends[@]}"; do
  for n in "${sizes[@]}"; do start "$backend" "$n"; done
  measure "$backend"
  stop "$backend"
done
for backend in "${backends[@]}"; do table "$backend"; done
exit "$missed"
