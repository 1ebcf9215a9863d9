"""
Matrix-product FLOPs of one clip read off the ONNX graphs (MatMul, Gemm, Conv: 2 x multiply-adds; softmax, layer
norm and GELU are left out: a few percent and memory-bound), where shape inference can size every product (the
encoder; the predictor's dynamic slices defeat it, torch_bench.py counts it from the PyTorch modules), and a
MatMul-only ONNX model for measuring this machine's matrix-product peak with the same ONNX Runtime.

    /usr/bin/python3 embedder/bench/model_flops.py MODEL_DIR OUT_DIR
writes OUT_DIR/flops.json and OUT_DIR/matmul_{256,512,1024}.onnx
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

# Square matrix sizes of the peak measurement: 1024 is the classic compute-bound size; 256 and 512 fit the caches,
# which matters on a machine whose caches are shared with busy neighbours (the model's own products are small).
PEAK_SIZES = (256, 512, 1024)


def concrete(model: onnx.ModelProto, dims: dict[str, int]) -> onnx.ModelProto:
    """Replaces named dynamic dimensions (B, Nc, Nt, ...) of the inputs by numbers, then infers every shape."""
    for value in model.graph.input:
        for d in value.type.tensor_type.shape.dim:
            if d.dim_param:
                d.dim_value = dims.get(d.dim_param, 1)
    return shape_inference.infer_shapes(model, data_prop=True)  # propagates Shape->Reshape values too


def shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    out = {}
    for value in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output):
        out[value.name] = [d.dim_value for d in value.type.tensor_type.shape.dim]
    for init in model.graph.initializer:
        out[init.name] = list(init.dims)
    return out


def matrix_flops(model: onnx.ModelProto) -> int | None:
    """None when shape inference could not size every matrix product (dynamic slices in the predictor)."""
    s = shapes(model)
    total = 0
    for node in model.graph.node:
        if node.op_type == "MatMul":
            a, b = s[node.input[0]], s[node.input[1]]
            if not (a and b and all(a) and all(b)):
                return None
            m, k, n = (a[-2] if len(a) > 1 else 1), a[-1], b[-1]
            batch = int(np.prod(np.broadcast_shapes(tuple(a[:-2]), tuple(b[:-2]))) if len(a) > 2 or len(b) > 2 else 1)
            total += 2 * batch * m * k * n
        elif node.op_type == "Gemm":
            a, b = s[node.input[0]], s[node.input[1]]
            trans_b = next((attr.i for attr in node.attribute if attr.name == "transB"), 0)
            n = b[0] if trans_b else b[1]
            total += 2 * a[0] * a[1] * n
        elif node.op_type == "Conv":
            w, y = s[node.input[1]], s[node.output[0]]
            groups = next((attr.i for attr in node.attribute if attr.name == "group"), 1)
            total += 2 * int(np.prod(y)) * (w[1] * int(np.prod(w[2:])))  # per output value: Cin/groups x kernel MACs
            del groups
    return total


def main(model_dir: str, out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    manifest = json.load(open(os.path.join(model_dir, "manifest.json")))
    grid = manifest["tokens"]["grid"]
    n = grid[0] * grid[1] * grid[2]
    enc = concrete(onnx.load(os.path.join(model_dir, "encoder.onnx")), {"B": 1})
    pred = concrete(onnx.load(os.path.join(model_dir, "predictor.onnx")), {"B": 1, "Nc": n, "Nt": n})
    result = {"model": manifest.get("model", manifest.get("name")), "version": manifest["version"], "tokens": n,
              "encoder_flops_per_clip": matrix_flops(enc), "predictor_flops_per_clip": matrix_flops(pred),
              "peak_matmul_sizes": list(PEAK_SIZES)}
    json.dump(result, open(os.path.join(out_dir, "flops.json"), "w"), indent=2)

    for n in PEAK_SIZES:
        a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])
        b = numpy_helper.from_array(np.random.default_rng(0).standard_normal((n, n)).astype(np.float32), "b")
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, n])
        graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "peak", [a], [y], [b])
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), os.path.join(out_dir, f"matmul_{n}.onnx"))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
