#!/usr/bin/env python3
"""make_tf_corpus.py OUTDIR - writes Kiln's TensorFlow op corpus with
TensorFlow itself: one small frozen graph per case (an op with edge-case
attributes), its seeded inputs and the outputs TensorFlow computes.

Each case folder holds graph.pb, io.json (the inputs and outputs by name,
file, dtype and shape, as run_tf_models.py reads them), input_K.npy and
output_K.npy. The committed corpus (test/frontends/tf/corpus) was written
by this script; CI does not need TensorFlow. To regenerate it:

  python3 -m venv ~/venvs/tf && ~/venvs/tf/bin/pip install tensorflow-cpu
  ~/venvs/tf/bin/python test/frontends/tf/make_tf_corpus.py test/frontends/tf/corpus

Case names after OUTDIR write only those cases.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import (
    convert_variables_to_constants_v2)

RNG = np.random.default_rng(7)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def const(*shape):
    return tf.constant(rand(*shape))


X4 = (1, 9, 10, 4)   # an NHWC image with odd and even sides


def tensor_array_written_in_loop(x):
    ta = tf.TensorArray(tf.float32, size=5, element_shape=None)
    for i in tf.range(5):
        ta = ta.write(i, tf.gather(x, i % 3) * tf.cast(i + 1, tf.float32))
    return ta.stack()


def pad_clip_run_time_count(x):
    kept = tf.gather(x, tf.where(x > 0.0)[:, 0])
    n = tf.shape(kept)[0]
    ranked = tf.math.top_k(kept, k=n).values
    padded = tf.pad(ranked, [[0, 8 - n]])
    filled = tf.concat([tf.slice(x, [0], [n]), tf.fill([8 - n], -1.0)], 0)
    return padded, filled

CASES = {
    "conv2d_same_stride2": ([X4], lambda x: tf.nn.conv2d(
        x, const(3, 3, 4, 6), strides=2, padding="SAME")),
    "conv2d_valid_dilated": ([X4], lambda x: tf.nn.conv2d(
        x, const(3, 2, 4, 5), strides=1, padding="VALID", dilations=2)),
    "conv2d_explicit_pads": ([X4], lambda x: tf.nn.conv2d(
        x, const(3, 3, 4, 4), strides=[1, 2, 1, 1],
        padding=[[0, 0], [1, 2], [2, 0], [0, 0]])),
    "depthwise_multiplier2": ([X4], lambda x: tf.nn.depthwise_conv2d(
        x, const(3, 3, 4, 2), strides=[1, 1, 1, 1], padding="SAME")),
    "conv2d_transpose_same": ([(1, 5, 6, 4)], lambda x: tf.nn.conv2d_transpose(
        x, const(3, 3, 3, 4), output_shape=[1, 10, 12, 3], strides=2,
        padding="SAME")),
    "conv2d_transpose_valid": ([(1, 5, 6, 4)], lambda x: tf.nn.conv2d_transpose(
        x, const(2, 3, 3, 4), output_shape=[1, 11, 18, 3], strides=[2, 3],
        padding="VALID")),
    "max_pool_same": ([X4], lambda x: tf.nn.max_pool2d(
        x, ksize=3, strides=2, padding="SAME")),
    "avg_pool_same": ([X4], lambda x: tf.nn.avg_pool2d(
        x, ksize=[2, 3], strides=[2, 2], padding="SAME")),
    "bias_relu6_leaky": ([X4], lambda x: tf.nn.leaky_relu(
        tf.nn.relu6(tf.nn.bias_add(x * 4, const(4))), alpha=0.1) - 1.0),
    "fused_batch_norm": ([X4], lambda x: tf.compat.v1.nn.fused_batch_norm(
        x, tf.abs(const(4)) + 0.5, const(4), mean=const(4),
        variance=tf.abs(const(4)) + 0.1, epsilon=1e-3, is_training=False)[0]),
    "matmul_transpose_b": ([(3, 5)], lambda x: tf.matmul(
        x, const(4, 5), transpose_b=True)),
    "batch_matmul_adjoint": ([(2, 5, 3)], lambda x: tf.matmul(
        x, const(2, 5, 4), adjoint_a=True)),
    "strided_slice_masks": ([(2, 6, 7, 3)], lambda x: x[:, 1:, ::-2, tf.newaxis, 0]),
    "strided_slice_ellipsis": ([(2, 6, 7, 3)], lambda x: x[..., 1:3][0, -4:-1]),
    # A dynamic batch through the shape arithmetic TensorFlow graphs write
    # (tf.shape -> StridedSlice -> Pack -> Reshape), Slice with size -1,
    # Split, Tile and a reduction over the dynamic dim.
    "shape_arithmetic_dynamic_batch": (
        [((None, 4, 5, 3), (3, 4, 5, 3))],
        lambda x: tf.reshape(x, [tf.shape(x)[0], -1]) * 2.0),
    "slice_split_tile_dynamic_batch": (
        [((None, 6), (5, 6))],
        lambda x: tf.concat(
            [tf.slice(x, [1, 1], [-1, 2]),
             tf.split(x[1:], 3, axis=1)[2],
             tf.tile(x[1:, :1], [1, 2])], axis=1)
        + tf.reduce_mean(x, axis=0)[:1]),
    # Where: coordinates of the true elements, a count known at run time.
    "where_coordinates": ([(3, 4, 5)], lambda x: tf.where(x > 0.3)),
    # Non-maximum suppression: V3 (indices) and V5 (indices and scores),
    # boxes with either corner first.
    "non_max_suppression": ([(24, 4), (24,)], lambda b, s:
        tf.image.non_max_suppression(b, s, 6, iou_threshold=0.2,
                                     score_threshold=-0.5)),
    "non_max_suppression_with_scores": ([(24, 4), (24,)], lambda b, s:
        tf.image.non_max_suppression_with_scores(b, s, 8, iou_threshold=0.1)),
    # Negative strides on a dim known at run time only (reversals).
    "strided_slice_reverse_dynamic": ([((None, 7, 3), (5, 7, 3))],
                                      lambda x: x[::-1, 5:1:-2, ::-1]),
    "resize_half_pixel": ([X4], lambda x: tf.compat.v1.image.resize_bilinear(
        x, [14, 7], half_pixel_centers=True)),
    "resize_align_corners": ([X4], lambda x: tf.compat.v1.image.resize_bilinear(
        x, [17, 5], align_corners=True)),
    "depth_to_space": ([(1, 3, 4, 8)], lambda x: tf.nn.depth_to_space(x, 2)),
    "concat_stack_unstack": ([X4], lambda x: tf.concat(
        [tf.stack(tf.unstack(x, axis=3)[::-1], axis=1)[:, :, 0], x[..., 0]],
        axis=1)),
    "split_splitv": ([X4], lambda x: tf.split(x, [1, -1, 2], axis=2)[1][..., :2] *
                     tf.split(x, 2, axis=3)[1][:, :, 1:8, :]),
    "reductions": ([X4], lambda x: tf.reduce_mean(x, [1, 2], keepdims=True) +
                   tf.reduce_sum(x, -1, keepdims=True) -
                   tf.reduce_max(x, [1], keepdims=True)),
    "softmax_activations": ([(3, 7)], lambda x: tf.nn.softmax(x) +
                            tf.sigmoid(x) * tf.tanh(x) + tf.square(x) +
                            tf.math.rsqrt(tf.abs(x) + 1.0) +
                            tf.math.squared_difference(x, 0.5)),
    "pad_constant": ([X4], lambda x: tf.pad(
        x, [[0, 0], [1, 2], [0, 3], [0, 0]], constant_values=1.5)),
    "reshape_transpose": ([X4], lambda x: tf.transpose(
        tf.expand_dims(tf.squeeze(tf.reshape(x, [1, -1, 4, 1]), 3), 0),
        [0, 1, 3, 2])),
    "gather_axis1": ([(3, 8, 2)], lambda x: tf.gather(
        x, tf.constant([7, 0, 3, 3, -1 + 8]), axis=1)),
    "fill_tile_broadcast": ([(2, 3)], lambda x: tf.tile(x, [2, 3]) +
                            tf.fill([4, 9], 0.5) + tf.zeros_like(tf.tile(x, [2, 3])) +
                            tf.broadcast_to(x[:1, :1], [4, 9]) * tf.cast(
                                tf.size(x) + tf.rank(x), tf.float32)),
    "range_lookup": ([(5, 3)], lambda x: tf.gather(
        x, tf.range(tf.shape(x)[0] - 1, -1, -2), axis=0) +
        tf.range(1.0, 2.5, 0.5)[:3]),
    "cast_int_add": ([(2, 3)], lambda x: tf.cast(
        tf.cast(x * 10.0, tf.int32) + tf.constant([[1, 2, 3]]), tf.float32)),
    "compare_select": ([(3, 7)], lambda x: tf.where(x > 0.2, x, -x) +
                       tf.cast(tf.logical_and(x >= -0.5, x <= 0.5), tf.float32) +
                       tf.cast(tf.logical_or(tf.equal(x, x[:1]), x < -1.0),
                               tf.float32) * 2.0 +
                       tf.cast(tf.logical_not(tf.not_equal(x, x[:, :1])),
                               tf.float32) * 4.0),
    "arg_top_k": ([(3, 7)], lambda x: (
        tf.argmax(x, axis=1), tf.argmin(x, axis=0, output_type=tf.int32),
        tf.math.top_k(x, 3).values, tf.math.top_k(x, 3).indices)),
    "gather_nd": ([(4, 5, 3)], lambda x: tf.gather_nd(
        x, tf.constant([[1, 2], [3, 0], [0, 4]])) + tf.gather_nd(
        x, tf.constant([[3, 4, 2], [0, 0, 0], [2, 1, 1]]))[:, tf.newaxis]),
    "floor_trig_reduce": ([(3, 7)], lambda x: tf.floor(x * 3.0) +
                          tf.math.ceil(x) + tf.sin(x * 4.0) + tf.cos(x * 4.0) +
                          tf.atan2(x, x[::-1]) + tf.math.floordiv(x, 0.3) +
                          tf.math.floormod(x, 0.7) +
                          tf.reduce_min(x, 1, keepdims=True) +
                          tf.reduce_prod(x, 0)),
    "int_floor_div_mod": ([(3, 7)], lambda x: tf.cast(
        tf.math.floordiv(tf.cast(x * 10.0, tf.int32), 3) * 100 +
        tf.math.floormod(tf.cast(x * 10.0, tf.int32), -4), tf.float32)),
    # TF1 while loops: tf.function's While is lowered to Enter/Merge/Switch/
    # NextIteration/Exit frames when the graph is frozen.
    "while_counted": ([(3, 4)], lambda x: tf.while_loop(
        lambda i, v: i < 5, lambda i, v: (i + 1, v * 0.9 + tf.sin(v)),
        [tf.constant(0), x])[1]),
    "while_data_dependent": ([(3, 4)], lambda x: tf.while_loop(
        lambda n, v: tf.reduce_sum(tf.abs(v)) < 200.0,
        lambda n, v: (n + 1, v * 1.5 + 0.25), [tf.constant(0), x])),
    "while_nested": ([(2, 3)], lambda x: tf.while_loop(
        lambda i, v: i < 3,
        lambda i, v: (i + 1, tf.while_loop(
            lambda j, w: j <= i,
            lambda j, w: (j + 1, w + tf.cast(j, tf.float32) * x),
            [tf.constant(0), v])[1] * 0.5),
        [tf.constant(0), x])[1]),
    "while_growing": ([(1, 4)], lambda x: tf.reduce_sum(tf.while_loop(
        lambda i, v: i < 4,
        lambda i, v: (i + 1, tf.concat([v, v[-1:] * 2.0 + 1.0], 0)),
        [tf.constant(0), x],
        shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, 4])])[1],
        axis=0)),
    "elu_selu_softplus": ([(3, 4)], lambda x: tf.nn.elu(x * 3.0)
                          + tf.nn.selu(x * 2.0) + tf.nn.softplus(x * 30.0)),
    "log_softmax": ([(2, 3, 5)], lambda x: tf.nn.log_softmax(x * 40.0)),
    "all_any": ([(3, 4)], lambda x: tf.cast(tf.reduce_all(
        x > -1.0, axis=1, keepdims=True), tf.float32)
                + 2.0 * tf.cast(tf.reduce_any(x > 1.0, axis=[0], keepdims=True),
                                tf.float32)),
    "space_to_depth": ([(1, 4, 6, 3)], lambda x: tf.nn.space_to_depth(x, 2)),
    "space_batch_round_trip": ([(2, 5, 6, 3)], lambda x: tf.compat.v1.batch_to_space_nd(
        tf.space_to_batch_nd(x, [2, 3], [[1, 2], [0, 3]]) * 2.0, [2, 3],
        [[0, 1], [2, 0]])),
    "mirror_pad": ([(2, 4, 5)], lambda x: tf.pad(
        x, [[0, 0], [2, 3], [1, 0]], mode="REFLECT") + 0.0 * tf.reduce_sum(x)
        + tf.reduce_sum(tf.pad(x, [[1, 1], [0, 2], [4, 4]], mode="SYMMETRIC"))),
    "resize_nearest": ([(1, 5, 7, 2)], lambda x: tf.concat([
        tf.compat.v1.image.resize_nearest_neighbor(x, [9, 4]),
        tf.compat.v1.image.resize_nearest_neighbor(x, [9, 4], align_corners=True),
        tf.compat.v1.image.resize_nearest_neighbor(
            x, [9, 4], half_pixel_centers=True)], axis=3)),
    "einsum_attention": ([(2, 3, 4, 5), (2, 3, 6, 5)], lambda q, k: tf.einsum(
        "bhqd,bhkd->bhqk", q, k)),
    "einsum_dense_and_trace": ([(2, 3, 4)], lambda x: tf.einsum(
        "...d,de->...e", x, const(4, 6)) + tf.einsum("abc->a", x)[:, None, None]),
    # Arrays: tf.map_fn and a TensorArray written in a loop become
    # TensorList ops in a while loop (the second's element shape is known
    # only from its first write).
    "map_fn_rows": ([(3, 4)], lambda x: tf.map_fn(
        lambda r: tf.reduce_sum(r * r) + r[0] * 2.0, x)),
    "tensor_array_written_in_loop": ([(3, 4)], tensor_array_written_in_loop),
    # Detection-style post-processing: a count known when the graph runs
    # sizes a top_k, a pad, a fill and a slice.
    "pad_clip_run_time_count": ([(8,)], pad_clip_run_time_count),
    "cast_through_uint8": ([(3, 4)], lambda x: tf.cast(
        tf.cast(tf.clip_by_value(x * 40.0 + 128.0, 0.0, 255.0), tf.uint8),
        tf.float32) * 0.5),
    # TF1 conditionals: tf.function's If is lowered to Switch/Merge when the
    # graph is frozen. Each cond is here twice, its predicate flipped, so
    # that whatever the data, both branches are taken by some case.
    "cond_data_dependent": ([(3, 4)], lambda x: tf.cond(
        tf.reduce_sum(x) > 0.0, lambda: x * 2.0 + 1.0,
        lambda: tf.nn.relu(x) - tf.constant(0.5))),
    "cond_data_dependent_flipped": ([(3, 4)], lambda x: tf.cond(
        tf.reduce_sum(x) <= 0.0, lambda: x * 2.0 + 1.0,
        lambda: tf.nn.relu(x) - tf.constant(0.5))),
    "cond_nested": ([(3, 4)], lambda x: tf.cond(
        tf.reduce_max(x) > -100.0,
        lambda: tf.cond(x[0, 0] > 100.0, lambda: x * 3.0,
                        lambda: tf.sin(x)),
        lambda: tf.fill([3, 4], 7.0))),
    "cond_nested_flipped": ([(3, 4)], lambda x: tf.cond(
        tf.reduce_max(x) > -100.0,
        lambda: tf.cond(x[0, 0] <= 100.0, lambda: x * 3.0,
                        lambda: tf.sin(x)),
        lambda: tf.fill([3, 4], 7.0))),
}


def write_case(outdir, name, shapes, fn):
    # A shape is the input's, or a pair (the graph's shape with None for a
    # dim known at run time only, the data's shape).
    pairs = [s if isinstance(s[0], tuple) else (s, s) for s in shapes]
    specs = [tf.TensorSpec(g, tf.float32, name="x%d" % i if i else "x")
             for i, (g, _) in enumerate(pairs)]
    shapes = [d for _, d in pairs]
    concrete = tf.function(fn).get_concrete_function(*specs)
    frozen = convert_variables_to_constants_v2(concrete)
    graph = frozen.graph.as_graph_def()
    inputs = [rand(*s) for s in shapes]
    outputs = frozen(*[tf.constant(a) for a in inputs])
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "graph.pb"), "wb") as f:
        f.write(graph.SerializeToString())
    io = {"model": "graph.pb", "inputs": [], "outputs": []}
    for i, (spec, a) in enumerate(zip(specs, inputs)):
        np.save(os.path.join(d, "input_%d.npy" % i), a)
        entry = {"name": spec.name, "file": "input_%d.npy" % i,
                 "dtype": "float32", "shape": list(a.shape)}
        if None in spec.shape.as_list():
            # Compiled with these dims left dynamic ("?").
            entry["compile_shape"] = ["?" if d is None else d
                                      for d in spec.shape.as_list()]
        io["inputs"].append(entry)
    for i, (t, v) in enumerate(zip(frozen.outputs, outputs)):
        v = np.asarray(v)
        np.save(os.path.join(d, "output_%d.npy" % i), v)
        io["outputs"].append({"name": t.name.split(":")[0],
                              "file": "output_%d.npy" % i,
                              "dtype": str(v.dtype), "shape": list(v.shape)})
    with open(os.path.join(d, "io.json"), "w") as f:
        json.dump(io, f, indent=1)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    only = set(sys.argv[2:])
    for name, (shapes, fn) in CASES.items():
        if only and name not in only:
            continue
        write_case(sys.argv[1], name, shapes, fn)
        print("wrote", name, flush=True)


if __name__ == "__main__":
    main()
