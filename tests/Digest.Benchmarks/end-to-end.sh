#!/usr/bin/env bash
# End-to-end benchmark: a real edition of Digest against Postfix's smtp-sink on loopback, next to the wire's
# own limit measured in the same run by smtp-source (same message count, size and connections).
#
#   tests/Digest.Benchmarks/end-to-end.sh                      # 10,000 and 100,000 subscribers
#   tests/Digest.Benchmarks/end-to-end.sh --sizes "2000 10000" # other sizes
#   tests/Digest.Benchmarks/end-to-end.sh --store postgres     # also on PostgreSQL, one and two workers
#
# Options: --sizes "N ...", --connections N (default $Digest__Smtp__Connections or 4), --port P (default: a
# free one), --store postgres (rows on PostgreSQL: a throwaway cluster, or --pg CONNECTION-STRING of a running
# server where the script may create databases; --pg-sizes "N ..." for fewer sizes there), --out FILE (also write the table there), --keep (keep the
# working folder), --no-install. Each size runs smtp-source, a plain MailKit loop and Digest on LiteDB.
# Needs the .NET SDK, Postfix's smtp-sink/smtp-source and GNU time; as root with apt-get it installs Postfix
# and time when missing. Exit codes: 0 done; 1 a run failed or messages were missing; 2 bad arguments; 69 tools unavailable.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
sizes="10000 100000"
connections=${Digest__Smtp__Connections:-4}
port=""
out=""
keep=0
install=1
postgres=0
pg_connection=""
pg_sizes=""

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=${2:?--sizes needs a value}; shift 2 ;;
    --connections) connections=${2:?--connections needs a value}; shift 2 ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a file}; shift 2 ;;
    --keep) keep=1; shift ;;
    --store) case "${2:-}" in postgres) postgres=1 ;; litedb) postgres=0 ;; *) echo "end-to-end: --store must be litedb or postgres, was '${2:-}'" >&2; exit 2 ;; esac; shift 2 ;;
    --pg) pg_connection=${2:?--pg needs a connection string}; postgres=1; shift 2 ;;
    --pg-sizes) pg_sizes=${2:?--pg-sizes needs a value}; postgres=1; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "end-to-end: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
pg_sizes=${pg_sizes:-$sizes}
for n in $sizes $pg_sizes $connections; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "end-to-end: '$n' is not a positive whole number" >&2; exit 2; }
done

say() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
now_ns() { date +%s%N; }

# --- tools -------------------------------------------------------------------------------------------------
PATH="$PATH:/usr/sbin:/sbin"
if ! command -v smtp-sink >/dev/null || ! command -v smtp-source >/dev/null || [ ! -x /usr/bin/time ]; then
  if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Postfix (smtp-sink, smtp-source) and GNU time"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends postfix time >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends postfix time >/dev/null 2>&1; } \
      || true
  fi
fi
for tool in smtp-sink smtp-source; do
  command -v "$tool" >/dev/null || { echo "end-to-end: $tool not found; install Debian's postfix package (apt-get install postfix)" >&2; exit 69; }
done
[ -x /usr/bin/time ] || { echo "end-to-end: GNU time (/usr/bin/time) not found; install Debian's time package" >&2; exit 69; }
command -v dotnet >/dev/null || { echo "end-to-end: the .NET SDK (dotnet) is not on PATH" >&2; exit 69; }

# --- working folder and clean-up ---------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/digest-bench.XXXXXX")
sink_pid=""
watch_pid=""
idle_pid=""
worker_pids=()
pg_data=""
cleanup() {
  # The timed senders run under GNU time: stop their children (the worker) as well as time itself.
  local children="" pid
  for pid in "${worker_pids[@]}"; do children+=" $(cat "/proc/$pid/task/"*/children 2>/dev/null || true)"; done
  for pid in $children "${worker_pids[@]}" $watch_pid $idle_pid $sink_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$pg_data" ] && as_postgres /usr/lib/postgresql/*/bin/pg_ctl -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then say "working folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A sleep without a fork per call: the first-message watcher polls while the worker starts.
mkfifo "$work/.nap"
exec {nap_fd}<>"$work/.nap"
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }

port_listening() { # is something listening on 127.0.0.1:$1 (without connecting, which the sink would count)
  local hex; hex=$(printf '%04X' "$1")
  grep -qE "^ *[0-9]+: 0100007F:$hex 00000000:0000 0A" /proc/net/tcp
}
if [ -z "$port" ]; then
  port=$((20000 + RANDOM % 20000))
  while port_listening "$port"; do port=$((port + 1)); done
fi

sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u nobody) # smtp-sink refuses to run as root without it
start_sink() { # $1: file for the sink's running counters (-c), one line per update ending in "mesg=N"
  smtp-sink -c "${sink_user[@]}" "127.0.0.1:$port" 1000 >"$1" 2>"$1.err" &
  sink_pid=$!
  local waited=0
  until port_listening "$port"; do
    kill -0 "$sink_pid" 2>/dev/null || { echo "end-to-end: smtp-sink did not start: $(cat "$1.err")" >&2; exit 1; }
    nap 0.05; waited=$((waited + 1))
    [ "$waited" -lt 200 ] || { echo "end-to-end: smtp-sink is not listening on 127.0.0.1:$port after 10 s" >&2; exit 1; }
  done
}
sink_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$sink_pid/stat"; }
stop_sink() { kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; sink_pid=""; }
sink_messages() { tr '\r' '\n' <"$1" | grep -o 'mesg=[0-9]*' | tail -n 1 | cut -d= -f2 | grep . || echo 0; }
ticks_per_second=$(getconf CLK_TCK)

# --- the published worker ----------------------------------------------------------------------------------
say "publishing src/Digest.Worker (Release)"
dotnet publish "$repo/src/Digest.Worker" -c Release -o "$work/publish" -v quiet -nologo >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; echo "end-to-end: dotnet publish failed" >&2; exit 1; }
digest=("dotnet" "$work/publish/digest.dll")
say "building tests/Digest.Benchmarks (Release) for the plain MailKit loop"
dotnet build "$repo/tests/Digest.Benchmarks" -c Release -o "$work/bench" -v quiet -nologo >"$work/bench-build.log" 2>&1 \
  || { cat "$work/bench-build.log" >&2; echo "end-to-end: building the benchmarks failed" >&2; exit 1; }
mailkit_loop=("dotnet" "$work/bench/Digest.Benchmarks.dll" mailkit-loop)

# --- PostgreSQL (--store postgres): a throwaway cluster as the tests' PostgresFixture makes, or --pg -------
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$postgres" = 1 ] && [ -z "$pg_connection" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$pg_bin/initdb" ] || { echo "end-to-end: --store postgres needs PostgreSQL's initdb (apt-get install postgresql) or --pg CONNECTION-STRING" >&2; exit 69; }
  pg_data="$work/pg"
  chmod o+x "$work" # the server runs as postgres and must reach its data folder
  install -d -o "$( [ "$(id -u)" = 0 ] && echo postgres || id -un)" "$pg_data"
  pg_port=$((port + 1)); while port_listening "$pg_port"; do pg_port=$((pg_port + 1)); done
  say "PostgreSQL: a throwaway cluster on 127.0.0.1:$pg_port"
  as_postgres "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres --no-sync -E UTF8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; exit 1; }
  # fsync stays on (unlike the tests' cluster): the ledger's durability is part of what is measured.
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/server.log" \
    -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null \
    || { cat "$pg_data/server.log" >&2; exit 1; }
  pg_connection="Host=127.0.0.1;Port=$pg_port;Username=postgres"
fi
pg_database() { # $1: a new database's name; prints its connection string
  local admin="$pg_connection"
  PGCONNECT_TIMEOUT=10 psql "$(echo "$admin" | awk -F';' '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); k = tolower(kv[1]);
      if (k == "host") printf "host=%s ", kv[2]; if (k == "port") printf "port=%s ", kv[2]; if (k == "username") printf "user=%s ", kv[2]; if (k == "password") printf "password=%s ", kv[2] } }') dbname=postgres" \
    -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$admin;Database=$1"
}

# --- a working folder as an admin would set one up ---------------------------------------------------------
site="$work/site"
mkdir -p "$site/config" "$site/comparisons" "$site/data"
cp -r "$repo/templates" "$site/templates"
cp "$repo/config/digest.json" "$site/config/digest.json"
# The sample comparisons, republished over the past week (newest 20 hours ago), so they make this week's edition.
epoch=$(date -u +%s)
dates=""
for k in 1 2 3 4 5 6 7 8 9 10 11 12; do dates+="$(date -u -d "@$((epoch - k * 72000))" +%Y-%m-%dT%H:%M:%SZ) "; done
awk -v dates="$dates" -v dir="$site/comparisons" '
  BEGIN { n = split(dates, d, " ") }
  FNR == 1 { if (out) close(out); out = FILENAME; sub(/.*\//, "", out); out = dir "/" out }
  /"publishedAt"/ { k++; sub(/"publishedAt": *"[^"]*"/, "\"publishedAt\": \"" d[(k - 1) % n + 1] "\"") }
  { print > out }' "$repo"/config/comparisons/*.json

subscribers() { # $1: count, $2: file. Everyone follows every category, so every message carries the whole edition.
  awk -v n="$1" 'BEGIN {
    split("Ada Grace Alan Katherine Edsger Barbara Donald Frances Ken Radia Linus Margaret", first, " ")
    split("Lovelace Hopper Turing Johnson Dijkstra Liskov Knuth Allen Thompson Perlman Torvalds Hamilton", last, " ")
    print "{ \"subscribers\": ["
    for (i = 1; i <= n; i++) {
      f = first[(i - 1) % 12 + 1]; l = last[int((i - 1) / 12) % 12 + 1]
      printf "  { \"email\": \"%s.%s.%d@example.com\", \"name\": \"%s %s\" }%s\n", tolower(f), tolower(l), i, f, l, (i < n ? "," : "")
    }
    print "] }"
  }' >"$2"
}

# Settings the .NET way, as a container would get them; each run gets its own store.
export Digest__Templates__Path=templates Digest__Import__Path=comparisons Digest__Edition__MaxComparisons=5
export Digest__Smtp__Security=None Digest__Smtp__Connections="$connections" Digest__Smtp__Port="$port"
export Digest__Unsubscribe__Key="$(head -c 32 /dev/urandom | base64 -w0)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- message size, from the .eml files the worker writes when no SMTP host is set --------------------------
say "measuring the message size from the outbox"
subscribers 20 "$site/config/sizing.json"
(cd "$site" && Digest__Smtp__Host="" Digest__Store__Path=data/sizing.db Digest__Subscribers__Path=config/sizing.json \
  Digest__Outbox__Path=data/sizing-outbox "${digest[@]}" send-now >"$work/sizing.log" 2>&1) \
  || { cat "$work/sizing.log" >&2; echo "end-to-end: the outbox run failed" >&2; exit 1; }
emls=("$site"/data/sizing-outbox/edition-*/*.eml)
[ -f "${emls[0]}" ] || { cat "$work/sizing.log" >&2; echo "end-to-end: the outbox run wrote no .eml" >&2; exit 1; }
# On the wire every line ends in CRLF; the files may hold LF alone.
size=$(cat "${emls[@]}" | awk '{ sub(/\r$/, ""); bytes += length($0) + 2 } END { printf "%d", bytes / '"${#emls[@]}"' }')
comparisons=$(grep -o 'planned: [0-9]* comparisons' "$work/sizing.log" | grep -o '[0-9]*' || echo "?")
say "message: $size bytes on the wire (mean of ${#emls[@]} .eml files), $comparisons comparisons"

# --- the idle worker ---------------------------------------------------------------------------------------
say "idle worker: start-up memory"
(cd "$site" && exec env Digest__Smtp__Host=127.0.0.1 Digest__Store__Path=data/idle.db Digest__Subscribers__Path=config/sizing.json \
  Digest__Schedule__Cron="0 0 9 1 1 ? 2099" "${digest[@]}" run >"$work/idle.log" 2>&1) &
idle_pid=$!
for _ in $(seq 600); do grep -q "Worker started" "$work/idle.log" && break; kill -0 "$idle_pid" 2>/dev/null || break; nap 0.1; done
grep -q "Worker started" "$work/idle.log" || { cat "$work/idle.log" >&2; echo "end-to-end: the idle worker did not start" >&2; exit 1; }
idle_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$idle_pid/status")
kill -TERM "$idle_pid"
idle_status=0; wait "$idle_pid" || idle_status=$?
idle_pid=""
[ "$idle_status" = 0 ] || { cat "$work/idle.log" >&2; echo "end-to-end: the idle worker exited with $idle_status on SIGTERM" >&2; exit 1; }

# --- per size: the reference, the MailKit loop, then real editions -------------------------------------------
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f MB", kb / 1024 }'; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }
rows=()
failed=0
eml="${emls[0]}"

# One timed row: $1 label, $2 subscribers, $3 kind (mailkit, litedb, pg), $4 processes (1 or 2).
# Each process runs under GNU time, started at once; time to the 1st message is from that start until the
# sink has read the first message's final ".".
measure() {
  local label=$1 n=$2 kind=$3 procs=$4 count="$work/$3-$4-$2.count" k status t0 t1 first pid
  start_sink "$count"
  local sink_before; sink_before=$(sink_cpu_ticks)
  local -a env_store=()
  case "$kind" in
    litedb) env_store=(Digest__Store__Path="data/digest-$n.db") ;;
    pg) env_store=(Digest__Store__Provider=PostgreSql Digest__Store__ConnectionString="$(pg_database "digest_${n}_$procs")") ;;
  esac
  worker_pids=()
  t0=$(now_ns)
  for k in $(seq "$procs"); do
    if [ "$kind" = mailkit ]; then
      /usr/bin/time -v -o "$work/$kind-$procs-$n-$k.time" "${mailkit_loop[@]}" --eml "$eml" --port "$port" --count "$n" \
        --connections "$connections" >"$work/$kind-$procs-$n-$k.log" 2>&1 &
    else
      (cd "$site" && exec /usr/bin/time -v -o "$work/$kind-$procs-$n-$k.time" env Digest__Smtp__Host=127.0.0.1 "${env_store[@]}" \
        Digest__Subscribers__Path="config/subscribers-$n.json" "${digest[@]}" send-now >"$work/$kind-$procs-$n-$k.log" 2>&1) &
    fi
    worker_pids+=($!)
  done
  ( while [ ! -s "$count" ]; do nap 0.005; done; now_ns >"$work/$kind-$procs-$n.first" ) &
  watch_pid=$!
  local -a statuses=()
  for pid in "${worker_pids[@]}"; do status=0; wait "$pid" || status=$?; statuses+=("$status"); done
  worker_pids=()
  t1=$(now_ns)
  nap 0.2
  kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; watch_pid=""
  local sink_ticks=$(( $(sink_cpu_ticks) - sink_before ))
  local received; received=$(sink_messages "$count")
  stop_sink

  local sent=0 note="" peak_kb=0 cpu=0
  for k in $(seq "$procs"); do
    local log="$work/$kind-$procs-$n-$k.log" s=""
    if [ "$kind" = mailkit ]; then s=$(grep -o '^sent [0-9]*' "$log" | awk '{ print $2 }' || true)
    # What this process sent: with several workers on one edition, the edition's total is everyone's.
    else s=$(grep -o '[0-9]* this run in' "$log" | tail -n 1 | awk '{ print $1 }' || true); fi
    sent=$((sent + ${s:-0}))
    [ "$procs" -gt 1 ] && note+=" process $k: exit ${statuses[$((k - 1))]}, ${s:-0} sent;"
    local kb; kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$kind-$procs-$n-$k.time")
    [ "${kb:-0}" -gt "$peak_kb" ] && peak_kb=$kb
    cpu=$(awk -v c="$cpu" -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", c + u + s }' "$work/$kind-$procs-$n-$k.time")
  done
  [ "$procs" -gt 1 ] && say "$label, $n: $note"
  # With several processes, exit 4 (busy: another process held the sender lease) is an answer, not a failure:
  # the row says how the work was shared out.
  local bad=0 busy=0
  for status in "${statuses[@]}"; do
    if [ "$status" = 4 ] && [ "$procs" -gt 1 ]; then busy=$((busy + 1)); elif [ "$status" != 0 ]; then bad=1; fi
  done
  [ "$busy" -gt 0 ] && label+=" ($busy of $procs stood aside: exit 4, the lease was held)"
  if [ "$bad" = 1 ] || [ "$received" != "$n" ] || [ "$sent" != "$n" ]; then
    for k in $(seq "$procs"); do tail -n 15 "$work/$kind-$procs-$n-$k.log" >&2; done
    echo "end-to-end: $label, $n: exit codes ${statuses[*]}, the senders say $sent sent, the sink received $received of $n" >&2
    failed=1
    rows+=("| $label | $n | $size B | $ref_rate | failed: exit ${statuses[*]}, $received of $n received |  |  |  |  |  |  |")
    return
  fi
  if [ "$kind" != mailkit ]; then
    local planned; planned=$(grep -ho 'planned: [0-9]* comparisons' "$work/$kind-$procs-$n-"*.log | head -n 1 | grep -o '[0-9]*' || echo "?")
    [ "$planned" = 5 ] || say "warning: the edition had $planned comparisons, not 5"
  fi
  local elapsed=$((t1 - t0)) digest_rate ratio first_ms="n/a" sending_rate="n/a"
  digest_rate=$(rate "$n" "$elapsed")
  ratio=$(awk -v a="$digest_rate" -v b="$ref_rate" 'BEGIN { printf "%.2f", a / b }')
  if [ -s "$work/$kind-$procs-$n.first" ]; then
    first=$(cat "$work/$kind-$procs-$n.first")
    first_ms=$(( (first - t0) / 1000000 ))
    [ "$t1" -gt "$first" ] && sending_rate=$(rate $((n - 1)) $((t1 - first)))
  fi
  local sink_cpu wall
  sink_cpu=$(awk -v t="$sink_ticks" -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", t / hz }')
  wall=$(awk -v ns="$elapsed" 'BEGIN { printf "%.1f", ns / 1e9 }')
  rows+=("| $label | $n | $size B | $ref_rate | $digest_rate | ${ratio}× | $sending_rate | ${first_ms} ms | $(mb "$peak_kb") | ${wall} s | $cpu s / $sink_cpu s |")
  say "$label, $n: $digest_rate msg/s (reference $ref_rate, ${ratio}×), first message after ${first_ms} ms, peak $(mb "$peak_kb"), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $sizes; do
  # The reference: the wire's own speed for this many messages of this size over this many reused connections.
  say "$n messages: reference (smtp-source -d -s $connections -m $n -l $size)"
  start_sink "$work/ref-$n.count"
  t0=$(now_ns)
  /usr/bin/time -f "%U %S" -o "$work/ref-$n.time" \
    smtp-source -d -s "$connections" -m "$n" -l "$size" -f digest@weekly-verdicts.example.com -t reader@example.com "127.0.0.1:$port"
  t1=$(now_ns)
  nap 0.2 # the sink counts the last message as it reads "."; give it a moment before reading the counter
  ref_received=$(sink_messages "$work/ref-$n.count")
  stop_sink
  [ "$ref_received" = "$n" ] || { echo "end-to-end: the sink received $ref_received of $n reference messages" >&2; exit 1; }
  ref_rate=$(rate "$n" $((t1 - t0)))
  ref_cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$work/ref-$n.time")
  rows+=("| smtp-source (the wire) | $n | $size B | $ref_rate | $ref_rate | 1.00× | $ref_rate | | | $(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e9 }') s | $ref_cpu s / |")

  subscribers "$n" "$site/config/subscribers-$n.json"
  say "$n messages: plain MailKit loop ($connections connections)"
  measure "MailKit loop" "$n" mailkit 1
  say "$n subscribers: Digest send-now on LiteDB (Release, $connections connections)"
  measure "Digest, LiteDB" "$n" litedb 1
  if [ "$postgres" = 1 ] && [[ " $pg_sizes " == *" $n "* ]]; then
    say "$n subscribers: Digest send-now on PostgreSQL, one worker"
    measure "Digest, PostgreSQL, 1 worker" "$n" pg 1
    # Two send-now processes on one edition: what the second does depends on whether workers share an edition.
    say "$n subscribers: Digest send-now on PostgreSQL, two workers at once"
    measure "Digest, PostgreSQL, 2 workers" "$n" pg 2
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ---------------------------------------------------------------------------------------------
{
  echo
  echo "Digest end-to-end, $(date -u +%Y-%m-%d), $(nproc) cores, $connections connections, $comparisons comparisons; load average $load_before before, $load_after after"
  echo
  echo "| sender | subscribers | message | reference msg/s | msg/s | ratio | msg/s from 1st message | time to 1st message | peak RSS | wall | CPU sender / sink |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Idle worker after start-up: $(mb "$idle_kb") resident (VmRSS)."
  echo
  echo "msg/s: subscribers / (the sender's start to exit); for Digest that includes start-up, planning and the ledger."
  echo "MailKit loop: one .eml parsed once, re-addressed per recipient, NoDelay sockets, nothing rendered or recorded."
  echo "Two workers: two send-now processes started at once on one PostgreSQL store; CPU and peak RSS: the sum and the larger."
  echo "Time to 1st message: from launching send-now until smtp-sink had read the first message's final \".\"."
  echo "Reference: smtp-source -d, same count, size and connections, into the same smtp-sink."
} | tee ${out:+"$out"}
exit "$failed"
