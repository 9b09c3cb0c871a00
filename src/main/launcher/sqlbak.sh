#!/bin/sh
# sqlbak: this file is a POSIX shell launcher with the sqlbak jar appended to it.
# Copy it anywhere on PATH; it needs only java (17 or newer), found via JAVA_HOME or PATH.
# SQLBAK_JAVA_OPTS replaces the JVM options below (and turns off the class-data-sharing archive).
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java="$JAVA_HOME/bin/java"
else
  java=java
fi
javabin=$(command -v "$java" 2>/dev/null) || {
  echo "sqlbak: java not found: install Java 17 or newer, or set JAVA_HOME" >&2
  exit 1
}
# Java names files in the character set of LC_CTYPE, and under the C or POSIX locale (cron,
# systemd units, env -i) that is ASCII: a path with any other character could not even be named.
# -Dsun.jnu.encoding does not help (Java 17 and 25 ignore it); a UTF-8 C locale does, and changes
# nothing else sqlbak uses. Where the system lacks C.UTF-8, Java stays on ASCII as before.
case "${LC_ALL:-${LC_CTYPE:-$LANG}}" in
  ""|C|POSIX)
    if [ -n "$LC_ALL" ]; then LC_ALL=C.UTF-8; export LC_ALL; else LC_CTYPE=C.UTF-8; export LC_CTYPE; fi
    ;;
esac
# SerialGC starts faster and needs no extra threads; no perf-data file in the temp folder (a
# kill -9 would leave it behind). No -XX:TieredStopAtLevel=1: without C2 the JIT has no SHA-256
# intrinsic, and hashing a 1 GiB backup took 6 s instead of 0.6 s. Instead C2 starts later
# (thresholds 3-10 x the defaults): a short run spends less CPU compiling code it runs twice,
# while hashing and compression loops still reach C2 within milliseconds.
base="-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -XX:Tier4InvocationThreshold=50000 \
-XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=60000"
cds=
if [ -z "$SQLBAK_JAVA_OPTS" ]; then
  # Class-data sharing: the first run starts a training run in the background (`sqlbak warm-up`
  # with -XX:ArchiveClassesAtExit), which leaves an archive of sqlbak's classes in the per-user
  # cache; later runs map it instead of loading and verifying those classes again. The archive
  # is renamed into place only after a training run that ended well (a torn archive crashes the
  # JVM), and is remade when this file or java is newer than it. The JVM itself refuses an
  # archive that does not match it or this jar; -Xlog keeps that refusal quiet.
  case $XDG_CACHE_HOME in
    /*) cache=$XDG_CACHE_HOME/sqlbak/cds ;;
    *) cache=${HOME:+$HOME/.cache/sqlbak/cds} ;;
  esac
  case $0 in
    /*) self=$0 ;;
    *) self=$PWD/$0 ;;
  esac
  # One archive per installed jar and java, whatever path string started it (target/sqlbak,
  # ./sqlbak, a symlink): keyed by the two files' identity (inode, mode, owner, size, time).
  identity() {
    LC_ALL=C ls -lLi "$@" 2>/dev/null | awk '{ print $1, $2, $4, $5, $6, $7, $8, $9 }' | cksum | cut -d ' ' -f 1
  }
  if [ -n "$cache" ] && [ -f "$self" ]; then
    key=$(identity "$self" "$javabin")
    archive=$cache/sqlbak-$key.jsa
    quiet="-Xlog:cds=off -Xlog:cds+dynamic=off"
    if [ -f "$archive" ] && [ ! "$self" -nt "$archive" ] && [ ! "$javabin" -nt "$archive" ]; then
      cds="-XX:SharedArchiveFile=$archive $quiet"
    elif mkdir -p "$cache" 2>/dev/null; then
      # A training run killed half-way leaves its marker; after 10 minutes it no longer counts.
      find "$cache" -maxdepth 1 -name "$key.training" -mmin +10 -exec rm -rf {} + 2>/dev/null
      # Stale archives go: each one's .src names the jar and java it was made for, and one whose
      # files are gone or changed (a rebuilt jar, an upgraded java) is never used again.
      for src in "$cache"/sqlbak-*.src; do
        [ -f "$src" ] || continue
        # Another launcher starting at the same moment may remove it meanwhile: nothing to say.
        jar=$(sed -n 1p "$src" 2>/dev/null) && jvm=$(sed -n 2p "$src" 2>/dev/null) || continue
        if [ -n "$jar" ] && [ "$cache/sqlbak-$(identity "$jar" "$jvm").src" != "$src" ]; then
          rm -f "${src%.src}.jsa" "$src"
        fi
      done
      # An archive without its .src was made by an older launcher, keyed by a path string.
      for jsa in "$cache"/sqlbak-*.jsa; do
        [ -f "$jsa" ] && [ ! -f "${jsa%.jsa}.src" ] && rm -f "$jsa"
      done
      if mkdir "$cache/$key.training" 2>/dev/null; then
        work=$cache/$key.training
        # shellcheck disable=SC2086
        # The archive must also map cleanly (-Xshare:on) before it is put in place: a JVM that
        # could not write all of it (a full disk) may still exit 0.
        ( "$javabin" $base -XX:ArchiveClassesAtExit="$work/archive.jsa" $quiet -jar "$self" warm-up "$work/run" \
            && "$javabin" $base -XX:SharedArchiveFile="$work/archive.jsa" -Xshare:on $quiet -jar "$self" --version \
            && printf '%s\n%s\n' "$self" "$javabin" > "$cache/sqlbak-$key.src" \
            && mv -f "$work/archive.jsa" "$archive"
          rm -rf "$work" ) </dev/null >/dev/null 2>&1 &
      fi
    fi
  fi
fi
# Java ignores TMPDIR; scratch copies (decompressed or streamed backups) and the driver's native
# library go where the user's TMPDIR says, as for every other Unix tool.
tmp=
case $TMPDIR in
  /*) tmp=-Djava.io.tmpdir=$TMPDIR ;;
esac
# shellcheck disable=SC2086
exec "$javabin" ${SQLBAK_JAVA_OPTS:-$base $cds} ${tmp:+"$tmp"} -jar "$0" "$@"
