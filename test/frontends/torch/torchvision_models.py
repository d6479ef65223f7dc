#!/usr/bin/env python3
"""torchvision_models.py - every torchvision classifier through Kiln, from
PyTorch's own archives.

For each classification model of the installed torchvision (random
weights, batch-norm statistics calibrated as in test/models/export_models.py,
eval mode, 1 x 3 x 224 x 224, 299 x 299 for inception_v3), writes
OUT/NAME/model.pt2 (torch.export; needs PyTorch 2.5 or later) and/or
OUT/NAME/model.pt (torch.jit.trace) with a data set (input_0.npy and
PyTorch's output_0.npy), then runs `kiln run` on each archive and prints a
table: PASS (within 1e-4 x max|ref|), FAIL, or the first line of Kiln's
error. The archives are large (the whole set is several GB), so they are
written on demand, not committed:

    python3 -m venv ~/venvs/torch && ~/venvs/torch/bin/pip install torch torchvision
    ~/venvs/torch/bin/python test/frontends/torch/torchvision_models.py \\
        --kiln build/bin/kiln /tmp/tv [--formats pt2,pt] [NAME...]

With Debian's PyTorch 1.13 (/usr/bin/python3), use --formats pt.
With --suite the models are those of Kiln's test suite
(test/models/export_models.py: mlp, small_cnn, resnet18, mobilenetv2,
bert_block, bert2, gemm1024, pos_encoder) instead.
"""

import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
import export_models  # noqa: E402  (calibrate_bn)


def build(name):
    if name in export_models.MODELS:
        ctor, shape, _, randomize = export_models.MODELS[name]
        torch.manual_seed(0)
        model = ctor()
        if randomize:
            with torch.no_grad():
                export_models.randomize_norms(model)
        return model.eval(), shape
    shape = (1, 3, 299, 299) if name == "inception_v3" else (1, 3, 224, 224)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = True
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(**kwargs)
    # Some heads start at zero (ViT's): random values, so that the outputs
    # say something.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1 and not p.any():
                p.normal_(0, 0.02)
    return export_models.calibrate_bn(model, shape).eval(), shape


def write(name, out, formats):
    folder = os.path.join(out, name)
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    model, shape = build(name)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
        if "pt" in formats:
            torch.jit.trace(model, x).save(os.path.join(folder, "model.pt"))
    if "pt2" in formats:
        program = torch.export.export(model, (x,))
        torch.export.save(program, os.path.join(folder, "model.pt2"))
    data = os.path.join(folder, "test_data_set_0")
    np.save(os.path.join(data, "input_0.npy"), x.numpy())
    np.save(os.path.join(data, "output_0.npy"), y.numpy())


def check(kiln, folder, archive, timeout):
    start = time.time()
    try:
        p = subprocess.run([kiln, "run", os.path.join(folder, archive),
                            "--data", os.path.join(folder, "test_data_set_0")],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "TIMEOUT", time.time() - start
    text = p.stdout + p.stderr
    if p.returncode == 0:
        m = re.search(r"max_abs_err=(\S+).*max\|ref\|=([^)]+)\)", text)
        return ("PASS %.1e" % (float(m.group(1)) / float(m.group(2)))
                if m else "PASS"), time.time() - start
    if p.returncode == 1:
        return "FAIL", time.time() - start
    first = text.strip().splitlines()[0] if text.strip() else "exit %d" % p.returncode
    return "ERROR: " + first[:120], time.time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--formats", default="pt2,pt")
    ap.add_argument("--timeout", type=int, default=1200)
    ap.add_argument("--suite", action="store_true",
                    help="Kiln's suite models instead of torchvision's")
    ap.add_argument("out")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    formats = args.formats.split(",")
    names = args.names or (list(export_models.MODELS) if args.suite else sorted(
        torchvision.models.list_models(module=torchvision.models)))
    print("| model | " + " | ".join(formats) + " |")
    print("|---|" + "---|" * len(formats))
    for name in names:
        try:
            write(name, args.out, formats)
        except Exception as e:  # a model PyTorch itself cannot export
            print("| %s | PyTorch failed: %s |" % (name, str(e).splitlines()[0][:100]),
                  flush=True)
            continue
        cells = []
        for f in formats:
            result, secs = check(args.kiln, os.path.join(args.out, name),
                                 "model." + f, args.timeout)
            cells.append("%s (%.0f s)" % (result, secs))
        print("| %s | %s |" % (name, " | ".join(cells)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
