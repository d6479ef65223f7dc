"""narrow_types.py KILN DIR - bfloat16, 8/4-bit floats and 4/2-bit integers.

For each narrow float format, one model casts every code to float32 and
others cast float32 values (ties, subnormals, overflow, infinities, NaN)
to the format, with and without saturation; the references come from a
brute-force search over the format's decoded codes (nearest, ties to the
even code), not from the bit arithmetic Kiln compiles. Sub-byte integers
cast from floats (truncating, wrapping as numpy's astype does) and widen
to int8/uint8. A bfloat16 Add checks that ops on narrow types compute in
float32 and round once. Prints "PASS name" when every element matches
bit for bit (any NaN code matches any NaN), else "FAIL name ...".
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

# name: (ONNX code, exponent bits, mantissa bits, bias, specials)
FORMATS = {
    "bfloat16": (16, 8, 7, 127, "ieee"),
    "float8e4m3fn": (17, 4, 3, 7, "nan_all_ones"),
    "float8e4m3fnuz": (18, 4, 3, 8, "nan_neg_zero"),
    "float8e5m2": (19, 5, 2, 15, "ieee"),
    "float8e5m2fnuz": (20, 5, 2, 16, "nan_neg_zero"),
    "float4e2m1": (23, 2, 1, 1, "finite"),
}


def decode(fmt, code):
    """The value of `code` in `fmt`, as a float64 (NaN for NaN codes)."""
    _, e_bits, m_bits, bias, specials = FORMATS[fmt]
    sign = -1.0 if (code >> (e_bits + m_bits)) & 1 else 1.0
    e = (code >> m_bits) & ((1 << e_bits) - 1)
    m = code & ((1 << m_bits) - 1)
    e_max, m_max = (1 << e_bits) - 1, (1 << m_bits) - 1
    if specials == "ieee" and e == e_max:
        return np.nan if m else sign * np.inf
    if specials == "nan_all_ones" and e == e_max and m == m_max:
        return np.nan
    if specials == "nan_neg_zero" and code == 1 << (e_bits + m_bits):
        return np.nan
    if e == 0:
        return sign * m * 2.0 ** (1 - bias - m_bits)
    return sign * (1 + m / 2.0 ** m_bits) * 2.0 ** (e - bias)


def table(fmt):
    bits = 1 + FORMATS[fmt][1] + FORMATS[fmt][2]
    return np.array([decode(fmt, c) for c in range(1 << bits)])


def encode(fmt, x, saturate, values):
    """Nearest code to float32 `x` by search, ties to the even code."""
    specials = FORMATS[fmt][4]
    bits = 1 + FORMATS[fmt][1] + FORMATS[fmt][2]
    saturate = saturate and bits == 8  # Cast saturates only float8
    finite = np.isfinite(values)
    largest = np.max(values[finite])
    if np.isnan(x):
        return int(np.flatnonzero(np.isnan(values))[0]) if specials != "finite" \
            else 1 << (bits - 1)
    mag = abs(float(x))
    if mag > largest:
        # Past the largest value: it, or the next step up when rounding
        # would get there (inf, or NaN where there is no inf).
        step = largest - np.max(values[finite & (values < largest)])
        if saturate or specials == "finite" or mag < largest + step / 2 or \
                (mag == largest + step / 2 and
                 int(np.flatnonzero(values == largest)[0]) % 2 == 0):
            target = largest
        else:
            over = np.inf if specials == "ieee" else np.nan
            if np.isnan(over):
                return int(np.flatnonzero(np.isnan(values))[0])
            target = over
        code = int(np.flatnonzero(values == target)[0])
    else:
        cand = np.flatnonzero(finite & (values >= 0))
        dist = np.abs(values[cand] - mag)
        best = cand[dist == dist.min()]
        code = int(best[0] if len(best) == 1 else best[best % 2 == 0][0])
    if x < 0 or (x == 0 and np.signbit(x)):
        if not (specials == "nan_neg_zero" and code == 0):
            code |= 1 << (bits - 1)
    return code


def same_codes(fmt, got, want, values):
    return all(g == w or (np.isnan(values[g]) and np.isnan(values[w]))
               for g, w in zip(got.tolist(), want.tolist()))


def tensor(name, code, shape, raw):
    t = TensorProto()
    t.name, t.data_type = name, code
    t.dims.extend(shape)
    t.raw_data = raw
    return t


def cast_model(in_code, out_code, n, saturate=None):
    attrs = {"to": out_code}
    if saturate is not None:
        attrs["saturate"] = saturate
    node = helper.make_node("Cast", ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", in_code, [n])],
        [helper.make_tensor_value_info("y", out_code, [n])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    m.ir_version = 10
    return m


def run(kiln, folder, name, m, x):
    case = os.path.join(folder, name)
    os.makedirs(os.path.join(case, "data"), exist_ok=True)
    with open(os.path.join(case, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    with open(os.path.join(case, "data", "input_0.pb"), "wb") as f:
        f.write(x.SerializeToString())
    out = os.path.join(case, "out")
    p = subprocess.run([kiln, "run", os.path.join(case, "model.onnx"),
                        "--data", os.path.join(case, "data"),
                        "--output-dir", out], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return None
    return np.load(os.path.join(out, "output_0.npy"))


def report(name, ok, detail=""):
    print(("PASS %s" % name) if ok else ("FAIL %s %s" % (name, detail)))


def float_cases(kiln, folder, rng):
    probe = np.concatenate([
        rng.standard_normal(200) * 4, rng.standard_normal(100) * 1e-2,
        rng.standard_normal(60) * 1e3, np.exp2(rng.integers(-20, 20, 40)),
        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 1e-30]])
    for fmt, (code, e_bits, m_bits, _, _) in FORMATS.items():
        values = table(fmt)
        bits = 1 + e_bits + m_bits
        # Ties and near-ties: midpoints of neighbouring finite values.
        fin = np.unique(values[np.isfinite(values)])
        mids = (fin[:-1] + fin[1:]) / 2
        x = np.concatenate([probe, rng.choice(mids, 64), fin]).astype(np.float32)
        codes = np.arange(1 << bits, dtype=np.uint16 if bits > 8 else np.uint8)
        if bits > 8:
            codes = codes[::37]  # a spread of bfloat16 codes
        raw = codes.tobytes() if bits >= 8 else bytes(
            int(codes[i]) | int(codes[i + 1]) << 4 for i in range(0, len(codes), 2))
        got = run(kiln, folder, fmt + "_to_float",
                  cast_model(code, TensorProto.FLOAT, len(codes)),
                  tensor("x", code, [len(codes)], raw))
        if got is not None:
            want = values[codes.astype(np.int64)].astype(np.float32)
            ok = np.array_equal(got, want, equal_nan=True)
            report(fmt + "_to_float", ok)
        for sat in (1, 0):
            name = "float_to_%s_saturate%d" % (fmt, sat)
            got = run(kiln, folder, name,
                      cast_model(TensorProto.FLOAT, code, len(x), sat),
                      numpy_helper.from_array(x, "x"))
            if got is None:
                continue
            if bits < 8:
                got = got & 0xF
            want = np.array([encode(fmt, v, sat, values) for v in x])
            ok = same_codes(fmt, got.astype(np.int64), want, values)
            bad = [i for i in range(len(x)) if got[i] != want[i]][:3]
            report(name, ok, "x=%s got=%s want=%s" % (
                x[bad], got[bad], want[bad]))


def integer_cases(kiln, folder):
    x = np.array([1.7, -2.5, 7.9, -9.2, 100.0, 3.5, -0.4, 15.0], np.float32)
    for name, code, bits, signed in (("int4", 22, 4, True), ("uint4", 21, 4, False),
                                     ("int2", 26, 2, True), ("uint2", 25, 2, False)):
        got = run(kiln, folder, "float_to_" + name,
                  cast_model(TensorProto.FLOAT, code, len(x)),
                  numpy_helper.from_array(x, "x"))
        if got is not None:
            want = np.trunc(x).astype(np.int64) & ((1 << bits) - 1)
            report("float_to_" + name, np.array_equal(got & ((1 << bits) - 1), want))
        codes = np.arange(1 << bits)
        per = 8 // bits
        packed = bytes(int(sum(int(c) << (bits * j) for j, c in
                               enumerate(codes[i:i + per]))) for i in
                       range(0, len(codes), per))
        wide = TensorProto.INT8 if signed else TensorProto.UINT8
        got = run(kiln, folder, name + "_to_8bit",
                  cast_model(code, wide, len(codes)),
                  tensor("x", code, [len(codes)], packed))
        if got is not None:
            want = np.where(signed & (codes >> (bits - 1) == 1),
                            codes - (1 << bits), codes)
            report(name + "_to_8bit", np.array_equal(got.astype(np.int64), want))


def bf16_add(kiln, folder, rng):
    a = rng.standard_normal(64).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    to_bf16 = lambda v: (((v.view(np.uint32) + 0x7FFF +
                           ((v.view(np.uint32) >> 16) & 1)) >> 16)
                         .astype(np.uint16))
    a16, b16 = to_bf16(a), to_bf16(b)
    wide = lambda h: (h.astype(np.uint32) << 16).view(np.float32)
    want = to_bf16((wide(a16) + wide(b16)).astype(np.float32))
    node = helper.make_node("Add", ["x", "x2"], ["y"])
    graph = helper.make_graph(
        [helper.make_node("Constant", [], ["x2"], value=tensor("k", 16, [64], b16.tobytes())),
         node], "g", [helper.make_tensor_value_info("x", 16, [64])],
        [helper.make_tensor_value_info("y", 16, [64])])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    m.ir_version = 10
    got = run(kiln, folder, "bf16_add", m, tensor("x", 16, [64], a16.tobytes()))
    if got is not None:
        report("bf16_add", np.array_equal(got, want))


def main():
    kiln, folder = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(11)
    float_cases(kiln, folder, rng)
    integer_cases(kiln, folder)
    bf16_add(kiln, folder, rng)


if __name__ == "__main__":
    main()
