#!/usr/bin/env python3
"""corrupt_pt.py - writes broken variants of a traced TorchScript archive.

Usage: corrupt_pt.py SOURCE.pt OUTDIR   (SOURCE: trace_pt.py's mlp_tiny)

OUTDIR/truncated.pt     the first half of SOURCE's bytes
OUTDIR/newer.pt         the version file says 99
OUTDIR/unknown-ops.pt   the code calls two ATen ops Kiln does not know
OUTDIR/hostile.pt       data.pkl names the global os.system
OUTDIR/bad-opcode.pt    data.pkl holds an opcode outside the allowed set
OUTDIR/short-weight.pt  a weight's storage file shorter than the tensor
OUTDIR/past-storage.pt  a tensor view reaches past its storage
OUTDIR/weights-only.pt  a torch.save'd state dict (no code)
OUTDIR/scripted.pt      a torch.jit.script'ed module with a loop
"""

import os
import re
import sys
import zipfile

import torch


def rewrite(source, dest, edit):
    """Copies SOURCE to DEST, passing each entry's (name, bytes) to edit."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = edit(info.filename, src.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)


def on(suffix, change):
    def edit(name, data):
        return change(data) if name.endswith(suffix) else data
    return edit


class Looping(torch.nn.Module):
    def forward(self, x):
        for _ in range(3):
            x = x * 2
        return x


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)  # noqa: E731
    data = open(src, "rb").read()
    open(path("truncated.pt"), "wb").write(data[: len(data) // 2])
    rewrite(src, path("newer.pt"),
            lambda n, d: b"99\n" if n.endswith("/version") else d)
    rewrite(src, path("unknown-ops.pt"), on(
        ".py", lambda d: d.replace(b"torch.relu(", b"torch.frobnicate(")
                          .replace(b"torch.linear(", b"torch.transmogrify(")))
    # The first GLOBAL of data.pkl (the top module's class) becomes
    # os.system: an archive that would run a command if it were executed.
    rewrite(src, path("hostile.pt"), on(
        "data.pkl", lambda d: re.sub(rb"c__torch__[.\w]*\n\w+\n",
                                     b"cos\nsystem\n", d, count=1)))
    rewrite(src, path("bad-opcode.pt"), on(
        "data.pkl", lambda d: d[:2] + b"i" + d[2:]))  # INST
    rewrite(src, path("short-weight.pt"), on("data/0", lambda d: d[:4]))
    # The first storage (fc1.weight's, 128 elements) claims 100.
    rewrite(src, path("past-storage.pt"), on(
        "data.pkl", lambda d: d.replace(b"cpuq\nK\x80", b"cpuq\nK\x64", 1)))
    torch.save(torch.nn.Linear(2, 2).state_dict(), path("weights-only.pt"))
    torch.jit.script(Looping()).save(path("scripted.pt"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
