#!/usr/bin/env bash
# api benchmarks: similar-study search (brute-force cosine) against study count, keyframe and cine sprite
# rendering. Prints figures; record them in docs/benchmarks.md with the machine. Run from the repository root
# after a build: api/bench/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN="$ROOT/.tools/apache-maven-3.9.16/bin/mvn"
"$MVN" -B -ntp -q -o -pl api -am test-compile -DskipTests
"$MVN" -B -ntp -q -o -pl api dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/api/target/bench.classpath"
exec java -Xmx1g -Djava.awt.headless=true -cp "api/target/test-classes:api/target/classes:$(cat api/target/bench.classpath)" \
  org.echostream.api.bench.ApiBenchmark
