#!/usr/bin/env bash
# Benchmark: upload one large file (100 MB by default) through the portal's
# document form to each document store, and report the throughput and the
# server's peak resident memory (VmHWM) before and after, beside the speed
# of `cp` to the same disk. Not a test: run it by hand on a quiet machine.
#
#   bench/upload.sh              # 100 MB, local folder and S3 (s3s-fs)
#   SIZE_MB=200 bench/upload.sh
#
# Needs: curl, python3; builds the release binary and installs s3s-fs under
# .tools/ when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
size_mb="${SIZE_MB:-100}"
bin="$root/target/release/fellowship-portal"
s3s="$root/.tools/s3s/bin/s3s-fs"
work="$root/target/bench"
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

[ -x "$bin" ] || cargo build --release
[ -x "$s3s" ] || cargo install s3s-fs@0.14.1 --locked --features binary --root "$root/.tools/s3s" --quiet

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# The file: a PDF header, then random bytes.
file="$work/upload.pdf"
{ printf '%%PDF-1.4\n'; head -c "$((size_mb * 1024 * 1024))" /dev/urandom; } > "$file"
bytes=$(stat -c %s "$file")

# Baseline: cp to the same disk, flushed.
sync
start=$(date +%s.%N); cp "$file" "$work/copy.pdf"; sync; end=$(date +%s.%N)
cp_mbs=$(python3 -c "print(f'{$bytes/1048576/($end-$start):.0f}')")
rm -f "$work/copy.pdf"

token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }

run() { # backend
  local backend=$1 data="$work/$1" port; port=$(free_port)
  mkdir -p "$data"
  local env=(PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false
    ROCKET_LIMITS="{file=\"$((size_mb + 10)) MiB\",data-form=\"$((size_mb + 11)) MiB\"}")
  if [ "$backend" = s3 ]; then
    local s3port; s3port=$(free_port)
    mkdir -p "$data/s3/bench-docs"   # s3s-fs: a bucket is a folder
    "$s3s" --host 127.0.0.1 --port "$s3port" --access-key benchkey --secret-key benchsecret "$data/s3" >/dev/null 2>&1 &
    pids+=($!)
    wait_port "$s3port"
    env+=(PORTAL_STORAGE=s3 PORTAL_S3_ENDPOINT="http://127.0.0.1:$s3port" PORTAL_S3_BUCKET=bench-docs
      AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret)
  fi
  env "${env[@]}" "$bin" >"$data/portal.log" 2>&1 &
  local pid=$!; pids+=($pid)
  wait_port "$port"
  local base="http://127.0.0.1:$port" jar="$data/cookies" page="$data/page.html"

  # Room for one large document in the seeded Health Justice form.
  python3 - "$data/portal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""UPDATE cycles SET form_json = replace(form_json, '"max_mb": 5', '"max_mb": 1000')""")
db.commit()
PY
  # An applicant: register, confirm from the .eml, log in, start.
  curl -s -c "$jar" -b "$jar" "$base/account/register" -o "$page"
  curl -s -c "$jar" -b "$jar" -o /dev/null "$base/account/register" \
    --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "name=Bench Mark" \
    --data-urlencode "email=bench@example.edu" --data-urlencode "password=plum-kettle-orbit-sage" \
    --data-urlencode "password_confirm=plum-kettle-orbit-sage"
  sleep 1
  local link
  link=$(python3 - "$data/mail" <<'PY'
import glob, re, sys
raw = open(sorted(glob.glob(sys.argv[1] + "/*.eml"))[-1]).read()
raw = re.sub(r"=\r?\n", "", raw)
print(re.search(r"/account/confirm/[A-Za-z0-9_-]+", raw).group(0))
PY
)
  curl -s -c "$jar" -b "$jar" -o /dev/null "$base$link"
  curl -s -c "$jar" -b "$jar" "$base/account/login" -o "$page"
  curl -s -c "$jar" -b "$jar" -o /dev/null "$base/account/login" --data-urlencode "csrf_token=$(token_of "$page")" \
    --data-urlencode "email=bench@example.edu" --data-urlencode "password=plum-kettle-orbit-sage" --data-urlencode "next=/"
  curl -s -c "$jar" -b "$jar" "$base/apply/cycles/1" -o "$page"
  local app
  app=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$base/apply/cycles/1/start" \
    --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "e[enrolled_us_health_program]=yes" \
    --data-urlencode "e[can_commit_time]=yes" | sed -E 's#.*/applications/([0-9]+)/.*#\1#')
  curl -s -c "$jar" -b "$jar" "$base/apply/applications/$app/sections/documents" -o "$page"
  local token; token=$(token_of "$page")

  local before_hwm before_rss; before_hwm=$(hwm_kb "$pid"); before_rss=$(rss_kb "$pid")
  local out code secs
  out=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' \
    -F "csrf_token=$token" -F "f[cv]=@$file;filename=cv.pdf;type=application/pdf" \
    "$base/apply/applications/$app/sections/documents")
  code=${out% *}; secs=${out#* }
  [ "$code" = 303 ] || { echo "$backend: the upload answered $code" >&2; tail -n 20 "$data/portal.log" >&2; return 1; }
  local after_hwm; after_hwm=$(hwm_kb "$pid")
  python3 - "$backend" "$bytes" "$secs" "$before_rss" "$before_hwm" "$after_hwm" "$cp_mbs" <<'PY'
import sys
backend, size, secs, rss, before, after, cp = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
mbs = size / 1048576 / secs
print(f"| {backend:5} | {size/1048576:.0f} MiB | {secs:.2f} s | {mbs:.0f} MiB/s ({mbs/cp*100:.0f}% of cp) | {before/1024:.1f} MiB | {after/1024:.1f} MiB | +{(after-before)/1024:.1f} MiB |")
PY
  kill "$pid"
}

echo "cp to the same disk: $cp_mbs MiB/s"
echo "| store | file | upload | throughput | peak RSS before | peak RSS after | extra |"
echo "|---|---|---|---|---|---|---|"
run local
run s3
