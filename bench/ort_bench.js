// ort_bench.js - times a model with ONNX Runtime (CPU), Kiln's baseline.
//
// Loads model.onnx into an InferenceSession (intraOpNumThreads=T,
// interOpNumThreads=1, graphOptimizationLevel 'all', sequential execution),
// feeds random inputs of the declared shapes (symbolic dims taken as 1),
// warms up, times N runs and prints one JSON line in `kiln bench --json`'s
// format: {"model":LABEL,"threads":T,"runs":N,"median_ms":X,"min_ms":X,
// "mean_ms":X}. LABEL defaults to "ort:" + the model's folder name.
//
// Usage: node ort_bench.js model.onnx [--threads T] [--runs N] [--warmup W]
//        [--label L]

'use strict';
const path = require('path');
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const o = {threads: 1, runs: 50, warmup: 5, label: null, model: null};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads') o.threads = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--warmup') o.warmup = Number(argv[++i]);
    else if (a === '--label') o.label = argv[++i];
    else if (a === '--json') { /* always JSON; accepted for symmetry */ }
    else if (!o.model) o.model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!o.model) throw new Error('usage: node ort_bench.js model.onnx ' +
                                '[--threads T] [--runs N] [--label L]');
  if (!o.label) {
    const base = path.basename(o.model, '.onnx');
    o.label = 'ort:' + (base === 'model' ?
                        path.basename(path.dirname(path.resolve(o.model))) :
                        base);
  }
  return o;
}

/** A small deterministic generator so runs are repeatable. */
function makeRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const TYPED = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array,
  int64: BigInt64Array, uint8: Uint8Array, int8: Int8Array, bool: Uint8Array,
};

/** A random tensor for one input's metadata. */
function randomInput(meta, rand) {
  const dims = meta.shape.map(d => (typeof d === 'number' && d > 0) ? d : 1);
  const count = dims.reduce((a, b) => a * b, 1);
  const Ctor = TYPED[meta.type];
  if (!Ctor)
    throw new Error(`input ${meta.name}: unsupported type ${meta.type}`);
  const data = new Ctor(count);
  if (meta.type === 'float32' || meta.type === 'float64')
    for (let i = 0; i < count; i++) data[i] = rand() * 2 - 1;
  return new ort.Tensor(meta.type, data, dims);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(o.model, {
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const rand = makeRandom(42);
  const feeds = {};
  for (const meta of session.inputMetadata)
    feeds[meta.name] = randomInput(meta, rand);

  for (let i = 0; i < o.warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] :
                         (times[n / 2 - 1] + times[n / 2]) / 2;
  const mean = times.reduce((a, b) => a + b, 0) / n;
  const r = v => Number(v.toFixed(4));
  console.log(JSON.stringify({model: o.label, threads: o.threads, runs: n,
                              median_ms: r(median), min_ms: r(times[0]),
                              mean_ms: r(mean)}));
  await session.release();
}

main().catch(e => {
  console.error(e.message || e);
  process.exit(2);
});
