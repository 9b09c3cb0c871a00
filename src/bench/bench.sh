#!/usr/bin/env bash
# sqlbak benchmark: `sqlbak backup` against `sqlite3 .backup`, `cp`, `cp` + fsync and the
# by-hand pipeline, measured interleaved in one run on a generated database.
#
# This is a benchmark, not a test: it asserts nothing and is not part of any Maven phase.
#
# Usage (from the repository root, after ./mvnw -B -q package -DskipTests):
#
#   src/bench/bench.sh                       # 1 GiB rollback-journal database, 3 rounds
#   SIZE_MB=100 ROUNDS=5 src/bench/bench.sh  # another size / more rounds
#   src/bench/bench.sh --size "100 1024" --modes "rollback wal"
#   src/bench/bench.sh --help
#   SQLBAK_BASELINE=/tmp/before/target/sqlbak src/bench/bench.sh   # start-up also of an older build
#
# Options (each also settable as the environment variable in brackets):
#   --size MB...      [SIZE_MB=1024]    database size(s) in MiB; a space-separated list runs each
#                                       (0: none, e.g. to run only the remote row and start-up)
#   --modes M...      [MODES=rollback]  journal mode(s) of the source: rollback, wal
#   --rounds N        [ROUNDS=3]        interleaved rounds (A B C ... A B C ...); median and min
#   --startup-rounds N [STARTUP_ROUNDS=10] rounds of the 1 MiB start-up measurement (0: skip)
#   --workdir DIR     [WORKDIR=/tmp/sqlbak-bench]  cached databases (db/) and outputs (out/)
#   --sqlbak FILE     [SQLBAK=<repo>/target/sqlbak] the sqlbak launcher to measure
#   --methods LETTERS [METHODS=abcdefgz] which of the methods below to run
#                     [SQLBAK_ARGS=]     extra arguments for every sqlbak backup (e.g. "-p 1024")
#                     [SETTLE=0.5]       seconds to pause after the untimed `sync` before each run
#   --writer MB       [WRITER_MB=1024]  size of the database backed up under a back-to-back writer,
#                                       in each of MODES (0: skip that part)
#   --writer-rounds N [WRITER_ROUNDS=5] backups under the writer per mode (median ratio printed)
#   --writer-idle S   [WRITER_IDLE_S=6] seconds of the writer alone, before each backup, that its
#                                       idle p99 is taken from
#   --remote MB       [REMOTE_MB=256]   size of the database of the remote row (S3; 0: skip it)
#   --remote-rounds N [REMOTE_ROUNDS=3] interleaved rounds of the remote row
#   --remote-methods L [REMOTE_METHODS=acsru] which of (a) (c) (s) (r) (u) the remote row runs
#                     [S3_CLASSPATH=]   class path of the S3 server (default: target/test-classes
#                                       and the test class path from ./mvnw dependency:build-classpath)
#   --baseline FILE   [SQLBAK_BASELINE=] an older sqlbak launcher (e.g. built before the AWS SDK was
#                                       added) whose --version and 1 MiB backup the start-up
#                                       measurement interleaves with SQLBAK's; jar sizes printed
#
# Methods, each writing WORKDIR/out/out.db (deleted, with everything else in out/, after each run):
#   (a) sqlbak backup -q SRC out.db               default: copy, quick_check, .sha256, fsync, rename
#   (b) sqlbak backup -q --check none SRC out.db
#   (c) sqlite3 SRC ".backup out.db"
#   (d) cp SRC out.db && sync out.db               cp + fsync of the file
#   (e) cp SRC out.db                              plain cp (not durable)
#   (f) sqlite3 SRC ".backup out.db"; quick_check must say ok; sha256sum out.db > out.db.sha256;
#       sync out.db out.db.sha256 out/           what one would script by hand (durable likewise)
#   (g) sqlbak backup -q --compress gzip SRC out.db   -> out.db.gz (size ratio printed)
#   (z) sqlbak backup -q --compress zstd SRC out.db   -> out.db.zst (size ratio printed)
#   (x) sqlbak backup -q --encrypt-to KEY SRC out.db  -> out.db.age, to a key made once in WORKDIR
#                                                      by `sqlbak keygen` (add x to run it)
#   (y) sqlbak backup -q --compress zstd --encrypt-to KEY SRC out.db  -> out.db.zst.age: the cost
#                                                      of encryption next to (z) (add y to run it)
#   (h) sqlite3 SRC ".backup out.db"; quick_check must say ok; zstd -q out.db | age -r KEY
#       > out.db.zst.age; sync: the same by hand (needs zstd and age; add h to run it)
#   (t) sqlbak backup -q --table events SRC out.db    logical copy of the one table, row by row;
#                                                      not in the default METHODS (add t to run it)
#   (k) sqlbak backup -q --compact SRC out.db         VACUUM INTO, checked and published (add k)
#   (v) sqlite3 SRC "VACUUM INTO 'out.db'"; sync out.db     what --compact and --table are measured
#                                                      against: SQLite's own rewrite (add v)
# The remote row (REMOTE_MB, its own REMOTE_METHODS), to a local S3 server (below):
#   (s) sqlbak backup -q --s3-endpoint http://127.0.0.1:PORT --s3-path-style SRC s3://bench/sqlbak/
#       staged in $TMPDIR, quick_check, SHA-256 sidecar, uploaded (multipart over 16 MiB, Content-MD5)
#   (r) sqlite3 SRC ".backup out.db"; quick_check must say ok; rclone copyto out.db bench:bench/rclone/out.db
#       what one would script by hand with rclone (rclone's defaults: MD5 of the file first,
#       multipart over 200 MiB in 5 MiB chunks, 4 at a time)
#   (u) rclone copyto SRC bench:bench/upload/SRC     the upload alone, of the (idle) source
#   (a), (c) as above, local, for the RSS and the time without the upload
#
# What it does:
#   * Generates each test database once and caches it in WORKDIR/db (reruns skip generation).
#     Generation is deterministic: the same sqlite3 version produces the same bytes for the same
#     size (the SHA-256 is printed and kept in a sidecar). Content: one table events(id INTEGER
#     PRIMARY KEY, created_at, account, kind, body) with pseudo-random rows computed from the
#     row id by integer hashing in a recursive CTE (no randomblob), an index on
#     (account, created_at) filled in random order, 4 KiB pages, rollback journal (DELETE). The
#     WAL variant is the same file switched to journal_mode=WAL. Rows are added until the file
#     reaches SIZE_MB MiB (it ends a little above).
#   * Warms the page cache by hashing the source (and compares the hash with the cached one),
#     then runs the methods interleaved for ROUNDS rounds. Before each timed run: outputs
#     deleted, an untimed `sync`, a short pause. Wall time is taken with bash's EPOCHREALTIME
#     around the command; peak RSS of each command (largest process in it) with /usr/bin/time
#     (Debian package `time`) if present, else via python3's resource.getrusage(RUSAGE_CHILDREN)
#     (then small commands read about python's own size, ~13 MiB, from the fork before exec).
#   * Prints per method: median and min wall seconds, MiB/s (database size / median), ratios of
#     medians vs (c) sqlite3 .backup and vs (d) cp + fsync (below 1 = faster), peak RSS, and the
#     individual runs; then (a)/(f) and (b)/(c).
#   * Under a writer: a copy of the MB database is written by BackToBackWriter.java (next to
#     this script; one small INSERT transaction after another, no pause, busy_timeout 120 s),
#     run with sqlbak's own jar as class path (WRITER_CLASSPATH overrides it, e.g. when --sqlbak
#     names a wrapper script). After 2 s of warming up and WRITER_IDLE_S s of writing alone,
#     `sqlbak backup --json` runs; printed: its wall time, restarts, busy retries and snapshot hold
#     time from its JSON, and the writer's commit latency (count, p50, p99, max) alone (the
#     WRITER_IDLE_S s before the backup) and during it. The idle window is long because the
#     writer's p99 alone swings from second to second (0.2-0.55 ms in 1 s windows on the
#     project's machine, 0.29-0.55 ms in 2 s windows, 0.45-0.49 ms in 5 s windows). In
#     WAL mode each round also measures a floor on a fresh copy: a sqlite3 read transaction that
#     copies nothing but holds its snapshot as long as sqlbak held its own (a held snapshot keeps
#     checkpoints from resetting the WAL, so the writer appends to a growing file). WRITER_ROUNDS
#     rounds per mode; the median ratio of p99 during / p99 alone is printed for both, and the
#     median of sqlbak's p99 during / the floor's p99 during (what sqlbak adds to holding a snapshot).
#   * Remote row: starts S3Proxy (the test-scope dependency org.gaul:s3proxy) as a process of
#     its own, dev.sqlbak.storage.s3.S3ServerMain from target/test-classes, on 127.0.0.1 only,
#     with its filesystem backend in WORKDIR/s3 (objects are files on the same disk as out/), and
#     runs the REMOTE_METHODS interleaved on a REMOTE_MB database, REMOTE_ROUNDS rounds after one
#     untimed round (the server's JVM warms up); the bucket's objects are deleted (untimed)
#     before each run. Both uploads use the same keys; the
#     environment is set for both: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
#     AWS_EC2_METADATA_DISABLED=true, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE empty files
#     (never ~/.aws), other AWS_* (AWS_PROFILE, AWS_ENDPOINT_URL, AWS_CA_BUNDLE: rclone 1.60 fails
#     with "LoadCustomCABundleError" when it is set) unset; rclone's remote "bench" comes from
#     RCLONE_CONFIG_BENCH_* variables and RCLONE_CONFIG is an empty file (never the user's). Prints
#     the table with ratios against (c) and (r), (s)/(r), (s)/(a), and peak RSS of (s) (the SDK
#     loaded) against (a). Nothing is sent to any other address than 127.0.0.1.
#   * Start-up: backs up a 1 MiB database end to end, interleaved with `sqlbak --version` and
#     `sqlite3 .backup` of the same database, STARTUP_ROUNDS times; with SQLBAK_BASELINE, also
#     that build's --version and 1 MiB backup in the same rounds, and both jars' and class-data
#     sharing archives' sizes. Before it (and before the whole run) each launcher's class-data
#     sharing archive is made if missing (its first run trains it in the background), so that no
#     training run competes with the measurements.
#
# Results go to stdout, progress to stderr: `src/bench/bench.sh > bench.txt` keeps the table.
#
# Requires: bash >= 5, sqlite3 (Debian package sqlite3), coreutils (cp, sync, sha256sum, stat),
# awk, java (for sqlbak); optional: /usr/bin/time (package `time`) or python3, for peak RSS.
# The remote row also needs rclone (Debian package rclone; 1.60 is enough) and the test classes
# (./mvnw -B -q package -DskipTests compiles them; so does ./mvnw -B -q test-compile); --remote 0
# skips it.
# The default run (1 GiB, rollback, 3 rounds) took about 2 minutes on a 2-core machine, plus
# 25 s to generate the database the first time; sizes "100 1024" x modes "rollback wal" take
# about twice as long.

set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/../.." && pwd)

SIZE_MB=${SIZE_MB:-1024}
MODES=${MODES:-rollback}
ROUNDS=${ROUNDS:-3}
STARTUP_ROUNDS=${STARTUP_ROUNDS:-10}
WORKDIR=${WORKDIR:-/tmp/sqlbak-bench}
SQLBAK=${SQLBAK:-$repo_dir/target/sqlbak}
METHODS=${METHODS:-abcdefgz}
SQLBAK_ARGS=${SQLBAK_ARGS:-}
SETTLE=${SETTLE:-0.5}
WRITER_MB=${WRITER_MB:-1024}
WRITER_ROUNDS=${WRITER_ROUNDS:-5}
WRITER_IDLE_S=${WRITER_IDLE_S:-6}
REMOTE_MB=${REMOTE_MB:-256}
REMOTE_ROUNDS=${REMOTE_ROUNDS:-3}
REMOTE_METHODS=${REMOTE_METHODS:-acsru}
S3_CLASSPATH=${S3_CLASSPATH:-}
SQLBAK_BASELINE=${SQLBAK_BASELINE:-}

# Bump when the generator changes, so that cached databases of the old generator are not reused.
GENERATOR_VERSION=1

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "bench.sh: $*" >&2; exit 2; }
note() { echo "bench.sh: $*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --size) SIZE_MB=${2:?--size needs a value}; shift 2 ;;
    --modes) MODES=${2:?--modes needs a value}; shift 2 ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift 2 ;;
    --startup-rounds) STARTUP_ROUNDS=${2:?--startup-rounds needs a value}; shift 2 ;;
    --workdir) WORKDIR=${2:?--workdir needs a value}; shift 2 ;;
    --sqlbak) SQLBAK=${2:?--sqlbak needs a value}; shift 2 ;;
    --methods) METHODS=${2:?--methods needs a value}; shift 2 ;;
    --writer) WRITER_MB=${2:?--writer needs a value}; shift 2 ;;
    --writer-rounds) WRITER_ROUNDS=${2:?--writer-rounds needs a value}; shift 2 ;;
    --writer-idle) WRITER_IDLE_S=${2:?--writer-idle needs a value}; shift 2 ;;
    --remote) REMOTE_MB=${2:?--remote needs a value}; shift 2 ;;
    --remote-rounds) REMOTE_ROUNDS=${2:?--remote-rounds needs a value}; shift 2 ;;
    --remote-methods) REMOTE_METHODS=${2:?--remote-methods needs a value}; shift 2 ;;
    --baseline) SQLBAK_BASELINE=${2:?--baseline needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    [0-9]*) SIZE_MB=$1; shift ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# Preconditions

[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "needs bash 5 or newer (for EPOCHREALTIME)"
for tool in sqlite3 sha256sum cp sync stat awk sort; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian: apt-get install sqlite3 coreutils gawk)"
done
[ -x "$SQLBAK" ] || die "sqlbak not found at $SQLBAK; build it first: ./mvnw -B -q package -DskipTests (or set SQLBAK)"
for s in $SIZE_MB; do
  [[ $s =~ ^[0-9]+$ ]] || die "size must be a whole number of MiB (0: no local table): $s"
done
for m in $MODES; do
  [[ $m == rollback || $m == wal ]] || die "mode must be rollback or wal: $m"
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "rounds must be a positive number: $ROUNDS"
[[ $STARTUP_ROUNDS =~ ^[0-9]+$ ]] || die "startup rounds must be a number: $STARTUP_ROUNDS"
[[ $WRITER_MB =~ ^[0-9]+$ ]] || die "writer size must be a number of MiB: $WRITER_MB"
[[ $WRITER_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "writer rounds must be a positive number: $WRITER_ROUNDS"
[[ $WRITER_IDLE_S =~ ^[1-9][0-9]*$ ]] || die "writer idle seconds must be a positive number: $WRITER_IDLE_S"
[[ $METHODS =~ ^[a-fghztkvxy]+$ ]] || die "methods must be letters among abcdefghztkvxy: $METHODS"
[[ $REMOTE_MB =~ ^[0-9]+$ ]] || die "remote size must be a number of MiB: $REMOTE_MB"
[[ $REMOTE_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "remote rounds must be a positive number: $REMOTE_ROUNDS"
[[ $REMOTE_METHODS =~ ^[acsru]+$ ]] || die "remote methods must be letters among acsru: $REMOTE_METHODS"
# The launchers as absolute paths: their class-data-sharing archives are found by that path.
case $SQLBAK in /*) ;; *) SQLBAK=$PWD/$SQLBAK ;; esac
if [ -n "$SQLBAK_BASELINE" ]; then
  case $SQLBAK_BASELINE in /*) ;; *) SQLBAK_BASELINE=$PWD/$SQLBAK_BASELINE ;; esac
  [ -x "$SQLBAK_BASELINE" ] || die "no sqlbak launcher at $SQLBAK_BASELINE (SQLBAK_BASELINE)"
fi
if [[ $METHODS == *h* ]] && ! { command -v zstd && command -v age; } >/dev/null 2>&1; then
  die "method h needs the zstd and age CLIs (Debian: apt-get install zstd age)"
fi
if [ "$REMOTE_MB" -gt 0 ]; then
  if [[ $REMOTE_METHODS == *[ru]* ]] && ! command -v rclone >/dev/null 2>&1; then
    die "rclone not found, needed by the remote row (Debian: apt-get install rclone), or --remote 0 to skip it"
  fi
  if [ -z "$S3_CLASSPATH" ] && [ ! -f "$repo_dir/target/test-classes/dev/sqlbak/storage/s3/S3ServerMain.class" ]; then
    die "the S3 server's class is not compiled: ./mvnw -B -q test-compile (or --remote 0 to skip the remote row)"
  fi
fi

if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
  RSS_TOOL=time
elif command -v python3 >/dev/null 2>&1; then
  RSS_TOOL=python
else
  RSS_TOOL=none
  note "neither /usr/bin/time (Debian package 'time') nor python3 found: peak RSS not measured"
fi

DB_DIR=$WORKDIR/db
OUT=$WORKDIR/out
mkdir -p "$DB_DIR" "$OUT"
OUT=$(cd "$OUT" && pwd)
DB_DIR=$(cd "$DB_DIR" && pwd)
TMP=$(mktemp -d "$WORKDIR/tmp.XXXXXX")
S3_PID=
cleanup() {
  if [ -n "$S3_PID" ]; then
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  find "$OUT" -mindepth 1 -delete 2>/dev/null || true
  [ -z "${S3_DIR:-}" ] || rm -rf "$S3_DIR"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Deterministic database generation

# The body text is a window into this paragraph, chosen and sized by the row's hash.
LOREM='Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.'

# SQL that appends rows $1..$2 to the database. Every value is a function of the row id only:
# h is an integer hash of i (multiply, xor-shift, multiply; xor written as (a|b)-(a&b), all
# products below 2^63 so SQLite never switches to floating point).
insert_sql() {
  cat <<EOF
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2),
a(i, x) AS (SELECT i, (i * 2654435761) % 4294967296 FROM n),
b(i, h) AS (SELECT i, (((x | (x >> 15)) - (x & (x >> 15))) * 1597334677) % 4294967296 FROM a),
c(i, h) AS (SELECT i, (((h | (h >> 13)) - (h & (h >> 13))) * 1103515245) % 4294967296 FROM b)
INSERT INTO events(id, created_at, account, kind, body)
SELECT i,
       1700000000 + i * 3 + h % 3,
       printf('acct-%06d', h % 50000),
       CASE h % 7 WHEN 0 THEN 'login' WHEN 1 THEN 'logout' WHEN 2 THEN 'purchase'
                  WHEN 3 THEN 'refund' WHEN 4 THEN 'page_view' WHEN 5 THEN 'update'
                  ELSE 'search' END,
       substr('$LOREM', 1 + (h >> 3) % 600, 40 + (h >> 12) % 300) || printf(' [ref %08x]', h)
FROM c;
COMMIT;
EOF
}

file_size() { stat -c %s "$1"; }

# Prints the path of the cached database of $1 MiB in mode $2, generating it if needed.
database() {
  local mb=$1 mode=$2
  local file=$DB_DIR/events-${mb}MiB-$mode-g$GENERATOR_VERSION.db
  if [ -f "$file" ] && [ -f "$file.sha256" ]; then
    echo "$file"
    return
  fi
  local work=$TMP/gen.db
  rm -f "$work" "$work"-*
  if [ "$mode" = wal ]; then
    local base
    base=$(database "$mb" rollback)
    note "making the WAL variant of $(basename "$base")"
    cp "$base" "$work"
    [ "$(sqlite3 "$work" 'PRAGMA journal_mode=WAL')" = wal ] || die "could not switch $work to WAL"
  else
    local target=$((mb * 1048576)) rows=0 size bpr=280 next t0=$SECONDS
    note "generating a ${mb} MiB database (once; cached in $DB_DIR)"
    sqlite3 "$work" "PRAGMA page_size=4096; PRAGMA journal_mode=DELETE;
      CREATE TABLE events(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,
        account TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX events_account ON events(account, created_at);" >/dev/null
    size=$(file_size "$work")
    # Add rows in chunks until the file reaches the target; each chunk's size comes from the
    # bytes per row so far, so the whole sequence (and the file) is deterministic.
    while [ "$size" -lt "$target" ]; do
      next=$(( (target - size + bpr - 1) / bpr ))
      [ "$next" -gt 500000 ] && next=500000
      [ "$next" -lt 100 ] && next=100
      insert_sql $((rows + 1)) $((rows + next)) | sqlite3 "$work" >/dev/null
      rows=$((rows + next))
      size=$(file_size "$work")
      bpr=$((size / rows))
      note "  $rows rows, $((size / 1048576)) MiB"
    done
    note "generated in $((SECONDS - t0)) s"
  fi
  [ "$(sqlite3 "$work" 'PRAGMA page_size')" = 4096 ] || die "generated database does not have 4 KiB pages"
  rm -f "$work"-wal "$work"-shm "$work"-journal
  (cd "$TMP" && sha256sum gen.db) | awk '{print $1}' >"$file.sha256"
  mv "$work" "$file"
  echo "$file"
}

# ---------------------------------------------------------------------------------------------
# Measuring

# Runs the shell command $1 (stdout+stderr to $2); sets LAST_US (wall microseconds),
# LAST_RSS_KB (peak RSS of the largest process, KiB; empty if unknown) and LAST_RC.
measure() {
  local cmd=$1 log=$2 t0 t1 rc=0
  LAST_RSS_KB=
  case $RSS_TOOL in
    time)
      t0=${EPOCHREALTIME/./}
      /usr/bin/time -f '%M' -o "$TMP/rss" bash -c "$cmd" >"$log" 2>&1 || rc=$?
      t1=${EPOCHREALTIME/./}
      LAST_US=$((t1 - t0))
      LAST_RSS_KB=$(tail -n 1 "$TMP/rss")
      ;;
    python)
      # Timed inside python, so that python's own start-up is not counted.
      python3 -c '
import resource, subprocess, sys, time
with open(sys.argv[2], "w") as log:
    t0 = time.perf_counter()
    rc = subprocess.call(["bash", "-c", sys.argv[1]], stdout=log, stderr=log)
    t1 = time.perf_counter()
with open(sys.argv[3], "w") as f:
    f.write("%d %d\n" % (round((t1 - t0) * 1e6), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$cmd" "$log" "$TMP/rss" || rc=$?
      read -r LAST_US LAST_RSS_KB <"$TMP/rss"
      ;;
    *)
      t0=${EPOCHREALTIME/./}
      bash -c "$cmd" >"$log" 2>&1 || rc=$?
      t1=${EPOCHREALTIME/./}
      LAST_US=$((t1 - t0))
      ;;
  esac
  LAST_RC=$rc
}

clean_out() { find "$OUT" -mindepth 1 -delete; }

# Untimed: outputs gone, dirty pages written back, a moment for the disk to settle.
settle() {
  clean_out
  sync
  sleep "$SETTLE"
}

declare -A SAMPLES RSS FAILED

# Records one run of method $2 under key prefix $1.
record() {
  local key=$1:$2
  if [ "$LAST_RC" -ne 0 ]; then
    FAILED[$key]=$LAST_RC
    note "FAILED ($LAST_RC): $2 under $1: $(tail -n 3 "$TMP/log" | tr '\n' ' ')"
    return
  fi
  SAMPLES[$key]="${SAMPLES[$key]:-} $LAST_US"
  if [ -n "$LAST_RSS_KB" ] && { [ -z "${RSS[$key]:-}" ] || [ "$LAST_RSS_KB" -gt "${RSS[$key]}" ]; }; then
    RSS[$key]=$LAST_RSS_KB
  fi
}

# "median min" in seconds of a list of microsecond samples.
stats() {
  if [ -z "${1// /}" ]; then echo "- -"; return; fi
  printf '%s\n' $1 | sort -n | awk '{v[NR] = $1} END {
    if (NR == 0) { print "- -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.6f %.6f\n", m / 1e6, v[1] / 1e6 }'
}

median_of() { local s; s=$(stats "${SAMPLES[$1]:-}"); echo "${s% *}"; }

fmt_rss() { if [ -n "${1:-}" ]; then awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; else echo "n/a"; fi; }

fmt_runs() { printf '%s\n' $1 | awk '{printf "%s%.3f", (NR > 1 ? " " : ""), $1 / 1e6}'; }

# ratio of two numbers, or "-" if either is missing
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a == "" || b == "-" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

sqlbak_cmd() { echo "'$SQLBAK' backup -q $SQLBAK_ARGS $*"; }

mode_label() { if [ "$1" = wal ]; then echo WAL-mode; else echo rollback-journal; fi; }

method_label() {
  case $1 in
    a) echo "(a) sqlbak backup (default)" ;;
    b) echo "(b) sqlbak backup --check none" ;;
    c) echo "(c) sqlite3 .backup" ;;
    d) echo "(d) cp + fsync" ;;
    e) echo "(e) cp" ;;
    f) echo "(f) by hand: .backup+quick_check+sha256sum+sync" ;;
    g) echo "(g) sqlbak backup --compress gzip" ;;
    z) echo "(z) sqlbak backup --compress zstd" ;;
    x) echo "(x) sqlbak backup --encrypt-to" ;;
    y) echo "(y) sqlbak backup --compress zstd --encrypt-to" ;;
    h) echo "(h) by hand: .backup+quick_check+zstd|age+sync" ;;
    t) echo "(t) sqlbak backup --table events" ;;
    k) echo "(k) sqlbak backup --compact" ;;
    v) echo "(v) sqlite3 VACUUM INTO + sync" ;;
    V) echo "sqlbak --version" ;;
    s) echo "(s) sqlbak backup to s3://bench/sqlbak/" ;;
    r) echo "(r) by hand: .backup+quick_check+rclone copyto" ;;
    u) echo "(u) rclone copyto of the source (upload alone)" ;;
    W) echo "baseline: sqlbak --version" ;;
    A) echo "baseline: sqlbak backup (default)" ;;
  esac
}

method_cmd() {
  local src=$1 dst=$OUT/out.db
  case $2 in
    a) sqlbak_cmd "'$src' '$dst'" ;;
    b) sqlbak_cmd "--check none '$src' '$dst'" ;;
    c) echo "sqlite3 '$src' \".backup '$dst'\"" ;;
    d) echo "cp '$src' '$dst' && sync '$dst'" ;;
    e) echo "cp '$src' '$dst'" ;;
    f) echo "sqlite3 '$src' \".backup '$dst'\" && test \"\$(sqlite3 '$dst' 'PRAGMA quick_check')\" = ok && (cd '$OUT' && sha256sum out.db > out.db.sha256) && sync '$dst' '$dst.sha256' '$OUT'" ;;
    g) sqlbak_cmd "--compress gzip '$src' '$dst'" ;;
    z) sqlbak_cmd "--compress zstd '$src' '$dst'" ;;
    x) sqlbak_cmd "--encrypt-to '$(age_key)' '$src' '$dst'" ;;
    y) sqlbak_cmd "--compress zstd --encrypt-to '$(age_key)' '$src' '$dst'" ;;
    h) echo "sqlite3 '$src' \".backup '$dst'\" && test \"\$(sqlite3 '$dst' 'PRAGMA quick_check')\" = ok && zstd -q -c '$dst' | age -r '$(age_key)' > '$dst.zst.age' && rm '$dst' && sync '$dst.zst.age'" ;;
    t) sqlbak_cmd "--table events '$src' '$dst'" ;;
    k) sqlbak_cmd "--compact '$src' '$dst'" ;;
    v) echo "sqlite3 '$src' \"VACUUM INTO '$dst'\" && sync '$dst'" ;;
    V) echo "'$SQLBAK' --version" ;;
    s) sqlbak_cmd "--s3-endpoint '$S3_ENDPOINT' --s3-path-style '$src' s3://bench/sqlbak/" ;;
    r) echo "sqlite3 '$src' \".backup '$dst'\" && test \"\$(sqlite3 '$dst' 'PRAGMA quick_check')\" = ok && rclone copyto -q '$dst' bench:bench/rclone/out.db" ;;
    u) echo "rclone copyto -q '$src' 'bench:bench/upload/$(basename "$src")'" ;;
    W) echo "'$SQLBAK_BASELINE' --version" ;;
    A) echo "'$SQLBAK_BASELINE' backup -q $SQLBAK_ARGS '$src' '$dst'" ;;
  esac
}

# The public key the encrypting methods encrypt to: made once with `sqlbak keygen` in WORKDIR.
age_key() {
  local key=$WORKDIR/bench-age.key
  if [ ! -f "$key.pub" ]; then
    rm -f "$key"
    "$SQLBAK" keygen "$key" > "$key.pub" || die "sqlbak keygen failed"
  fi
  cat "$key.pub"
}

# Size of what a compressing method wrote, remembered per key for the ratio line.
declare -A OUTSIZE
remember_output_size() {
  local key=$1:$2 f
  for f in "$OUT"/out.db.gz "$OUT"/out.db.zst "$OUT"/out.db.age "$OUT"/out.db.zst.age; do
    [ -f "$f" ] && OUTSIZE[$key]=$(file_size "$f")
  done
  return 0
}

# Hashes the database (warming the page cache) and compares with the hash taken at generation.
warm() {
  local file=$1 sum
  sum=$(sha256sum "$file" | awk '{print $1}')
  if [ "$sum" = "$(cat "$file.sha256")" ]; then
    echo "$sum (same as at generation)"
  else
    echo "$sum (DIFFERS from $(cat "$file.sha256") at generation: the cached file changed)"
  fi
}

# $4 and $5: the methods the ratio columns compare with (default c and d).
print_table() {
  local prefix=$1 mib=$2 methods=$3 b1=${4:-c} b2=${5:-d} m s med min key rc tp vc vd
  local base_c base_d
  base_c=$(median_of "$prefix:$b1")
  base_d=$(median_of "$prefix:$b2")
  echo "  vs ($b1), vs ($b2): median / median of $(method_label "$b1"), of $(method_label "$b2") (below 1.00: faster)"
  printf '  %-48s %8s %8s %8s %9s %9s %10s  %s\n' method "median s" "min s" "MiB/s" \
    "vs ($b1)" "vs ($b2)" "peak RSS" "runs (s)"
  for m in $(echo "$methods" | grep -o .); do
    key=$prefix:$m
    if [ -n "${FAILED[$key]:-}" ]; then
      rc=" (failed with exit ${FAILED[$key]} at least once)"
    else
      rc=
    fi
    s=$(stats "${SAMPLES[$key]:-}")
    med=${s% *}
    min=${s#* }
    if [ "$med" = - ]; then
      printf '  %-48s %s\n' "$(method_label "$m")" "no successful run$rc"
      continue
    fi
    tp=$(awk -v a="$mib" -v t="$med" 'BEGIN {printf "%.0f", a / t}')
    vc=$(ratio "$med" "$base_c")
    vd=$(ratio "$med" "$base_d")
    printf '  %-48s %8.3f %8.3f %8s %9s %9s %10s  %s%s\n' "$(method_label "$m")" "$med" "$min" \
      "$tp" "$vc" "$vd" "$(fmt_rss "${RSS[$key]:-}")" "$(fmt_runs "${SAMPLES[$key]}")" "$rc"
  done
}

# The class-data-sharing archive that launcher $1 (an absolute path) made for itself, if any:
# the launcher keeps it in $XDG_CACHE_HOME/sqlbak/cds (else ~/.cache/sqlbak/cds), with a .src
# file whose first line is the launcher's path.
cds_archive() {
  local dir f
  case ${XDG_CACHE_HOME:-} in
    /*) dir=$XDG_CACHE_HOME/sqlbak/cds ;;
    *) dir=${HOME:+$HOME/.cache/sqlbak/cds} ;;
  esac
  [ -n "$dir" ] || return 1
  for f in "$dir"/sqlbak-*.src; do
    [ -f "$f" ] || continue
    if [ "$(sed -n 1p "$f")" = "$1" ] && [ -f "${f%.src}.jsa" ] && [ ! "$1" -nt "${f%.src}.jsa" ]; then
      echo "${f%.src}.jsa"
      return 0
    fi
  done
  return 1
}

# Makes sure launcher $1 has its archive: its first run trains one in the background, and a
# training run beside a timed run would be measured with it. Waits up to 2 minutes.
ensure_cds() {
  local i
  cds_archive "$1" >/dev/null && return 0
  note "making the class-data-sharing archive of $1 (its first run trains it in the background)"
  "$1" --version >/dev/null 2>&1 || true
  for ((i = 0; i < 240; i++)); do
    cds_archive "$1" >/dev/null && return 0
    sleep 0.5
  done
  note "no class-data-sharing archive for $1 after 2 minutes: it starts without one"
}

# The local S3 server of the remote row: S3Proxy with its filesystem backend in S3_DIR, a process
# of its own on 127.0.0.1 (it exits by itself when this script is gone). Sets S3_PID, S3_ENDPOINT.
S3_BUCKET_DIR=
start_s3_server() {
  local cp=$S3_CLASSPATH port= i
  if [ -z "$cp" ]; then
    note "asking Maven for the test class path of the S3 server"
    if ! (cd "$repo_dir" && ./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile="$TMP/cp.txt" \
        >"$TMP/mvn.log" 2>&1) && ! (cd "$repo_dir" && ./mvnw -B -q dependency:build-classpath \
        -Dmdep.outputFile="$TMP/cp.txt" >"$TMP/mvn.log" 2>&1); then
      die "could not get the test class path: $(tail -n 5 "$TMP/mvn.log")"
    fi
    cp=$repo_dir/target/test-classes:$(cat "$TMP/cp.txt")
  fi
  S3_DIR=$WORKDIR/s3
  rm -rf "$S3_DIR"
  mkdir -p "$S3_DIR"
  java -XX:+UseSerialGC -cp "$cp" dev.sqlbak.storage.s3.S3ServerMain "$S3_DIR/store" \
    >"$TMP/s3.out" 2>"$TMP/s3.err" </dev/null &
  S3_PID=$!
  for ((i = 0; i < 600; i++)); do
    port=$(awk '/^PORT / {print $2}' "$TMP/s3.out")
    [ -n "$port" ] && break
    kill -0 "$S3_PID" 2>/dev/null || die "the S3 server exited: $(tail -n 5 "$TMP/s3.err")"
    sleep 0.1
  done
  [ -n "$port" ] || die "the S3 server did not start within 60 s: $(tail -n 5 "$TMP/s3.err")"
  S3_ENDPOINT=http://127.0.0.1:$port
  # Both clients get the same keys (the ones S3ServerMain accepts), from the environment only.
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
    AWS_CA_BUNDLE AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_DEFAULT_REGION
  : >"$TMP/aws-config"
  : >"$TMP/aws-credentials"
  : >"$TMP/rclone.conf"
  export AWS_ACCESS_KEY_ID=AKIDSQLBAKTEST AWS_SECRET_ACCESS_KEY=sqlbak-test-secret AWS_REGION=us-east-1 \
    AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$TMP/aws-config AWS_SHARED_CREDENTIALS_FILE=$TMP/aws-credentials
  export RCLONE_CONFIG=$TMP/rclone.conf RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other \
    RCLONE_CONFIG_BENCH_ENDPOINT=$S3_ENDPOINT RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true \
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    RCLONE_CONFIG_BENCH_REGION=$AWS_REGION
  # The bucket: a folder of the filesystem backend.
  S3_BUCKET_DIR=$S3_DIR/store/bench
  mkdir -p "$S3_BUCKET_DIR"
}

# Untimed, before each remote run: the bucket emptied, then as settle.
settle_remote() {
  find "$S3_BUCKET_DIR" -mindepth 1 -delete
  settle
}

# Sizes of what the last remote run of method $1 stored (the objects, as files of the backend).
stored_summary() {
  find "$S3_BUCKET_DIR" -type f ! -name '.*' -printf '%P %s B\n' | sort | paste -sd ';' | sed 's/;/; /g'
}

# ---------------------------------------------------------------------------------------------
# Run

started=$SECONDS
fs_type=$(stat -f -c %T "$OUT")
echo "sqlbak benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
echo "  machine:  $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || uname -m)," \
  "$(awk '/^MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo 2>/dev/null), $(uname -sr)"
echo "  workdir:  $WORKDIR (filesystem $fs_type on $(df -P "$OUT" | awk 'NR == 2 {print $1}'))"
echo "  sqlbak:   $SQLBAK ($("$SQLBAK" --version 2>&1 | paste -sd ';' | sed 's/;/; /g')$(
  git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null | sed 's/^/, commit /'))"
echo "  sqlite3:  $(sqlite3 --version | awk '{print $1}'); java: $(java -version 2>&1 | head -n 1)"
echo "  settings: SIZE_MB=\"$SIZE_MB\" MODES=\"$MODES\" ROUNDS=$ROUNDS STARTUP_ROUNDS=$STARTUP_ROUNDS" \
  "METHODS=$METHODS SQLBAK_ARGS=\"$SQLBAK_ARGS\" RSS via $RSS_TOOL"
if [ "$REMOTE_MB" -gt 0 ]; then
  echo "  remote:   REMOTE_MB=$REMOTE_MB REMOTE_ROUNDS=$REMOTE_ROUNDS REMOTE_METHODS=$REMOTE_METHODS;" \
    "$(rclone version 2>/dev/null | head -n 1 || echo 'no rclone'); S3Proxy 4.1.0 (filesystem backend)"
fi
if [ -n "$SQLBAK_BASELINE" ]; then
  echo "  baseline: $SQLBAK_BASELINE ($("$SQLBAK_BASELINE" --version 2>&1 | paste -sd ';' | sed 's/;/; /g'))"
fi
echo "  load:     $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null) (1, 5, 15 min; above the core count: other work shares the machine)"
case $fs_type in
  tmpfs|ramfs) echo "  WARNING: $OUT is on $fs_type: fsync costs nothing there; use --workdir on a disk" ;;
esac
echo

ensure_cds "$SQLBAK"

for mb in $SIZE_MB; do
  [ "$mb" -gt 0 ] || continue
  for mode in $MODES; do
    db=$(database "$mb" "$mode")
    bytes=$(file_size "$db")
    mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
    prefix=$mode:$mb
    note "warming the page cache: $(basename "$db")"
    hash=$(warm "$db")
    echo "== $(mode_label "$mode") source, $mib MiB ($((bytes / 4096)) pages of 4096 B, $(sqlite3 "$db" \
      'SELECT count(*) FROM events') rows), $ROUNDS rounds interleaved, page cache warm =="
    echo "  source sha256: $hash"
    for ((r = 1; r <= ROUNDS; r++)); do
      for m in $(echo "$METHODS" | grep -o .); do
        settle
        note "$mode ${mb} MiB round $r/$ROUNDS: $(method_label "$m")"
        measure "$(method_cmd "$db" "$m")" "$TMP/log"
        record "$prefix" "$m"
        remember_output_size "$prefix" "$m"
      done
    done
    clean_out
    print_table "$prefix" "$mib" "$METHODS"
    ma=$(median_of "$prefix:a"); mb_=$(median_of "$prefix:b")
    mc=$(median_of "$prefix:c"); mf=$(median_of "$prefix:f")
    echo "  (a)/(f) = $(ratio "$ma" "$mf")   (b)/(c) = $(ratio "$mb_" "$mc")" \
      "   [ratios of medians; issue 5 aims at (a)/(f) <= 0.80, (b)/(c) <= 1.00]"
    mv=$(median_of "$prefix:v")
    if [ -n "$mv" ] && [ "$mv" != - ]; then
      echo "  (k)/(v) = $(ratio "$(median_of "$prefix:k")" "$mv")   (t)/(v) = $(ratio "$(median_of "$prefix:t")" "$mv")" \
        "   [--compact and --table against SQLite's own VACUUM INTO]"
    fi
    for m in g z; do
      if [ -n "${OUTSIZE[$prefix:$m]:-}" ]; then
        echo "  $(method_label "$m"): output $(awk -v o="${OUTSIZE[$prefix:$m]}" -v b="$bytes" \
          'BEGIN {printf "%.1f MiB, %.1f%% of the source (ratio %.2f:1)", o / 1048576, 100 * o / b, b / o}')"
      fi
    done
    after=$(sha256sum "$db" | awk '{print $1}')
    if [ "$after" != "$(cat "$db.sha256")" ]; then
      echo "  WARNING: the source changed during the run; removing it from the cache"
      rm -f "$db" "$db.sha256"
    fi
    echo
  done
done

if [ "$REMOTE_MB" -gt 0 ]; then
  db=$(database "$REMOTE_MB" rollback)
  bytes=$(file_size "$db")
  mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
  prefix=remote:$REMOTE_MB
  start_s3_server
  note "warming the page cache: $(basename "$db")"
  hash=$(warm "$db")
  echo "== remote: rollback-journal source, $mib MiB, to S3Proxy on $S3_ENDPOINT (filesystem backend in" \
    "$S3_DIR, the same disk as out/), $REMOTE_ROUNDS rounds interleaved, page cache warm =="
  echo "  source sha256: $hash"
  declare -A STORED=()
  # A fresh server's JVM is cold: one untimed run of each method first.
  for m in $(echo "$REMOTE_METHODS" | grep -o .); do
    settle_remote
    note "remote ${REMOTE_MB} MiB warm-up (untimed): $(method_label "$m")"
    bash -c "$(method_cmd "$db" "$m")" >"$TMP/log" 2>&1 ||
      note "warm-up FAILED: $(method_label "$m"): $(tail -n 3 "$TMP/log" | tr '\n' ' ')"
  done
  for ((r = 1; r <= REMOTE_ROUNDS; r++)); do
    for m in $(echo "$REMOTE_METHODS" | grep -o .); do
      settle_remote
      note "remote ${REMOTE_MB} MiB round $r/$REMOTE_ROUNDS: $(method_label "$m")"
      measure "$(method_cmd "$db" "$m")" "$TMP/log"
      record "$prefix" "$m"
      [ "$LAST_RC" -ne 0 ] || STORED[$m]=$(stored_summary)
    done
  done
  settle_remote
  print_table "$prefix" "$mib" "$REMOTE_METHODS" c r
  ma=$(median_of "$prefix:a"); ms=$(median_of "$prefix:s"); mr=$(median_of "$prefix:r")
  echo "  (s)/(r) = $(ratio "$ms" "$mr")   (s)/(a) = $(ratio "$ms" "$ma")   peak RSS (s) with the SDK loaded:" \
    "$(fmt_rss "${RSS[$prefix:s]:-}"), (a) local: $(fmt_rss "${RSS[$prefix:a]:-}")   [ratios of medians]"
  for m in s r u; do
    [ -z "${STORED[$m]:-}" ] || echo "  stored by $(method_label "$m" | cut -d ' ' -f 1): ${STORED[$m]}"
  done
  kill "$S3_PID" 2>/dev/null || true
  wait "$S3_PID" 2>/dev/null || true
  S3_PID=
  rm -rf "$S3_DIR"
  echo
fi

# Latency statistics of writer log lines ("endMicros latencyMicros") ending in [$2, $3).
latency_stats() {
  awk -v from="$2" -v to="$3" '$1 >= from && $1 < to {print $2}' "$1" | sort -n | awk '
    {v[NR] = $1}
    END {
      if (NR == 0) { print "0 commits"; exit }
      p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
      printf "%d commits, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", NR, p50 / 1000, p99 / 1000, v[NR] / 1000 }'
}

p99_of() {
  awk -v from="$2" -v to="$3" '$1 >= from && $1 < to {print $2}' "$1" | sort -n | awk '
    {v[NR] = $1} END { if (NR == 0) print "-"; else print v[int((NR - 1) * 0.99) + 1] }'
}

json_field() { grep -o "\"$2\": *[0-9]*" "$1" | grep -o '[0-9]*$'; }

# One backup (or a bare held snapshot) of a fresh copy of $1 under a back-to-back writer.
# $2: "sqlbak", or "hold MS" (a sqlite3 read transaction held for MS milliseconds, no copy).
# Prints one line: "wall_us restarts retries retry_ms held_ms idle_p99 busy_p99 busy_max stats..."
writer_round() {
  local db=$1 what=$2 busy=$TMP/busy.db rc=0 t0 t1
  rm -f "$busy" "$busy"-*
  cp "$db" "$busy"
  sha256sum "$busy" >/dev/null
  settle
  rm -f "$TMP/stop" "$TMP/latency" "$TMP/busy.json"
  java -XX:+UseSerialGC -cp "${WRITER_CLASSPATH:-$SQLBAK}" "$script_dir/BackToBackWriter.java" "$busy" \
    "$TMP/latency" "$TMP/stop" 2>"$TMP/writer.err" &
  local writer_pid=$!
  sleep $((2 + WRITER_IDLE_S))
  t0=${EPOCHREALTIME/./}
  if [ "$what" = sqlbak ]; then
    "$SQLBAK" backup -q --json --busy-timeout 60s "$busy" "$OUT/out.db" >"$TMP/busy.json" 2>"$TMP/log" || rc=$?
  else
    { echo "BEGIN; SELECT count(*) FROM sqlite_schema;"; sleep "$(awk -v m="${what#hold }" 'BEGIN {print m / 1000}')"
      echo "COMMIT;"; } | sqlite3 "$busy" >/dev/null 2>"$TMP/log" || rc=$?
  fi
  t1=${EPOCHREALTIME/./}
  sleep 1
  touch "$TMP/stop"
  wait "$writer_pid" || note "the writer failed: $(cat "$TMP/writer.err")"
  if [ "$rc" -ne 0 ]; then
    note "$what FAILED with exit $rc: $(tail -n 2 "$TMP/log" | tr '\n' ' ')"
    echo "FAILED"
  else
    echo "$((t1 - t0)) $(json_field "$TMP/busy.json" restarts 2>/dev/null || echo -)" \
      "$(json_field "$TMP/busy.json" busyRetries 2>/dev/null || echo -)" \
      "$(json_field "$TMP/busy.json" busyWaitMs 2>/dev/null || echo -)" \
      "$(json_field "$TMP/busy.json" snapshotHeldMs 2>/dev/null || echo -)" \
      "$(p99_of "$TMP/latency" $((t0 - WRITER_IDLE_S * 1000000)) "$t0") $(p99_of "$TMP/latency" "$t0" "$t1")" \
      "| alone: $(latency_stats "$TMP/latency" $((t0 - WRITER_IDLE_S * 1000000)) "$t0")" \
      "| during: $(latency_stats "$TMP/latency" "$t0" "$t1")"
  fi
  rm -f "$busy" "$busy"-*
  clean_out
}

median_line() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else print v[int((NR + 1) / 2)]}'; }

if [ "$WRITER_MB" -gt 0 ]; then
  for mode in $MODES; do
    db=$(database "$WRITER_MB" "$mode")
    echo "== under a back-to-back writer: $(mode_label "$mode") source, ${WRITER_MB} MiB, $WRITER_ROUNDS rounds =="
    echo "   (each round: sqlbak backup; then, as a floor, a sqlite3 read transaction that copies nothing"
    echo "   but holds its snapshot as long as that backup held its own; writer p99 in ms, ${WRITER_IDLE_S} s alone before)"
    ratios=; floor_ratios=; over_floor=
    for ((r = 1; r <= WRITER_ROUNDS; r++)); do
      note "under a writer: $(basename "$db"), round $r"
      line=$(writer_round "$db" sqlbak)
      if [ "$line" = FAILED ]; then
        echo "  round $r: sqlbak backup FAILED"
        continue
      fi
      read -r wall restarts retries retry_ms held idle99 busy99 _ <<<"$line"
      printf '  round %d sqlbak: %.3f s wall, restarts %s, busy retries %s over %s ms, snapshot held %s ms\n' \
        "$r" "$(awk -v t="$wall" 'BEGIN {print t / 1e6}')" "$restarts" "$retries" "$retry_ms" "$held"
      echo "    writer ${line#*| }"
      echo "    p99 during / p99 alone = $(ratio "$busy99" "$idle99")"
      ratios+="$(ratio "$busy99" "$idle99") "
      if [ "$mode" = wal ]; then
        fline=$(writer_round "$db" "hold $held")
        if [ "$fline" != FAILED ]; then
          read -r _ _ _ _ _ fidle99 fbusy99 _ <<<"$fline"
          echo "  round $r floor (snapshot held $held ms, nothing copied): writer ${fline#*| }"
          echo "    p99 during / p99 alone = $(ratio "$fbusy99" "$fidle99")"
          floor_ratios+="$(ratio "$fbusy99" "$fidle99") "
          echo "    sqlbak's p99 during / the floor's p99 during = $(ratio "$busy99" "$fbusy99")"
          over_floor+="$(ratio "$busy99" "$fbusy99") "
        fi
      fi
    done
    echo "  median p99 during / p99 alone: sqlbak $(printf '%s\n' $ratios | median_line)" \
      "${floor_ratios:+ (floor: a bare snapshot held as long: $(printf '%s\n' $floor_ratios | median_line))}" \
      "${over_floor:+; sqlbak's p99 during / the floor's: $(printf '%s\n' $over_floor | median_line)}" \
      "  [issue 5 aims at <= 2 in WAL mode; in rollback-journal mode commits must wait for the copy]"
    echo
  done
fi

if [ "$STARTUP_ROUNDS" -gt 0 ]; then
  small=$(database 1 rollback)
  sha256sum "$small" >/dev/null
  startup_methods="V a b c"
  ensure_cds "$SQLBAK"
  if [ -n "$SQLBAK_BASELINE" ]; then
    startup_methods="V W a A b c"
    ensure_cds "$SQLBAK_BASELINE"
  fi
  echo "== start-up: 1 MiB rollback-journal database ($(file_size "$small") bytes)," \
    "$STARTUP_ROUNDS rounds interleaved =="
  for ((r = 1; r <= STARTUP_ROUNDS; r++)); do
    for m in $startup_methods; do
      settle
      note "start-up round $r/$STARTUP_ROUNDS: $(method_label "$m")"
      measure "$(method_cmd "$small" "$m")" "$TMP/log"
      record startup "$m"
    done
  done
  clean_out
  printf '  %-48s %8s %8s %10s  %s\n' method "median s" "min s" "peak RSS" "runs (s)"
  for m in $startup_methods; do
    s=$(stats "${SAMPLES[startup:$m]:-}")
    if [ "${s% *}" = - ]; then
      printf '  %-48s %s\n' "$(method_label "$m")" "no successful run"
      continue
    fi
    printf '  %-48s %8.3f %8.3f %10s  %s\n' "$(method_label "$m")" "${s% *}" "${s#* }" \
      "$(fmt_rss "${RSS[startup:$m]:-}")" "$(fmt_runs "${SAMPLES[startup:$m]}")"
  done
  echo "  [issue 5 aims at a 1 MiB backup end to end <= 0.25 s]"
  if [ -n "$SQLBAK_BASELINE" ]; then
    echo "  this build / baseline: --version $(ratio "$(median_of startup:V)" "$(median_of startup:W)")," \
      "1 MiB backup $(ratio "$(median_of startup:a)" "$(median_of startup:A)") [ratios of medians]"
  fi
  for launcher in "$SQLBAK" ${SQLBAK_BASELINE:+"$SQLBAK_BASELINE"}; do
    archive=$(cds_archive "$launcher" || true)
    echo "  $launcher: $(file_size "$launcher") bytes; class-data-sharing archive:" \
      "$(if [ -n "$archive" ]; then echo "$(file_size "$archive") bytes"; else echo none; fi)"
  done
  echo
fi

echo "load at the end: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null)"
echo "total benchmark time: $((SECONDS - started)) s"
