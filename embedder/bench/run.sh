#!/usr/bin/env bash
# The embedder benchmark (docs/benchmarks.md, section "embedder", records what it printed and on which machine).
#
#   embedder/bench/run.sh [MODEL_DIR] [MODEL_CODE_DIR]
#     MODEL_DIR       model release to measure (default model/release)
#     MODEL_CODE_DIR  folder with the PyTorch model.py of that release (default model)
#   Environment: BATCHES (default 1,2,4,8), SECONDS_PER_POINT (default 5), KAFKA_CLIPS (default 400),
#   THREADS_LIST (default "2 1": PyTorch and ONNX Runtime at each thread count; the service loop at the first)
#
# Prints, in order: PyTorch eager clips/s per batch size and the FLOPs per clip counted from the PyTorch modules;
# ONNX Runtime's MatMul peak on this machine; per batch size the bare ONNX Runtime loop and the embedder's core
# (clips/s, p50/p99 per batch, model GFLOP/s and fraction of the peak); then the whole service loop draining a
# backlog through a real local broker, with the heap after GC sampled each second. Run from the repository root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MODEL_DIR="${1:-model/release}"
CODE_DIR="${2:-model}"
BATCHES="${BATCHES:-1,2,4,8}"
SECONDS_PER_POINT="${SECONDS_PER_POINT:-5}"
KAFKA_CLIPS="${KAFKA_CLIPS:-400}"
THREADS_LIST="${THREADS_LIST:-2 1}"
OUT="$ROOT/embedder/target/bench"
MVN="$ROOT/.tools/apache-maven-3.9.16/bin/mvn"
PY=/usr/bin/python3
mkdir -p "$OUT"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
echo "== building test classes and the classpath"
"$MVN" -B -ntp -o -q -pl embedder -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$OUT/classpath" -Dmdep.includeScope=test
echo "== FLOPs and the peak model"
"$PY" embedder/bench/model_flops.py "$MODEL_DIR" "$OUT"
# ONNX Runtime 1.29 (Java) crashes with SIGSEGV while creating its environment when the JVM's class path string
# is longer than about 4000 characters (measured here: 2000 fine, 4000 crashes). Maven's test class path is ~24000,
# so the benchmark runs from a manifest-only jar whose Class-Path lists the entries (surefire does the same).
"$PY" - "$OUT" "$ROOT" <<'PYEOF'
import os, sys, zipfile
out, root = sys.argv[1], sys.argv[2]
entries = [os.path.join(root, "embedder/target/test-classes") + "/", os.path.join(root, "embedder/target/classes") + "/"]
for e in open(os.path.join(out, "classpath")).read().strip().split(":"):
    entries.append(e + ("/" if os.path.isdir(e) else ""))
text = "Manifest-Version: 1.0\r\nClass-Path: " + " ".join("file://" + e for e in entries) + "\r\n"
lines = []
for line in text.split("\r\n"):
    raw = line.encode()
    lines.append(raw[:72])
    raw = raw[72:]
    while raw:
        lines.append(b" " + raw[:71])
        raw = raw[71:]
with zipfile.ZipFile(os.path.join(out, "bench-classpath.jar"), "w") as jar:
    jar.writestr("META-INF/MANIFEST.MF", b"\r\n".join(lines) + b"\r\n")
PYEOF
FIRST=1
for THREADS in $THREADS_LIST; do
  echo "== PyTorch eager ($THREADS threads)"
  "$PY" embedder/bench/torch_bench.py "$CODE_DIR" "$MODEL_DIR" "$OUT/torch-$THREADS.json" --threads "$THREADS" --batches "$BATCHES" \
    --seconds "$SECONDS_PER_POINT" 2>&1 | grep -v -i warning
  FLOPS=$("$PY" -c "import json; d=json.load(open('$OUT/torch-$THREADS.json')); print(d['encoder_flops_per_clip'] + d['predictor_flops_per_clip'])")
  echo "== ONNX Runtime Java ($THREADS threads), model FLOPs per clip $FLOPS"
  CLIPS=$KAFKA_CLIPS; ((FIRST)) || CLIPS=0
  java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$OUT/bench-classpath.jar" \
    org.echostream.embedder.bench.EmbedderBenchmark --model "$MODEL_DIR" --threads "$THREADS" --batches "$BATCHES" \
    --seconds "$SECONDS_PER_POINT" --kafka-clips "$CLIPS" --flops-per-clip "$FLOPS" --peak-dir "$OUT" 2>&1 \
    | grep -v -E "^\s*at |WARN|INFO \[org.apache.kafka|SLF4J"
  FIRST=0
done
