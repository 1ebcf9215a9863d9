#!/usr/bin/env bash
# Findings benchmark (docs/benchmarks.md): build + encode of one study's SR and KOS, and sending them to a real
# Orthanc by C-STORE and by STOW-RS, per study, on this machine.
#   findings/bench/run.sh [studies]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN=.tools/apache-maven-3.9.16/bin/mvn
# one reactor run: the class path then names this tree's modules (contracts, dicom-net and its test-jar) by their target folders
"$MVN" -B -ntp -o -q -pl findings -am test-compile dependency:build-classpath -DskipTests -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test
# this tree's contracts first: the shared ~/.m2 copy may predate this branch's records
CP="$ROOT/findings/target/test-classes:$ROOT/findings/target/classes:$ROOT/contracts/target/classes:$(cat findings/target/bench.classpath)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" org.echostream.findings.bench.FindingsBenchmark "$@"
