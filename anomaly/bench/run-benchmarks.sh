#!/usr/bin/env bash
# Anomaly service speed, printed (never asserted in tests). Results go in docs/benchmarks.md.
#   anomaly/bench/run-benchmarks.sh            maths, tracker and topology (TopologyTestDriver), ~1 min
#   anomaly/bench/run-benchmarks.sh --broker   plus latency/throughput on a real local broker with EOS v2, ~2 min more
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN=.tools/apache-maven-3.9.16/bin/mvn
"$MVN" -B -ntp -o -q -pl anomaly -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="anomaly/target/test-classes:anomaly/target/classes:contracts/target/classes:contracts/target/test-classes:kafka-local/target/classes"
exec java -Xmx1g -cp "$CP:$(cat anomaly/target/bench.classpath)" org.echostream.anomaly.bench.AnomalyBenchmark "$@"
