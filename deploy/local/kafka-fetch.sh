#!/usr/bin/env bash
# kafka-fetch.sh resolves Apache Kafka (KRaft broker) and its runtime
# dependencies from Maven Central into a local cache, so that kafka-start.sh
# can run a real broker with `java -cp 'libs/*' kafka.Kafka`.
#
# Usage: deploy/local/kafka-fetch.sh [VERSION]
#   VERSION      Kafka version (default $KAFKA_VERSION or 4.4.0)
#   KAFKA_CACHE  cache root (default $HOME/.cache/federation-kafka)
# Prints the cache directory of that version (<cache>/<version>) on stdout.
# A second run finds the marker file and downloads nothing.
set -euo pipefail

VERSION="${1:-${KAFKA_VERSION:-4.4.0}}"
CACHE_ROOT="${KAFKA_CACHE:-$HOME/.cache/federation-kafka}"
HOME_DIR="$CACHE_ROOT/$VERSION"
LIBS="$HOME_DIR/libs"
MARKER="$HOME_DIR/.fetched"
# Kafka 4 logs through the SLF4J 1.7 API (slf4j-api 1.7.36 in its poms) to
# log4j2: kafka-server brings log4j-api and log4j-core 2.25.5 but no SLF4J
# binding, so without log4j-slf4j-impl (the binding for SLF4J 1.x; the
# slf4j2-impl one is ignored by slf4j-api 1.7) the broker would log nothing.
LOG4J_VERSION="${LOG4J_VERSION:-2.25.5}"
STAMP="kafka=$VERSION log4j=$LOG4J_VERSION"

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$STAMP" ]]; then
  echo "$HOME_DIR"
  exit 0
fi

command -v mvn >/dev/null || { echo "kafka-fetch: mvn not found on PATH" >&2; exit 1; }
command -v java >/dev/null || { echo "kafka-fetch: java not found on PATH" >&2; exit 1; }

mkdir -p "$HOME_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.federation</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM

rm -rf "$LIBS.tmp"
echo "kafka-fetch: resolving org.apache.kafka:kafka_2.13:$VERSION into $LIBS" >&2
if ! mvn -B -q -f "$WORK/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$WORK/mvn.log" 2>&1; then
  echo "kafka-fetch: Maven could not resolve Kafka $VERSION:" >&2
  grep -E 'ERROR|Could not' "$WORK/mvn.log" >&2 || cat "$WORK/mvn.log" >&2
  rm -rf "$LIBS.tmp"
  exit 1
fi
rm -rf "$LIBS"
mv "$LIBS.tmp" "$LIBS"

# A file-only log4j2 config: the broker is chatty, and the scripts tail
# <node>/logs/server.log when a start fails.
cat >"$HOME_DIR/log4j2.properties" <<'LOG'
status = warn
name = federation-kafka
property.logdir = ${sys:kafka.logs.dir:-logs}
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${logdir}/server.log
appender.file.filePattern = ${logdir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.zk.name = state.change.logger
logger.zk.level = WARN
LOG

echo "$STAMP" >"$MARKER"
echo "kafka-fetch: $(ls "$LIBS" | wc -l) jars in $LIBS" >&2
echo "$HOME_DIR"
