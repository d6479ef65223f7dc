#!/usr/bin/env python3
"""export_pt2.py - writes the torch.export (.pt2) test archives.

For each model: OUT/NAME/model.pt2 (torch.export.export + torch.export.save
of the model in eval mode), OUT/NAME/model_core.pt2 (the same program after
run_decompositions(): the core ATen form) and OUT/NAME/test_data_set_K/{input_0,output_0}.npy
(a random input and PyTorch's output for it). A model exported with a
dynamic batch (torch.export.Dim, 1 to 64) gets data sets of batch 1 and 3. The archives in
test/frontends/torch/Inputs were written by this script; torch.export needs a current
PyTorch (2.5 or later), which Debian does not ship, so CI uses the
committed files. Regenerate them with a current torch in a virtual
environment:

    python3 -m venv ~/venvs/torch && ~/venvs/torch/bin/pip install torch numpy
    ~/venvs/torch/bin/python test/frontends/torch/export_pt2.py \
        test/frontends/torch/Inputs

Usage: export_pt2.py OUT [NAME...]
"""

import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
import export_models  # noqa: E402  (the suite's model definitions)


class TinyMlp(nn.Module):
    """8 -> Linear 16 -> ReLU -> Linear 4, batch 2."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class OpsMix(nn.Module):
    """The ATen ops torchvision's classifiers add to small_cnn's: in-place
    activations and add, ceil-mode max pooling, a channel shuffle
    (view/transpose/contiguous), chunk, adaptive pooling to 2 x 2, mean over
    dims, hardtanh and dropout."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.act = nn.SiLU(inplace=True)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4 * 2 * 2 + 4, 5)

    def forward(self, x):
        x = self.pool(self.act(self.conv(x)))   # 8x8 -> 4x4 (ceil mode)
        b, c, h, w = x.shape
        x = x.view(b, 2, c // 2, h, w).transpose(1, 2).contiguous()
        x = x.view(b, c, h, w)
        a, y = x.chunk(2, dim=1)
        a = F.relu(a * 1.5, inplace=True)   # (chunk's views are read-only)
        a += y
        pooled = torch.flatten(F.adaptive_avg_pool2d(a, 2), 1)
        z = torch.cat([pooled, a.mean(dim=(2, 3))], dim=1)
        return self.fc(F.hardtanh(self.drop(z) - 0.5, -0.4, 0.4))


class CausalAttention(nn.Module):
    """GPT-style self-attention over 8 positions, width 16, 2 heads: one
    qkv projection split by view/permute/unbind, causal
    scaled_dot_product_attention, heads merged by transpose/reshape and a
    bmm of the result with its own transpose."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(16, 48)
        self.out = nn.Linear(16, 16)

    def forward(self, x):
        q, k, v = self.qkv(x).view(1, 8, 3, 2, 8).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = self.out(y.transpose(1, 2).reshape(1, 8, 16))
        return torch.bmm(y, y.transpose(1, 2))


class GptBlock(nn.Module):
    """Pre-norm decoder block: causal self-attention from a triu mask
    (masked_fill with -inf, softmax) and a GELU MLP, each residual."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        mask = torch.triu(torch.ones(t, t), diagonal=1).bool()
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // self.heads))
        att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TinyGpt(nn.Module):
    """GPT-style decoder over 12 token ids (int64): token and learned
    position embeddings, two blocks, a final layer norm and an LM head
    tied to the token embedding; logits out."""

    def __init__(self, vocab=50, seq=12, d=32, heads=2, layers=2):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq, d)
        self.blocks = nn.ModuleList(GptBlock(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x))


class LstmTagger(nn.Module):
    """Token ids (int64) -> embedding -> 2-layer bidirectional LSTM
    (batch first) -> per-token tag log-probabilities."""

    def __init__(self, vocab=30, d=16, hidden=24, tags=5):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.lstm = nn.LSTM(d, hidden, num_layers=2, bidirectional=True,
                            batch_first=True)
        self.out = nn.Linear(2 * hidden, tags)

    def forward(self, ids):
        h, _ = self.lstm(self.emb(ids))
        return torch.log_softmax(self.out(h), dim=-1)


class UnetTiny(nn.Module):
    """A U-Net-style step: conv, group norm, leaky ReLU, a strided conv
    down, nearest upsampling back, a skip concat, a bilinear upsample
    (align_corners both ways), and a head that adds the sum and the max
    over channels."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 8, 3, padding=1)
        self.norm = nn.GroupNorm(2, 8)
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.dec = nn.Conv2d(16, 4, 3, padding=1)

    def forward(self, x):
        e = F.leaky_relu(self.norm(self.enc(x)), 0.1)
        d = F.interpolate(self.down(e), scale_factor=2, mode="nearest")
        y = self.dec(torch.cat([e, d], dim=1))
        a = F.interpolate(y, size=(12, 12), mode="bilinear", align_corners=False)
        b = F.interpolate(y, size=(12, 12), mode="bilinear", align_corners=True)
        z = a + b
        return z + z.sum(dim=1, keepdim=True) + z.amax(dim=1, keepdim=True)


def swin_block():
    """torchvision's shifted-window block at toy size (8 channels, 2 heads,
    4 x 4 windows shifted by 2, a 6 x 6 map padded to 8 x 8): padding, roll,
    the shifted-window mask written into slices, relative position bias
    looked up by an index buffer. Only its core ATen form imports (the
    mask's in-place fills into views become slice_scatter there)."""
    from torchvision.models.swin_transformer import SwinTransformerBlock
    return SwinTransformerBlock(8, 2, [4, 4], [2, 2])


# Models whose input is token ids below this vocabulary size.
TOKENS = {"gpt_tiny": 50, "lstm_tagger": 30}


def example(name, shape, generator=None):
    """A random input of `shape` for model `name`: token ids or floats."""
    if name in TOKENS:
        return torch.randint(0, TOKENS[name], shape, generator=generator)
    return torch.randn(*shape, generator=generator)


def small_cnn():
    model = export_models.SmallCnn()
    with torch.no_grad():
        export_models.randomize_norms(model)
    return model


def encoder_tiny():
    """The suite's PosEncoder (positions by arange + embedding, a BERT
    block, slices joined by cat) at sequence 16, width 32, 2 heads."""
    model = export_models.PosEncoder(seq=16, d=32)
    model.block = export_models.BertBlock(16, 32, heads=2, ff=64)
    with torch.no_grad():
        export_models.randomize_norms(model)
    return model


# name -> (constructor, input shape, dynamic batch)
MODELS = {
    "mlp_tiny": (TinyMlp, (2, 8), False),
    "small_cnn": (small_cnn, (1, 3, 32, 32), False),
    "small_cnn_dyn": (small_cnn, (2, 3, 32, 32), True),
    "ops_mix": (OpsMix, (1, 3, 8, 8), False),
    "encoder_tiny": (encoder_tiny, (1, 16, 32), False),
    "encoder_tiny_dyn": (encoder_tiny, (2, 16, 32), True),
    "attention_causal": (CausalAttention, (1, 8, 16), False),
    "gpt_tiny": (TinyGpt, (1, 12), False),
    "lstm_tagger": (LstmTagger, (2, 7), False),
    "swin_block": (swin_block, (1, 6, 6, 8), False),
    "unet_tiny": (UnetTiny, (1, 3, 8, 8), False),
}


def export(name, out):
    ctor, shape, dynamic = MODELS[name]
    torch.manual_seed(0)
    model = ctor().eval()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    sample = example(name, shape)
    dims = None
    if dynamic:
        dims = {"x": {0: torch.export.Dim("batch", min=1, max=64)}}
    program = torch.export.export(model, (sample,), dynamic_shapes=dims)
    torch.export.save(program, os.path.join(folder, "model.pt2"))
    # The core ATen form: what run_decompositions() makes of the graph.
    torch.export.save(program.run_decompositions(),
                      os.path.join(folder, "model_core.pt2"))
    gen = torch.Generator().manual_seed(1)
    for k, batch in enumerate([1, 3] if dynamic else [shape[0]] * 2):
        x = example(name, (batch,) + tuple(shape[1:]), gen)
        with torch.no_grad():
            y = model(x)
        data = os.path.join(folder, "test_data_set_%d" % k)
        os.makedirs(data, exist_ok=True)
        np.save(os.path.join(data, "input_0.npy"), x.numpy())
        np.save(os.path.join(data, "output_0.npy"), y.numpy())
    print("wrote", folder)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    names = sys.argv[2:] or sorted(MODELS)
    for name in names:
        export(name, sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
