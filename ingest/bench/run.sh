#!/usr/bin/env bash
# Ingest benchmarks (docs/benchmarks.md): decode + clean + clip frames/s against dcmtk's dcmdrle/dcmdjpeg and
# PixelMed's decoders, and C-STORE instances/s and MB/s to the ingest SCP against Orthanc, same files, this machine.
#   ingest/bench/run.sh [decode|cstore] [rounds]
#   ingest/bench/run.sh backfill [studies]   (backfill from Orthanc by C-MOVE, C-GET, WADO-RS: docs/benchmarks.md, pacs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN=.tools/apache-maven-3.9.16/bin/mvn
# one reactor run: the class path then names this tree's modules (contracts, dicom-net and its test-jar) by their target folders
"$MVN" -B -ntp -o -q -pl ingest -am test-compile dependency:build-classpath -DskipTests -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test
# this worktree's contracts and kafka-local first: the ~/.m2 SNAPSHOTs on the resolved class path may be older
CP="$ROOT/ingest/target/test-classes:$ROOT/ingest/target/classes:$ROOT/contracts/target/classes:$ROOT/kafka-local/target/classes:$(cat ingest/target/bench.classpath)"
cd ingest
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx1g -cp "$CP" org.echostream.ingest.bench.IngestBenchmark "$@"
