// ort_check.js - runs an exported model with ONNX Runtime and compares it with
// the reference outputs that export_models.py wrote.
//
// Reads MODEL_DIR/model.onnx and MODEL_DIR/test_data_set_0/{input,output}_K.npy
// (the .npy twins of the .pb files, since onnxruntime-node cannot parse
// TensorProto), runs the model once on one thread and prints, per output,
// max abs error, max|ref| and their ratio. Exits 1 when a ratio exceeds
// --rtol (default 1e-5), 2 on error.
//
// Usage: node ort_check.js MODEL_DIR [--rtol R]
// onnxruntime-node is looked up normally, then in bench/node_modules.

'use strict';
const fs = require('fs');
const path = require('path');

/** Loads onnxruntime-node from the usual places or bench/node_modules. */
function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    return require(path.join(__dirname, '..', '..', 'bench', 'node_modules',
                             'onnxruntime-node'));
  }
}

const NPY_TYPES = {
  '<f4': ['float32', Float32Array],
  '<f8': ['float64', Float64Array],
  '<i4': ['int32', Int32Array],
  '<i8': ['int64', BigInt64Array],
  '|u1': ['uint8', Uint8Array],
  '|i1': ['int8', Int8Array],
  '|b1': ['bool', Uint8Array],
};

/** Parses a little-endian, C-order .npy file into {type, dims, data}. */
function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY')
    throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: Fortran order is not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
                    .split(',').map(s => s.trim()).filter(s => s.length)
                    .map(Number);
  if (!(descr in NPY_TYPES))
    throw new Error(`${file}: unsupported dtype ${descr}`);
  const [type, Ctor] = NPY_TYPES[descr];
  const count = shape.reduce((a, b) => a * b, 1);
  const off = hstart + hlen;
  // Copy so the typed array is aligned whatever the header length.
  const bytes = buf.subarray(off, off + count * Ctor.BYTES_PER_ELEMENT);
  const data = new Ctor(new Uint8Array(bytes).buffer);
  return {type, dims: shape, data};
}

/** Returns the test_data_set_0 .npy files with the given prefix, in order. */
function listNpy(dir, prefix) {
  const out = [];
  for (let k = 0;; k++) {
    const f = path.join(dir, `${prefix}_${k}.npy`);
    if (!fs.existsSync(f)) return out;
    out.push(readNpy(f));
  }
}

async function main() {
  const args = process.argv.slice(2);
  let rtol = 1e-5;
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rtol') rtol = Number(args[++i]);
    else rest.push(args[i]);
  }
  if (rest.length !== 1) {
    console.error('usage: node ort_check.js MODEL_DIR [--rtol R]');
    process.exit(2);
  }
  const dir = rest[0];
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(
      path.join(dir, 'model.onnx'),
      {intraOpNumThreads: 1, interOpNumThreads: 1});
  const data = path.join(dir, 'test_data_set_0');
  const inputs = listNpy(data, 'input');
  const refs = listNpy(data, 'output');
  const feeds = {};
  session.inputNames.forEach((n, k) => {
    feeds[n] = new ort.Tensor(inputs[k].type, inputs[k].data, inputs[k].dims);
  });
  const results = await session.run(feeds);
  let ok = true;
  session.outputNames.forEach((n, k) => {
    const got = results[n].data;
    const ref = refs[k].data;
    if (got.length !== ref.length) {
      console.log(`output '${n}': size ${got.length} != reference ${
          ref.length} FAIL`);
      ok = false;
      return;
    }
    let maxErr = 0, maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(Number(got[i]) - Number(ref[i])));
      maxRef = Math.max(maxRef, Math.abs(Number(ref[i])));
    }
    const ratio = maxRef > 0 ? maxErr / maxRef : maxErr;
    const pass = ratio <= rtol;
    ok = ok && pass;
    console.log(`${path.basename(dir)} output '${n}': max_abs_err=${
        maxErr.toExponential(3)} max|ref|=${maxRef.toExponential(3)} ratio=${
        ratio.toExponential(3)} ${pass ? 'PASS' : 'FAIL'}`);
  });
  process.exit(ok ? 0 : 1);
}

main().catch(e => {
  console.error(e.message || e);
  process.exit(2);
});
