#!/usr/bin/env python3
"""make_keras_apps.py OUTDIR [NAMES...] - writes Keras applications with
random weights (weights=None, seeded) as TensorFlow models Kiln reads, with
the outputs TensorFlow computes for a seeded input:

  OUTDIR/NAME/graph.pb      the frozen GraphDef (variables as constants)
  OUTDIR/NAME_saved/model/  the same model as a SavedModel
  io.json, input_0.npy, output_0.npy in each folder (run_tf_models.py)

These are large (tens of MB each) and need TensorFlow, so they stay out of
git and CI. Regenerate and run them with:

  python3 -m venv ~/venvs/tf && ~/venvs/tf/bin/pip install tensorflow-cpu
  ~/venvs/tf/bin/python test/models/make_keras_apps.py ~/keras-apps
  cmake -DKILN_KERAS_APPS=$HOME/keras-apps build && ctest --test-dir build -R keras-apps
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import (
    convert_variables_to_constants_v2)

A = tf.keras.applications
APPS = {
    "resnet50": (A.ResNet50, 224),
    "mobilenet_v2": (A.MobileNetV2, 224),
    "mobilenet_v3_small": (A.MobileNetV3Small, 224),
    "efficientnet_b0": (A.EfficientNetB0, 224),
    "densenet121": (A.DenseNet121, 224),
    "inception_v3": (A.InceptionV3, 299),
    "xception": (A.Xception, 299),
    "nasnet_mobile": (A.NASNetMobile, 224),
    "convnext_tiny": (A.ConvNeXtTiny, 224),
}


def write_io(d, model_file, in_name, x, out_name, y):
    np.save(os.path.join(d, "input_0.npy"), x)
    np.save(os.path.join(d, "output_0.npy"), y)
    io = {"model": model_file,
          "inputs": [{"name": in_name, "file": "input_0.npy",
                      "dtype": "float32", "shape": list(x.shape)}],
          "outputs": [{"name": out_name, "file": "output_0.npy",
                       "dtype": "float32", "shape": list(y.shape)}]}
    with open(os.path.join(d, "io.json"), "w") as f:
        json.dump(io, f, indent=1)


def export(outdir, name):
    ctor, size = APPS[name]
    tf.keras.utils.set_random_seed(0)
    model = ctor(weights=None, input_shape=(size, size, 3))
    x = np.random.default_rng(0).uniform(0, 1, (1, size, size, 3)).astype(np.float32)
    spec = tf.TensorSpec((1, size, size, 3), tf.float32, name="x")
    concrete = tf.function(lambda t: model(t, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(concrete)
    y = np.asarray(frozen(tf.constant(x))[0] if isinstance(frozen(tf.constant(x)), (list, tuple))
                   else frozen(tf.constant(x)))
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "graph.pb"), "wb") as f:
        f.write(frozen.graph.as_graph_def().SerializeToString())
    write_io(d, "graph.pb", "x", x, frozen.outputs[0].name.split(":")[0], y)

    # The SavedModel: its serving signature names the input and output.
    s = os.path.join(outdir, name + "_saved")
    os.makedirs(s, exist_ok=True)
    module = tf.Module()
    module.model = model
    module.serve = tf.function(lambda t: {"y": model(t, training=False)},
                               input_signature=[spec])
    tf.saved_model.save(module, os.path.join(s, "model"),
                        signatures={"serving_default": module.serve})
    write_io(s, "model", "x", x, "y", y)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or list(APPS)
    for n in names:
        export(sys.argv[1], n)
        print("wrote", n, flush=True)


if __name__ == "__main__":
    main()
