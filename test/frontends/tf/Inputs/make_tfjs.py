#!/usr/bin/env python3
"""make_tfjs.py DIR - a TensorFlow.js graph model of y = relu(x @ w + b)
(w = [[1, -1], [0.5, 2], [-2, 1]], b = [0.25, -0.5]) in DIR/model.json and
one weight shard, written the way TensorFlow.js's converter lays them out:
the topology as a GraphDef in protobuf's JSON mapping, the weights in
manifest order in the shard."""
import json
import os
import sys

import numpy as np

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
w = np.array([[1, -1], [0.5, 2], [-2, 1]], np.float32)
b = np.array([0.25, -0.5], np.float32)


def const(name, shape):
    return {"name": name, "op": "Const", "attr": {
        "dtype": {"type": "DT_FLOAT"},
        "value": {"tensor": {"dtype": "DT_FLOAT", "tensorShape": {
            "dim": [{"size": str(n)} for n in shape]}}}}}


model = {
    "format": "graph-model",
    "modelTopology": {"node": [
        {"name": "x", "op": "Placeholder", "attr": {
            "dtype": {"type": "DT_FLOAT"},
            "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "3"}]}}}},
        const("w", w.shape), const("b", b.shape),
        {"name": "dense", "op": "_FusedMatMul", "input": ["x", "w", "b"],
         "attr": {"T": {"type": "DT_FLOAT"}, "num_args": {"i": "1"},
                  "fused_ops": {"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}},
                  "transpose_a": {"b": False}, "transpose_b": {"b": False}}},
        {"name": "y", "op": "Identity", "input": ["dense"],
         "attr": {"T": {"type": "DT_FLOAT"}}}],
        "versions": {"producer": 1000}},
    "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [
        {"name": "w", "shape": list(w.shape), "dtype": "float32"},
        {"name": "b", "shape": list(b.shape), "dtype": "float32"}]}],
}
json.dump(model, open(os.path.join(d, "model.json"), "w"))
open(os.path.join(d, "group1-shard1of1.bin"), "wb").write(w.tobytes() + b.tobytes())
