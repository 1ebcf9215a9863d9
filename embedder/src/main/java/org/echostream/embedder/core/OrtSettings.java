package org.echostream.embedder.core;

/**
 * How ONNX Runtime sessions are built.
 *
 * @param provider        the execution provider asked for; CUDA falls back to CPU when it cannot load
 * @param cudaDevice      CUDA device ordinal
 * @param intraOpThreads  threads inside one operator (matrix products); the machine's cores, not more
 * @param interOpThreads  threads running independent operators at once; 1 with sequential execution
 */
public record OrtSettings(ExecutionProvider provider, int cudaDevice, int intraOpThreads, int interOpThreads) {

    public OrtSettings {
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("ONNX Runtime thread counts must be >= 1, got intra-op " + intraOpThreads
                    + ", inter-op " + interOpThreads);
        }
    }

    public static OrtSettings cpu(int intraOpThreads) {
        return new OrtSettings(ExecutionProvider.CPU, 0, intraOpThreads, 1);
    }
}
