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
# SerialGC and C1 start faster; sqlbak's heavy lifting happens inside SQLite, not in Java code.
exec "$java" ${SQLBAK_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k} -jar "$0" "$@"
