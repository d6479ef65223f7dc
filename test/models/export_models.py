#!/usr/bin/python3
"""export_models.py - exports Kiln's end-to-end test models to ONNX.

Each model is built with randomly initialised weights (torch.manual_seed(0),
no downloads), put in eval mode and exported with the tracing exporter
(torch.onnx.export, constant folding on) to OUTDIR/NAME/model.onnx. Beside it,
OUTDIR/NAME/test_data_set_0/ holds the inputs and PyTorch's outputs in the
ONNX backend-test layout (input_K.pb / output_K.pb, TensorProtos named after
the graph's inputs and outputs) and the same arrays as input_K.npy /
output_K.npy for readers without protobuf (test/models/ort_check.js).
A static export also writes OUTDIR/NAME/model.pt, the model traced with
torch.jit.trace (TorchScript), for the test of Kiln's TorchScript reader.

A name with the suffix `_dyn` (resnet18_dyn) exports the model with a
dynamic batch dim ("batch" on the input and output; the BERT-style models
also a dynamic "sequence") and writes three data sets, test_data_set_0..2,
at batch sizes 1, 3 and 8 (batch x sequence 1x7, 3x64, 2x128): one compiled
library must match PyTorch at each. The suffix `_dynimg` (small_cnn_dynimg,
for image models) makes the batch, height and width dynamic and writes data
sets at three image sizes, odd ones included.

Usage: /usr/bin/python3 export_models.py OUTDIR [NAMES...]
With no NAMES every model is exported; `--list` prints the names.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# --- Models ------------------------------------------------------------------


class Mlp(nn.Module):
    """64x784 -> Linear 1024 -> ReLU -> Linear 1024 -> ReLU -> Linear 10."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 1024)
        self.fc2 = nn.Linear(1024, 1024)
        self.fc3 = nn.Linear(1024, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class SmallCnn(nn.Module):
    """A 32x32 CNN that touches many op kinds.

    Conv+BN pairs fold into the convolutions on export; the BatchNormalization
    after the Concat has no convolution to fold into and stays in the graph.
    """

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 16, 1)
        self.bn3 = nn.BatchNorm2d(48)
        self.fc = nn.Linear(48, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))            # Conv, Relu
        x = F.max_pool2d(x, 2)                         # MaxPool 16x16
        x = F.relu(self.bn2(self.conv2(x)))
        x = x * torch.sigmoid(x)                       # Sigmoid, Mul
        x = F.avg_pool2d(x, 2)                         # AveragePool 8x8
        y = torch.tanh(self.conv3(x))                  # Tanh
        x = torch.cat([F.relu6(x), y], dim=1)          # Clip, Concat
        x = self.bn3(x)                                # BatchNormalization
        x = F.adaptive_avg_pool2d(x, 1)                # GlobalAveragePool
        x = torch.flatten(x, 1)                        # Flatten
        return torch.softmax(self.fc(x), dim=-1)       # Gemm, Softmax


class BertBlock(nn.Module):
    """A post-LN BERT encoder layer: 4-head attention, d=256, FF 1024."""

    def __init__(self, seq=128, d=256, heads=4, ff=1024):
        super().__init__()
        self.seq, self.d, self.heads, self.dh = seq, d, heads, d // heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.ff1 = nn.Linear(d, ff)
        self.act = nn.GELU()                           # erf form
        self.ff2 = nn.Linear(ff, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)

    def split(self, t):
        # (B, S, D) -> (B, H, S, Dh); B and S from the tensor, so that an
        # export with dynamic axes computes them (Shape, Gather, Concat).
        b, s = t.shape[0], t.shape[1]
        return t.reshape(b, s, self.heads, self.dh).transpose(1, 2)

    def forward(self, x):
        q, k, v = (self.split(f(x)) for f in (self.q, self.k, self.v))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.dh)
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        ctx = ctx.transpose(1, 2).reshape(x.shape[0], x.shape[1], self.d)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.ff2(self.act(self.ff1(x))))


class Bert2(nn.Module):
    """Two BertBlocks stacked."""

    def __init__(self):
        super().__init__()
        self.b1 = BertBlock()
        self.b2 = BertBlock()

    def forward(self, x):
        return self.b2(self.b1(x))


class BertBase(nn.Module):
    """A BERT-base-sized encoder: 12 BertBlocks, d=768, 12 heads, FF 3072."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(
            BertBlock(128, 768, 12, 3072) for _ in range(12))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


class Gpt2Step(nn.Module):
    """One decoding step of a GPT-2-small-sized decoder (12 pre-LN layers,
    d=768, 12 heads, FF 3072) for the 128th token: each layer attends from
    the new token to 127 cached keys and values (model constants here, as a
    server would hold them) and itself. Batch-1 matrix-vector products on
    every weight, as in generation."""

    def __init__(self, d=768, heads=12, ff=3072, past=127, layers=12):
        super().__init__()
        self.d, self.heads, self.dh = d, heads, d // heads
        self.qkv = nn.ModuleList(nn.Linear(d, 3 * d) for _ in range(layers))
        self.o = nn.ModuleList(nn.Linear(d, d) for _ in range(layers))
        self.ff1 = nn.ModuleList(nn.Linear(d, ff) for _ in range(layers))
        self.ff2 = nn.ModuleList(nn.Linear(ff, d) for _ in range(layers))
        self.ln1 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
        self.ln2 = nn.ModuleList(nn.LayerNorm(d) for _ in range(layers))
        self.past_k = nn.Parameter(torch.randn(layers, 1, heads, past, d // heads))
        self.past_v = nn.Parameter(torch.randn(layers, 1, heads, past, d // heads))
        self.act = nn.GELU(approximate="tanh")

    def forward(self, x):                              # x: (1, 1, d)
        for i in range(len(self.qkv)):
            h = self.ln1[i](x)
            q, k, v = self.qkv[i](h).split(self.d, dim=-1)
            heads = lambda t: t.reshape(1, 1, self.heads, self.dh).transpose(1, 2)
            q, k, v = heads(q), heads(k), heads(v)
            k = torch.cat([self.past_k[i], k], dim=2)
            v = torch.cat([self.past_v[i], v], dim=2)
            scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.dh)
            ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
            x = x + self.o[i](ctx.transpose(1, 2).reshape(1, 1, self.d))
            x = x + self.ff2[i](self.act(self.ff1[i](self.ln2[i](x))))
        return x


class PosEncoder(nn.Module):
    """GPT-style learned positions and a BertBlock, written so that a dynamic
    export holds the exporter's sequence arithmetic: torch.arange(seq)
    (Range), an embedding lookup by those ids (Gather), a table sliced to
    the sequence (Slice with computed ends), and slices with constant
    bounds along the dynamic axis (y[:, :1], y[:, 1:]) joined by Concat."""

    def __init__(self, seq=128, d=256):
        super().__init__()
        self.pos = nn.Embedding(seq, d)
        self.bias = nn.Parameter(torch.randn(1, seq, d) * 0.1)
        self.block = BertBlock(seq, d)

    def forward(self, x):
        s = x.shape[1]
        x = x + self.pos(torch.arange(s)) + self.bias[:, :s]
        y = self.block(x)
        return torch.cat([y[:, :1], y[:, 1:] * y[:, :1]], dim=1)


class Gemm1024(nn.Module):
    """x @ W with a constant 1024x1024 weight: a single MatMul."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1024, 1024) / 32.0)

    def forward(self, x):
        return torch.matmul(x, self.w)


def randomize_norms(model):
    """Gives BatchNorm/LayerNorm non-trivial statistics and affine params."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
        elif isinstance(m, nn.LayerNorm):
            n = m.normalized_shape[0]
            m.weight.data.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
    return model


def calibrate_bn(model, shape, batch=4):
    """Sets BatchNorm running statistics from one train-mode pass on noise.

    With its default statistics (mean 0, var 1) a randomly initialised deep
    network's activations shrink or grow layer after layer (MobileNetV2's
    logits end up near 1e-9); statistics measured on data keep every layer
    near unit scale, as in a trained network.
    """
    g = torch.Generator().manual_seed(2)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(torch.randn(batch, *shape[1:], generator=g))
    return model


def build_torchvision(name, shape):
    import torchvision
    return calibrate_bn(getattr(torchvision.models, name)(weights=None), shape)


IMAGENET = (1, 3, 224, 224)

# name -> (constructor, input shape, opset, randomize norms)
MODELS = {
    "mlp": (Mlp, (64, 784), 13, False),
    "small_cnn": (SmallCnn, (1, 3, 32, 32), 13, True),
    "resnet18": (lambda: build_torchvision("resnet18", IMAGENET),
                 IMAGENET, 13, False),
    "mobilenetv2": (lambda: build_torchvision("mobilenet_v2", IMAGENET),
                    IMAGENET, 13, False),
    "bert_block": (BertBlock, (1, 128, 256), 17, True),
    "bert2": (Bert2, (1, 128, 256), 17, True),
    "gemm1024": (Gemm1024, (1024, 1024), 13, False),
    "pos_encoder": (PosEncoder, (1, 128, 256), 17, True),
    "bert_base": (BertBase, (1, 128, 768), 17, True),
    "gpt2_step": (Gpt2Step, (1, 1, 768), 17, True),
}


def torchvision_classifiers():
    """Names of torchvision's image classification models (the benchmark's
    `torchvision` set); Inception-v3 wants 299 x 299 images."""
    import torchvision
    return sorted(torchvision.models.list_models(module=torchvision.models))


def model_spec(base):
    """MODELS[base], or a torchvision classifier of that name."""
    if base in MODELS:
        return MODELS[base]
    if base in torchvision_classifiers():
        shape = (1, 3, 299, 299) if base == "inception_v3" else IMAGENET
        return (lambda: build_torchvision(base, shape), shape, 13, False)
    raise KeyError(base)


# --- Export ------------------------------------------------------------------


def write_tensor(directory, stem, name, array):
    """Writes STEM.pb (a TensorProto called NAME) and STEM.npy."""
    from onnx import numpy_helper  # here: the model classes need no onnx
    proto = numpy_helper.from_array(array, name)
    with open(os.path.join(directory, stem + ".pb"), "wb") as f:
        f.write(proto.SerializeToString())
    np.save(os.path.join(directory, stem + ".npy"), array)


DYNAMIC_SUFFIX = "_dyn"
IMAGE_SUFFIX = "_dynimg"
# Input shapes of the three data sets of a dynamic export: the batch (and,
# for sequence models, the sequence length) varies.
DYNAMIC_BATCHES = (1, 3, 8)
DYNAMIC_SEQUENCES = ((1, 7), (3, 64), (2, 128))
SEQUENCE_MODELS = ("bert_block", "bert2", "pos_encoder")
# Batch, height and width of the data sets of an `_dynimg` export, as
# fractions of the model's own height and width.
DYNAMIC_IMAGES = ((1, 1.0, 1.0), (3, 0.75, 1.25), (2, 1.47, 1.03))


def split_name(name):
    """(base model, "static" | "dyn" | "dynimg") of an export name."""
    for suffix in (IMAGE_SUFFIX, DYNAMIC_SUFFIX):
        if name.endswith(suffix) and name[: -len(suffix)] in MODELS:
            return name[: -len(suffix)], suffix[1:]
    return name, "static"


def write_data_set(ddir, path, x, y):
    """Writes inputs and outputs in the backend-test layout into DDIR."""
    os.makedirs(ddir, exist_ok=True)
    import onnx
    graph = onnx.load(path, load_external_data=False).graph
    inits = {t.name for t in graph.initializer}
    in_names = [i.name for i in graph.input if i.name not in inits]
    out_names = [o.name for o in graph.output]
    for k, (n, a) in enumerate(zip(in_names, [x])):
        write_tensor(ddir, "input_%d" % k, n, a.numpy())
    for k, (n, a) in enumerate(zip(out_names, [y])):
        write_tensor(ddir, "output_%d" % k, n, a.numpy())


def export_one(name, outdir):
    """Exports model NAME to OUTDIR/NAME; returns seconds spent."""
    base, kind = split_name(name)
    ctor, shape, opset, randomize = model_spec(base)
    start = time.time()
    torch.manual_seed(0)
    model = ctor()
    if randomize:
        with torch.no_grad():
            randomize_norms(model)
    model.eval()
    x = torch.randn(*shape)

    mdir = os.path.join(outdir, name)
    os.makedirs(mdir, exist_ok=True)
    path = os.path.join(mdir, "model.onnx")
    sequence = base in SEQUENCE_MODELS
    dims = {0: "batch", 1: "sequence"} if sequence else {0: "batch"}
    axes = {"input": dims, "output": dims} if kind == "dyn" else None
    if kind == "dynimg":
        # The output's spatial dims (if any) follow from the input's.
        axes = {"input": {0: "batch", 2: "height", 3: "width"},
                "output": {0: "batch"}}
    torch.onnx.export(model, (x,), path, opset_version=opset,
                      do_constant_folding=True, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes)
    if kind == "static":
        with torch.no_grad():
            torch.jit.trace(model, x).save(os.path.join(mdir, "model.pt"))
    if kind == "dynimg":
        leads = [(b, shape[1], round(shape[2] * fh), round(shape[3] * fw))
                 for b, fh, fw in DYNAMIC_IMAGES]
    elif kind == "static":
        leads = [tuple(shape[:1])]
    elif sequence:
        leads = DYNAMIC_SEQUENCES
    else:
        leads = [(b,) for b in DYNAMIC_BATCHES]
    for k, lead in enumerate(leads):
        full = tuple(lead) + tuple(shape[len(lead):])
        xb = x if full == tuple(shape) else torch.randn(*full)
        with torch.no_grad():
            y = model(xb)
        write_data_set(os.path.join(mdir, "test_data_set_%d" % k), path, xb, y)
    return time.time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("names", nargs="*",
                    help="models to export (default: all of MODELS); "
                    "'torchvision' adds every torchvision classifier")
    ap.add_argument("--list", action="store_true",
                    help="print model names (with 'torchvision': its "
                    "classifiers)")
    args = ap.parse_args()
    if args.list:
        # With --list there is no OUTDIR: every positional is a name.
        names = ([args.outdir] if args.outdir else []) + args.names
        names = names or list(MODELS)
        print("\n".join(torchvision_classifiers() if names == ["torchvision"]
                        else names))
        return 0
    if not args.outdir:
        ap.error("OUTDIR is required")
    names = args.names or list(MODELS)
    # "torchvision" stands for every torchvision classifier.
    names = [m for n in names
             for m in (torchvision_classifiers() if n == "torchvision" else [n])]
    known = set(MODELS) | set(torchvision_classifiers())
    unknown = [n for n in names if split_name(n)[0] not in known]
    if unknown:
        ap.error("unknown model(s): %s (known: %s, torchvision or one of "
                 "its classifiers)" % (", ".join(unknown), ", ".join(MODELS)))
    total = time.time()
    for name in names:
        secs = export_one(name, args.outdir)
        size = os.path.getsize(os.path.join(args.outdir, name, "model.onnx"))
        print("exported %-12s %8.2f MB  %6.2f s" % (name, size / 1e6, secs),
              flush=True)
    print("total export time %.2f s" % (time.time() - total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
