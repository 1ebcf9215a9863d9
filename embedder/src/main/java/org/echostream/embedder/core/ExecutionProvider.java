package org.echostream.embedder.core;

/** Where ONNX Runtime runs the models. */
public enum ExecutionProvider {
    /** ONNX Runtime's CPU kernels (MLAS); the default and the fallback. */
    CPU,
    /** NVIDIA CUDA; needs the {@code onnxruntime_gpu} build (Maven profile {@code cuda}) and the CUDA libraries. */
    CUDA
}
