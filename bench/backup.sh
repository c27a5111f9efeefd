#!/usr/bin/env bash
# Benchmark: how long `backup`, `verify-backup` and `restore` take, and how
# large a backup is, as a cycle grows. For each size it seeds a fresh
# database with `fellowship-portal seed-demo` (answers, reviews and
# assignments; demo applications carry no documents, so this measures the
# database part: documents are copied at the disk's speed, each read once
# and checked against its SHA-256), then runs each command 3 times and
# prints the median. Not a test: run it by hand on a quiet machine.
#
#   bench/backup.sh                                     # SQLite, 1000 and 10000 applications
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/backup.sh
#                                                       # PostgreSQL as well (databases are
#                                                       # created and dropped here)
#   SIZES="1000 10000 50000" bench/backup.sh            # other sizes
#
# Needs: python3, psql and pg_dump for PostgreSQL; builds the release binary.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
read -r -a sizes <<<"${SIZES:-1000 10000}"
runs=3
bin="$root/target/release/fellowship-portal"
work="$root/target/bench-backup"
rm -rf "$work"
mkdir -p "$work"
databases=()
cleanup() {
  for d in "${databases[@]:-}"; do
    [ -n "$d" ] && psql -q "$BENCH_DATABASE_URL" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

cargo build --release --quiet

# Seconds one command takes (it must succeed).
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# An empty data folder DIR and an empty database of the current backend
# (a SQLite file in DIR, or a new PostgreSQL database NAME, dropped at the
# end); its address is left in $new_url.
new_database() { # dir name
  mkdir -p "$1"
  if [ "$backend" = sqlite ]; then
    new_url="sqlite://$1/portal.sqlite"
  else
    databases+=("$2")
    psql -q "$BENCH_DATABASE_URL" -c "CREATE DATABASE $2" >/dev/null
    new_url="${BENCH_DATABASE_URL%/*}/$2"
  fi
}

backends=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && backends+=(postgres)

for backend in "${backends[@]}"; do
  printf '\n%s\n' "$backend"
  printf '%-14s %10s %10s %10s %12s %12s\n' applications backup verify restore "backup size" "database"
  for n in "${sizes[@]}"; do
    data="$work/$backend-$n"
    new_database "$data" "bench_backup_${n}_$$"
    url="$new_url"
    export PORTAL_DATA_DIR="$data" DATABASE_URL="$url" ROCKET_PROFILE=release
    "$bin" seed-demo --applications "$n" --reviewers 40 >/dev/null
    b=() v=() r=()
    for i in $(seq 1 "$runs"); do
      out="$work/$backend-$n-backup-$i"
      b+=("$(timed "$bin" backup --out "$out")")
      v+=("$(timed "$bin" verify-backup "$out")")
      # Restore into an empty data folder and database each time.
      target="$work/$backend-$n-restore-$i"
      new_database "$target" "bench_backup_${n}_$$_r$i"
      r+=("$(PORTAL_DATA_DIR="$target" DATABASE_URL="$new_url" timed "$bin" restore --from "$out")")
    done
    size=$(du -sh "$work/$backend-$n-backup-1" | cut -f1)
    if [ "$backend" = sqlite ]; then
      db=$(du -sh "$data/portal.sqlite" | cut -f1)
    else
      db=$(psql -At "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
    fi
    printf '%-14s %9ss %9ss %9ss %12s %12s\n' "$n" "$(median "${b[@]}")" "$(median "${v[@]}")" "$(median "${r[@]}")" "$size" "$db"
    rm -rf "$work/$backend-$n"-backup-* "$work/$backend-$n"-restore-*
  done
done
