#!/bin/sh
# sqlbak: this file is a POSIX shell launcher with the sqlbak jar appended to it.
# Copy it anywhere on PATH; it needs only java (17 or newer), found via JAVA_HOME or PATH.
# SQLBAK_JAVA_OPTS replaces the JVM options below.
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java="$JAVA_HOME/bin/java"
else
  java=java
fi
command -v "$java" >/dev/null 2>&1 || {
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
# SerialGC starts faster and needs no extra threads. No -XX:TieredStopAtLevel=1: without C2 the
# JIT has no SHA-256 intrinsic, and hashing a 1 GiB backup took 6 s instead of 0.6 s.
exec "$java" ${SQLBAK_JAVA_OPTS:--XX:+UseSerialGC -Xshare:auto} -jar "$0" "$@"
