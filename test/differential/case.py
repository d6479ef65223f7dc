"""case.py - one random ONNX test case under construction (generate.py).

A Case collects a graph's inputs (with their data), constants and nodes
as a generator draws them, and the shape helpers the generators share.
"""

import numpy as np
from onnx import TensorProto, helper, numpy_helper

ONNX_TYPES = {np.dtype(np.float32): TensorProto.FLOAT,
              np.dtype(np.int32): TensorProto.INT32,
              np.dtype(np.int64): TensorProto.INT64,
              np.dtype(np.bool_): TensorProto.BOOL}


class Case:
    """One graph under construction: inputs with data, constants, nodes."""

    def __init__(self, rng, opset=13):
        self.rng, self.opset = rng, opset
        self.inputs, self.inits, self.nodes = [], [], []
        self.count = 0

    def name(self, stem):
        self.count += 1
        return "%s%d" % (stem, self.count)

    def data(self, shape, dtype=np.float32, low=-2.0, high=2.0):
        if dtype == np.float32:
            return self.rng.uniform(low, high, shape).astype(np.float32)
        return self.rng.integers(int(low), int(high) + 1, shape).astype(dtype)

    def tensor(self, array, constant=None):
        """A graph input holding `array`, or (constant True, or by chance
        when None) an initializer."""
        if constant is None:
            constant = bool(self.rng.integers(0, 2))
        n = self.name("c" if constant else "x")
        if constant:
            self.inits.append(numpy_helper.from_array(array, n))
        else:
            self.inputs.append((n, array))
        return n

    def node(self, op, inputs, **attrs):
        out = self.name("y")
        self.nodes.append(helper.make_node(op, inputs, [out],
                                           name=self.name(op.lower()), **attrs))
        return out

    def model(self, outputs):
        vi = lambda n, a: helper.make_tensor_value_info(
            n, ONNX_TYPES[a.dtype], list(a.shape))
        graph = helper.make_graph(
            self.nodes, "case", [vi(n, a) for n, a in self.inputs],
            [helper.make_empty_tensor_value_info(o) for o in outputs],
            self.inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = 8
        return model


def dims(rng, rank, low=1, high=9):
    return [int(rng.integers(low, high + 1)) for _ in range(rank)]


def shape_and_axis(rng, low, high):
    """A shape of rank 1-3 with dims in [low, high] and an axis of it
    (negative at times)."""
    rank = int(rng.integers(1, 4))
    return dims(rng, rank, low, high), int(rng.integers(-rank, rank))


def broadcast_pair(rng, rank):
    """Two shapes that broadcast: some dims of one set to 1 or dropped."""
    full = dims(rng, rank)
    other = [1 if rng.random() < 0.3 else d for d in full]
    drop = int(rng.integers(0, rank))
    return full, other[drop:]
