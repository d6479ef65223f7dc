#!/usr/bin/env python3
"""tfjs_in_tensorflow.py MODEL_DIR - runs a TensorFlow.js graph model under
TensorFlow itself and prints, per output, how far TensorFlow's result is
from the TensorFlow.js reference stored beside the model (io.json,
output_K.npy). This tells a Kiln mismatch from a reference that no other
implementation reproduces. It writes TensorFlow's outputs as
/tmp/tfjs-in-tf/NAME/output_K.npy, to compare Kiln with by `kiln run
--expect`.

TensorFlow.js's own fused ops are unfused first (FusedDepthwiseConv2dNative
does not exist in TensorFlow; _FusedConv2D/_FusedMatMul need TArgs), and
quantized weights are dequantized as the weights manifest says. Needs
TensorFlow (see make_tf_corpus.py for the virtual environment).
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
from google.protobuf import json_format


def unfuse(gd):
    out = []
    for n in gd.node:
        if n.op not in ('_FusedConv2D', 'FusedDepthwiseConv2dNative', '_FusedMatMul'):
            out.append(n); continue
        ops = [o.decode() for o in n.attr['fused_ops'].list.s]
        base = {'_FusedConv2D': 'Conv2D', 'FusedDepthwiseConv2dNative': 'DepthwiseConv2dNative', '_FusedMatMul': 'MatMul'}[n.op]
        c = tf.compat.v1.NodeDef(name=n.name + '/_conv', op=base, input=list(n.input[:2]))
        keep = ['T', 'strides', 'padding', 'explicit_paddings', 'data_format', 'dilations', 'transpose_a', 'transpose_b']
        for k in keep:
            if k in n.attr: c.attr[k].CopyFrom(n.attr[k])
        if base == 'MatMul':
            for k in ['strides', 'padding', 'explicit_paddings', 'data_format', 'dilations']:
                if k in c.attr: del c.attr[k]
        out.append(c)
        cur = c.name; args = list(n.input[2:]); last = None
        for i, o in enumerate(ops):
            nm = n.name if i == len(ops) - 1 else n.name + '/_%d' % i
            if o == 'BiasAdd':
                x = tf.compat.v1.NodeDef(name=nm, op='BiasAdd', input=[cur, args.pop(0)])
            elif o == 'Prelu':
                # max(x,0) + alpha*min(x,0) spelled with TF ops
                a = args.pop(0)
                r = tf.compat.v1.NodeDef(name=nm + '/_relu', op='Relu', input=[cur]); r.attr['T'].CopyFrom(n.attr['T']); out.append(r)
                ng = tf.compat.v1.NodeDef(name=nm + '/_neg', op='Neg', input=[cur]); ng.attr['T'].CopyFrom(n.attr['T']); out.append(ng)
                rn = tf.compat.v1.NodeDef(name=nm + '/_reluneg', op='Relu', input=[ng.name]); rn.attr['T'].CopyFrom(n.attr['T']); out.append(rn)
                mm = tf.compat.v1.NodeDef(name=nm + '/_mul', op='Mul', input=[a, rn.name]); mm.attr['T'].CopyFrom(n.attr['T']); out.append(mm)
                x = tf.compat.v1.NodeDef(name=nm, op='Sub', input=[r.name, mm.name])
            else:
                x = tf.compat.v1.NodeDef(name=nm, op=o, input=[cur])
            x.attr['T'].CopyFrom(n.attr['T'])
            out.append(x); cur = nm
    del gd.node[:]
    gd.node.extend(out)


def load(d):
    """The model in folder D as a GraphDef with its weights as constants."""
    name = d.rstrip('/').split('/')[-1]
    m = json.load(open(f"{d}/{name}.json"))
    gd = tf.compat.v1.GraphDef()
    json_format.ParseDict(m['modelTopology'], gd, ignore_unknown_fields=True)
    weights = {}
    for group in m['weightsManifest']:
        buf = b''.join(open(f"{d}/{p}", 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            q = w.get('quantization')
            if q:
                dt = {'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16}[q['dtype']]
                a = np.frombuffer(buf, dt, n, off); off += n * a.itemsize
                a = a.astype(np.float32) if q['dtype'] == 'float16' else a * q['scale'] + q['min']
            else:
                dt = {'float32': np.float32, 'int32': np.int32}[w['dtype']]
                a = np.frombuffer(buf, dt, n, off); off += n * a.itemsize
            weights[w['name']] = a.reshape(w['shape']).astype(dt if not q else np.float32)
    for node in gd.node:
        if node.op == 'Const' and node.name in weights:
            node.attr['value'].tensor.CopyFrom(tf.make_tensor_proto(weights[node.name]))
    unfuse(gd)
    return gd, name


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    gd, name = load(d)
    io = json.load(open(f"{d}/io.json"))
    g = tf.Graph()
    with g.as_default():
        tf.compat.v1.import_graph_def(gd, name='')
    with tf.compat.v1.Session(graph=g) as s:
        feeds = {i['name'] + ':0': np.load(f"{d}/{i['file']}") for i in io['inputs']}
        outs = s.run([o['name'] + ':0' for o in io['outputs']], feeds)
    for o, v in zip(io['outputs'], outs):
        ref = np.load(f"{d}/{o['file']}")
        print(o['name'], v.shape, 'max|ref|', float(np.abs(ref).max()), 'tf-vs-tfjs maxerr', float(np.abs(v - ref).max()))
        os.makedirs(f'/tmp/tfjs-in-tf/{name}', exist_ok=True)
        np.save(f"/tmp/tfjs-in-tf/{name}/{o['file']}", v)


if __name__ == "__main__":
    main()
