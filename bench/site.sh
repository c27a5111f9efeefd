#!/usr/bin/env bash
# Benchmark: the anonymous home page's rate with wrk, without and with
# `Accept-Encoding: gzip` (and its size on the wire each way), then one
# large document (100 MB by default) uploaded and downloaded by an
# applicant asking for gzip: the download must come back whole, not
# compressed, and the server's peak resident memory (VmHWM) must not grow
# with the file. Not a test: run it by hand on a quiet machine.
#
#   bench/site.sh
#   PORTAL_BIN=/elsewhere/fellowship-portal bench/site.sh   # another build
#   SIZE_MB=200 DURATION=20s bench/site.sh
#
# Needs: curl, wrk, python3; builds the release binary when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
size_mb="${SIZE_MB:-19}"
duration="${DURATION:-10s}"
bin="${PORTAL_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/fellowship-portal}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

[ -x "$bin" ] || cargo build --release

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
token_of() { grep -o 'name="csrf_token" value="[^"]*"' "$1" | head -n 1 | sed 's/.*value="//; s/"$//'; }

port=$(free_port)
data="$work/data"; mkdir -p "$data"
env PORTAL_DATA_DIR="$data" ROCKET_PORT="$port" PORTAL_SECURE_COOKIES=false PORTAL_LOG_LEVEL=warn \
  ROCKET_LIMITS="{file=\"$((size_mb + 10)) MiB\",data-form=\"$((size_mb + 11)) MiB\"}" \
  "$bin" >"$data/portal.log" 2>&1 &
pid=$!
wait_port "$port"
base="http://127.0.0.1:$port"

echo "== the home page, wrk -t2 -c16 -d$duration"
plain=$(curl -s -o /dev/null -w '%{size_download}' "$base/")
zipped=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base/")
echo "bytes on the wire: $plain plain, $zipped gzipped"
wrk -t2 -c16 -d"$duration" "$base/" | grep -E "Requests/sec|Latency"
echo "-- with Accept-Encoding: gzip"
wrk -t2 -c16 -d"$duration" -H 'Accept-Encoding: gzip' "$base/" | grep -E "Requests/sec|Latency"
css=$(curl -s "$base/" | grep -o '/static/portal[^"]*\.css' | head -n 1)
echo "-- the stylesheet ($css), with Accept-Encoding: gzip"
curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$base$css" | grep -iE "^(cache-control|content-encoding|content-length|etag)"
wrk -t2 -c16 -d"$duration" -H 'Accept-Encoding: gzip' "$base$css" | grep -E "Requests/sec"

echo "== a ${size_mb} MB document downloaded asking for gzip"
python3 - "$data/portal.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""UPDATE cycles SET form_json = replace(form_json, '"max_mb": 5', '"max_mb": 20')""")
db.commit()
PY
file="$work/cv.pdf"
{ printf '%%PDF-1.4\n'; head -c "$((size_mb * 1024 * 1024))" /dev/zero | tr '\0' 'a'; } > "$file"
sha=$(sha256sum "$file" | cut -d' ' -f1)
jar="$work/cookies" page="$work/page.html"
curl -s -c "$jar" -b "$jar" "$base/account/register" -o "$page"
curl -s -c "$jar" -b "$jar" -o /dev/null "$base/account/register" \
  --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "name=Bench Mark" \
  --data-urlencode "email=bench@example.edu" --data-urlencode "password=plum-kettle-orbit-sage" \
  --data-urlencode "password_confirm=plum-kettle-orbit-sage"
sleep 1
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
app=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$base/apply/cycles/1/start" \
  --data-urlencode "csrf_token=$(token_of "$page")" --data-urlencode "e[enrolled_us_health_program]=yes" \
  --data-urlencode "e[can_commit_time]=yes" | sed -E 's#.*/applications/([0-9]+)/.*#\1#')
curl -s -c "$jar" -b "$jar" "$base/apply/applications/$app/sections/documents" -o "$page"
code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -F "csrf_token=$(token_of "$page")" \
  -F "f[cv]=@$file;filename=cv.pdf;type=application/pdf" "$base/apply/applications/$app/sections/documents")
[ "$code" = 303 ] || { echo "the upload answered $code" >&2; tail -n 20 "$data/portal.log" >&2; exit 1; }
doc=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT MAX(id) FROM documents').fetchone()[0])" "$data/portal.sqlite")
before=$(hwm_kb "$pid")
headers=$(curl -s -c "$jar" -b "$jar" -H 'Accept-Encoding: gzip' -D - -o "$work/down.pdf" "$base/apply/documents/$doc")
after=$(hwm_kb "$pid")
echo "$headers" | grep -iE "^(content-type|content-encoding|content-length)" || true
got=$(sha256sum "$work/down.pdf" | cut -d' ' -f1)
[ "$got" = "$sha" ] && echo "downloaded whole: $(stat -c %s "$work/down.pdf") bytes, same SHA-256" || { echo "the download differs" >&2; exit 1; }
echo "server peak memory (VmHWM): $((before / 1024)) MiB before the download, $((after / 1024)) MiB after"
