#!/usr/bin/env bash
# Benchmark: upload one large file (100 MB by default) through the portal's
# document form to each document store, and report the throughput and the
# server's peak resident memory (VmHWM) before and after, beside the speed
# of `cp` to the same disk. Not a test: run it by hand on a quiet machine.
#
#   bench/upload.sh              # 100 MB, local folder and S3 (s3s-fs)
#   SIZE_MB=200 bench/upload.sh
#   RUNS=9 STORES=local bench/upload.sh   # nine uploads, the median
#   PORTAL_BIN=/elsewhere/fellowship-portal bench/upload.sh   # another build
#
# Needs: curl, python3; builds the release binary and installs s3s-fs under
# .tools/ when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
size_mb="${SIZE_MB:-100}"
runs="${RUNS:-1}"             # uploads per store; the median is reported
stores="${STORES:-local s3}"  # which stores to upload to
bin="${PORTAL_BIN:-$root/target/release/fellowship-portal}"  # another build, to compare
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
# User and system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# The file: a PDF header, then random bytes.
file="$work/upload.pdf"
{ printf '%%PDF-1.4\n'; head -c "$((size_mb * 1024 * 1024))" /dev/urandom; } > "$file"
bytes=$(stat -c %s "$file")
sha=$(sha256sum "$file" | cut -d' ' -f1)

# Baseline: cp to the same disk, flushed.
# With RUNS > 1, the median of as many copies.
cp_secs=()
for _ in $(seq 1 "$runs"); do
  sync
  start=$(date +%s.%N); cp "$file" "$work/copy.pdf"; sync; end=$(date +%s.%N)
  cp_secs+=("$(python3 -c "print($end-$start)")")
  rm -f "$work/copy.pdf"
done
cp_mbs=$(python3 -c "import statistics, sys; print(f'{$bytes/1048576/statistics.median(map(float, sys.argv[1:])):.0f}')" "${cp_secs[@]}")

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
  local out code secs all=() ticks=0 before_cpu
  for _ in $(seq 1 "$runs"); do
    before_cpu=$(cpu_ticks "$pid")
    out=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' \
      -F "csrf_token=$token" -F "f[cv]=@$file;filename=cv.pdf;type=application/pdf" \
      "$base/apply/applications/$app/sections/documents")
    code=${out% *}; secs=${out#* }
    [ "$code" = 303 ] || { echo "$backend: the upload answered $code" >&2; tail -n 20 "$data/portal.log" >&2; return 1; }
    ticks=$((ticks + $(cpu_ticks "$pid") - before_cpu))
    all+=("$secs")
    # What was stored is what was sent.
    python3 - "$data/portal.sqlite" "$bytes" "$sha" <<'PY'
import sqlite3, sys
size, sha = sqlite3.connect(sys.argv[1]).execute(
    "SELECT size_bytes, sha256 FROM documents ORDER BY id DESC LIMIT 1").fetchone()
assert (size, sha) == (int(sys.argv[2]), sys.argv[3]), f"stored {size} bytes, {sha}"
PY
    # Untimed: remove the document again, so that every upload measured is a
    # first one (replacing a document also deletes the old file).
    curl -s -c "$jar" -b "$jar" -o /dev/null -F "csrf_token=$token" -F "remove=cv" \
      "$base/apply/applications/$app/sections/documents"
  done
  local after_hwm; after_hwm=$(hwm_kb "$pid")
  python3 - "$backend" "$bytes" "$before_rss" "$before_hwm" "$after_hwm" "$cp_mbs" "$ticks" "${all[@]}" <<'PY'
import os, statistics, sys
backend, size, rss, before, after, cp, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
times = [float(t) for t in sys.argv[8:]]
cpu = ticks / os.sysconf("SC_CLK_TCK") / len(times)
secs = statistics.median(times)
mbs = size / 1048576 / secs
spread = f" (of {len(times)}: {min(times):.3f}-{max(times):.3f} s)" if len(times) > 1 else ""
print(f"| {backend:5} | {size/1048576:.0f} MiB | {secs:.3f} s{spread} | {mbs:.0f} MiB/s ({mbs/cp*100:.0f}% of cp) | {cpu:.3f} s | {before/1024:.1f} MiB | {after/1024:.1f} MiB | +{(after-before)/1024:.1f} MiB |")
PY
  kill "$pid"
}

echo "cp to the same disk: $cp_mbs MiB/s (median of $runs)"
echo "| store | file | upload | throughput | server CPU per upload | peak RSS before | peak RSS after | extra |"
echo "|---|---|---|---|---|---|---|---|"
for store in $stores; do run "$store"; done
