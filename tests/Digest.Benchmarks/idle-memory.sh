#!/usr/bin/env bash
# Idle worker memory: `digest run` published in Release, started in a site folder with a far-off cron, an SMTP
# host set and a 20-reader subscriber file, as end-to-end.sh's "idle worker" section does; prints VmRSS once the
# log says "Worker started" (and, with --detail, where it goes: anonymous memory vs mapped files, GC heap).
#
#   tests/Digest.Benchmarks/idle-memory.sh                  # 3 runs, one line each and the median
#   tests/Digest.Benchmarks/idle-memory.sh --runs 5 --detail
#
# Options: --runs N (default 3), --publish DIR (an already published worker; default: publish now), --detail,
# --settle S (also read VmRSS S seconds after the line, once the scheduler and hosted services run; default 3,
# 0 for the line only).
# Exit codes: 0 done; 1 the worker failed to start or stop; 2 bad arguments; 69 the .NET SDK is missing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=3
settle=3
publish=""
detail=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --publish) publish=${2:?--publish needs a folder}; shift 2 ;;
    --detail) detail=1; shift ;;
    --settle) settle=${2:?--settle needs seconds}; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "idle-memory: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "idle-memory: --runs must be a positive whole number, was '$runs'" >&2; exit 2; }
[[ "$settle" =~ ^[0-9]+$ ]] || { echo "idle-memory: --settle must be a whole number of seconds, was '$settle'" >&2; exit 2; }
command -v dotnet >/dev/null || { echo "idle-memory: the .NET SDK (dotnet) is not on PATH" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/digest-idle.XXXXXX")
idle_pid=""
cleanup() { [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$publish" ]; then
  echo "[idle] publishing src/Digest.Worker (Release)" >&2
  dotnet publish "$repo/src/Digest.Worker" -c Release -o "$work/publish" -v quiet -nologo >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; echo "idle-memory: dotnet publish failed" >&2; exit 1; }
  publish="$work/publish"
fi
publish=$(cd "$publish" && pwd)

site="$work/site"
mkdir -p "$site/config" "$site/comparisons" "$site/data"
cp -r "$repo/templates" "$site/templates"
cp "$repo/config/digest.json" "$site/config/digest.json"
cp "$repo"/config/comparisons/*.json "$site/comparisons/"
awk 'BEGIN { print "{ \"subscribers\": ["
  for (i = 1; i <= 20; i++) printf "  { \"email\": \"reader.%d@example.com\", \"name\": \"Reader %d\" }%s\n", i, i, (i < 20 ? "," : "")
  print "] }" }' >"$site/config/subscribers.json"

export Digest__Templates__Path=templates Digest__Import__Path=comparisons Digest__Edition__MaxComparisons=5
export Digest__Smtp__Security=None Digest__Smtp__Host=127.0.0.1 Digest__Subscribers__Path=config/subscribers.json
export Digest__Unsubscribe__Key="$(head -c 32 /dev/urandom | base64 -w0)" Digest__Schedule__Cron="0 0 9 1 1 ? 2099"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

results=()
settled_results=()
for run in $(seq "$runs"); do
  rm -f "$site/data/idle.db"
  (cd "$site" && exec env Digest__Store__Path=data/idle.db dotnet "$publish/digest.dll" run >"$work/idle.log" 2>&1) &
  idle_pid=$!
  for _ in $(seq 600); do grep -q "Worker started" "$work/idle.log" 2>/dev/null && break; kill -0 "$idle_pid" 2>/dev/null || break; sleep 0.1; done
  if ! grep -q "Worker started" "$work/idle.log" 2>/dev/null; then
    status=0; kill -0 "$idle_pid" 2>/dev/null || { wait "$idle_pid" || status=$?; }
    cat "$work/idle.log" >&2 2>/dev/null || true
    echo "idle-memory: the worker did not start (exit status $status)" >&2; exit 1
  fi
  kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$idle_pid/status")
  results+=("$kb")
  line="run $run: $(awk -v kb="$kb" 'BEGIN { printf "%.1f MB", kb / 1024 }') resident"
  if [ "$settle" != 0 ]; then
    # The line is logged once the host has started (scheduler and hosted services up, start-up garbage
    # collected); what the worker keeps while it waits for its next edition is read a few seconds later.
    sleep "$settle"
    settled=$(awk '/^VmRSS:/ { print $2 }' "/proc/$idle_pid/status")
    settled_results+=("$settled")
    line+=", $(awk -v kb="$settled" 'BEGIN { printf "%.1f MB", kb / 1024 }') after ${settle} s"
  fi
  if [ "$detail" = 1 ]; then
    # Anonymous memory is the GC heap, JIT code and native allocations; file-backed is mapped assemblies and libraries.
    line+=" ($(awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { printf "anon %.1f MB, files %.1f MB", a / 1024, f / 1024 }' "/proc/$idle_pid/status"))"
  fi
  echo "$line"
  kill -TERM "$idle_pid"
  status=0; wait "$idle_pid" || status=$?
  idle_pid=""
  [ "$status" = 0 ] || { cat "$work/idle.log" >&2; echo "idle-memory: the worker exited with $status on SIGTERM" >&2; exit 1; }
done
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f MB", v[int((NR + 1) / 2)] / 1024 }'; }
summary="idle worker: $(printf '%s\n' "${results[@]}" | median) resident at \"Worker started\""
[ "$settle" != 0 ] && summary+=", $(printf '%s\n' "${settled_results[@]}" | median) ${settle} s later"
echo "$summary (median of $runs runs)"
