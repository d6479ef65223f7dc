#!/usr/bin/env python3
"""trace_pt.py - writes traced TorchScript (.pt) test archives.

For each model: OUT/NAME/model.pt (torch.jit.trace of the model in eval
mode, saved with .save()) and OUT/NAME/test_data_set_{0,1}/ with
input_K.npy and PyTorch's output_K.npy for two random inputs of the traced
shape (a traced graph is specialised to it). The models are those of
export_pt2.py that PyTorch 1.13 can trace, plus a few that exercise the
TorchScript code forms (nn.Sequential's getattr(self, "0"), several
outputs, a shared submodule, traced Python scalars). Works with Debian's
PyTorch 1.13 (the lit tests run it) and with current PyTorch.

Usage: trace_pt.py OUT [NAME...]
       trace_pt.py --linear TCH_RS_LINEAR_DIR OUT
           (nn.Linear(257, 4) with the weights ws.npy/bs.npy of that
           folder, traced; in.npy and out.npy become its data set)
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_pt2  # noqa: E402  (the .pt2 test models)


class TwoHeads(nn.Module):
    """A shared trunk (called twice: one module, two call sites) and two
    outputs; traced size arithmetic (h.size(1) // 2) shapes a view; a
    column picked by select."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(8, 8), nn.Tanh())
        self.head_a = nn.Linear(8, 3)
        self.head_b = nn.Linear(8, 2)

    def forward(self, x):
        h = self.trunk(self.trunk(x))
        half = h.size(1) // 2
        g = h.view(h.size(0), 2, half).transpose(1, 2).reshape(h.size(0), -1)
        first = h[:, 0].unsqueeze(1)   # select, unsqueeze
        return self.head_a(g), F.softmax(self.head_b(h * 0.5), dim=-1) + first


class MobileBits(nn.Module):
    """MobileNetV3's activations (hardswish, hardsigmoid) and a
    squeeze-excite gate."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.act = nn.Hardswish(inplace=True)
        self.fc1 = nn.Conv2d(8, 4, 1)
        self.fc2 = nn.Conv2d(4, 8, 1)

    def forward(self, x):
        y = self.act(self.conv(x))
        s = F.adaptive_avg_pool2d(y, 1)
        s = F.hardsigmoid(self.fc2(F.relu(self.fc1(s))))
        return (y * s).flatten(1)


# name -> (constructor, input shape)
MODELS = {
    "mlp_tiny": (export_pt2.TinyMlp, (2, 8)),
    "small_cnn": (export_pt2.small_cnn, (1, 3, 32, 32)),
    "ops_mix": (export_pt2.OpsMix, (1, 3, 8, 8)),
    "encoder_tiny": (export_pt2.encoder_tiny, (1, 16, 32)),
    "two_heads": (TwoHeads, (4, 8)),
    "mobile_bits": (MobileBits, (1, 3, 8, 8)),
    "gpt_tiny": (export_pt2.TinyGpt, (1, 12)),
    "lstm_tagger": (export_pt2.LstmTagger, (2, 7)),
    "swin_block": (export_pt2.swin_block, (1, 6, 6, 8)),
    "unet_tiny": (export_pt2.UnetTiny, (1, 3, 8, 8)),
}


def save_outputs(folder, y):
    for k, t in enumerate(y if isinstance(y, tuple) else (y,)):
        np.save(os.path.join(folder, "output_%d.npy" % k), t.numpy())


def trace(name, out):
    ctor, shape = MODELS[name]
    torch.manual_seed(0)
    model = ctor().eval()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    with torch.no_grad():
        traced = torch.jit.trace(model, export_pt2.example(name, shape))
    traced.save(os.path.join(folder, "model.pt"))
    gen = torch.Generator().manual_seed(1)
    for k in range(2):
        x = export_pt2.example(name, shape, gen)
        with torch.no_grad():
            y = model(x)
        data = os.path.join(folder, "test_data_set_%d" % k)
        os.makedirs(data, exist_ok=True)
        np.save(os.path.join(data, "input_0.npy"), x.numpy())
        save_outputs(data, y)


def trace_linear(src, out):
    ws, bs = np.load(os.path.join(src, "ws.npy")), np.load(os.path.join(src, "bs.npy"))
    model = nn.Linear(ws.shape[1], ws.shape[0]).eval()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(ws))
        model.bias.copy_(torch.from_numpy(bs))
    x = np.load(os.path.join(src, "in.npy")).astype(np.float32)
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    with torch.no_grad():
        torch.jit.trace(model, torch.from_numpy(x)).save(
            os.path.join(out, "model.pt"))
    data = os.path.join(out, "test_data_set_0")
    np.save(os.path.join(data, "input_0.npy"), x)
    np.save(os.path.join(data, "output_0.npy"),
            np.load(os.path.join(src, "out.npy")).astype(np.float32))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--linear":
        trace_linear(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    for name in sys.argv[2:] or sorted(MODELS):
        trace(name, sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
