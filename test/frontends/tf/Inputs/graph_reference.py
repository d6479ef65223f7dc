#!/usr/bin/env python3
"""graph_reference.py PROTO_ROOT GRAPH.pb FETCH IN=X.npy... OUT.npy

An independent numpy evaluation of a frozen TensorFlow GraphDef, for tests
of graphs that come without stored outputs. PROTO_ROOT is the source root:
Kiln's graph.proto is compiled with protoc into a temporary folder and read
with Python's protobuf. Only the dense-network ops those graphs use are
evaluated: Const, Placeholder, Identity, MatMul, BiasAdd, Relu, Sigmoid,
Tanh, Add/AddV2, Sub, Mul.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}


def load_graph(root, path):
    out = tempfile.mkdtemp()
    subprocess.check_call(["protoc", "--python_out=" + out, "-I" + root,
                           os.path.join(root, "frontends/tf/proto/graph.proto")])
    sys.path.insert(0, os.path.join(out, "frontends", "tf", "proto"))
    import graph_pb2  # noqa: E402 (generated above)
    g = graph_pb2.GraphDef()
    with open(path, "rb") as f:
        g.ParseFromString(f.read())
    return g


def const_value(t):
    dtype = DTYPES[t.dtype]
    shape = [d.size for d in t.tensor_shape.dim]
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dtype=dtype).reshape(shape)
    vals = {np.float32: t.float_val, np.float64: t.double_val,
            np.int32: t.int_val, np.int64: t.int64_val}[dtype]
    return np.broadcast_to(np.array(vals[-1:] if len(vals) == 1 else vals,
                                    dtype=dtype), shape).copy()


def main():
    root, path, fetch = sys.argv[1:4]
    feeds = dict(a.split("=", 1) for a in sys.argv[4:-1])
    g = load_graph(root, path)
    nodes = {n.name: n for n in g.node}
    values = {name: np.load(f) for name, f in feeds.items()}

    def ev(name):
        name = name.split(":")[0]
        if name in values:
            return values[name]
        n = nodes[name]
        xs = [ev(i) for i in n.input if not i.startswith("^")]
        op = n.op
        if op == "Const":
            v = const_value(n.attr["value"].tensor)
        elif op == "Identity":
            v = xs[0]
        elif op == "MatMul":
            a = xs[0].T if n.attr["transpose_a"].b else xs[0]
            b = xs[1].T if n.attr["transpose_b"].b else xs[1]
            v = a @ b
        elif op in ("BiasAdd", "Add", "AddV2"):
            v = xs[0] + xs[1]
        elif op == "Sub":
            v = xs[0] - xs[1]
        elif op == "Mul":
            v = xs[0] * xs[1]
        elif op == "Relu":
            v = np.maximum(xs[0], 0)
        elif op == "Sigmoid":
            v = 1 / (1 + np.exp(-xs[0]))
        elif op == "Tanh":
            v = np.tanh(xs[0])
        else:
            sys.exit("graph_reference.py: op %s is not evaluated" % op)
        values[name] = v
        return v

    np.save(sys.argv[-1], np.asarray(ev(fetch), dtype=np.float32))


if __name__ == "__main__":
    main()
