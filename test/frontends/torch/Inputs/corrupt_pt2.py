#!/usr/bin/env python3
"""corrupt_pt2.py - writes broken variants of a .pt2 archive for the error tests.

Usage: corrupt_pt2.py SOURCE.pt2 OUTDIR

OUTDIR/truncated.pt2   the first half of SOURCE's bytes
OUTDIR/not-zip.pt2     text
OUTDIR/newer.pt2       models/model.json claims schema version 99.0
OUTDIR/unknown-ops.pt2 two nodes call ATen ops Kiln does not know
OUTDIR/short-weight.pt2 a weight file shorter than its tensor
OUTDIR/bomb.pt2        models/model.json inflates to 300 MB
OUTDIR/not-pt2.pt2     a zip without archive_format
OUTDIR/inplace-reread.pt2 an in-place relu_ whose input a later node reads
"""

import json
import os
import sys
import zipfile


def rewrite(source, dest, edit):
    """Copies SOURCE to DEST, passing each entry's (name, bytes) to edit."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = edit(info.filename, src.read(info.filename))
            if data is not None:
                out.writestr(info.filename, data)


def edit_program(change):
    def edit(name, data):
        if name.endswith("models/model.json"):
            program = json.loads(data)
            change(program)
            return json.dumps(program)
        return data
    return edit


def newer(program):
    program["schema_version"] = {"major": 99, "minor": 0}


def unknown_ops(program):
    nodes = program["graph_module"]["graph"]["nodes"]
    nodes[0]["target"] = "torch.ops.aten.frobnicate.default"
    nodes[-1]["target"] = "torch.ops.aten.transmogrify.default"


def inplace_reread(program):
    nodes = program["graph_module"]["graph"]["nodes"]
    relu = next(n for n in nodes if n["target"].endswith("relu.default"))
    relu["target"] = "torch.ops.aten.relu_.default"
    overwritten = relu["inputs"][0]["arg"]["as_tensor"]["name"]
    # The next layer reads the tensor relu_ overwrote, not relu_'s result.
    nodes[-1]["inputs"][0]["arg"]["as_tensor"]["name"] = overwritten


def main():
    source, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    data = open(source, "rb").read()
    open(os.path.join(out, "truncated.pt2"), "wb").write(data[: len(data) // 2])
    open(os.path.join(out, "not-zip.pt2"), "w").write("not a zip archive\n")
    rewrite(source, os.path.join(out, "newer.pt2"), edit_program(newer))
    rewrite(source, os.path.join(out, "unknown-ops.pt2"),
            edit_program(unknown_ops))
    rewrite(source, os.path.join(out, "short-weight.pt2"),
            lambda n, d: d[:4] if n.endswith("weights/weight_0") else d)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(
            os.path.join(out, "bomb.pt2"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.endswith("models/model.json"):
                body = b" " * (300 << 20)
            dst.writestr(info.filename, body)
    rewrite(source, os.path.join(out, "not-pt2.pt2"),
            lambda n, d: None if n.endswith("/archive_format") else d)
    rewrite(source, os.path.join(out, "inplace-reread.pt2"),
            edit_program(inplace_reread))


if __name__ == "__main__":
    main()
