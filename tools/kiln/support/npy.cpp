//===- npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// The .npy layout is: the magic "\x93NUMPY", a major and minor version byte,
// a little-endian header length (2 bytes for v1, 4 for v2/v3), an ASCII
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }
// padded with spaces and a newline to a multiple of 64 bytes, then the raw
// array data. This file parses exactly the subset of that dict NumPy writes.
//
//===----------------------------------------------------------------------===//

#include "npy.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace kiln;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// One supported .npy descr and the dtype it maps to.
struct DescrEntry {
  const char *descr;
  kiln_dtype dtype;
};

constexpr DescrEntry kDescrs[] = {
    {"<f4", KILN_DTYPE_FLOAT32}, {"<f8", KILN_DTYPE_FLOAT64},
    {"<f2", KILN_DTYPE_FLOAT16},
    {"<i4", KILN_DTYPE_INT32},   {"<i8", KILN_DTYPE_INT64},
    {"|u1", KILN_DTYPE_UINT8},   {"|i1", KILN_DTYPE_INT8},
    {"|b1", KILN_DTYPE_BOOL},
    {"<i2", KILN_DTYPE_INT16},   {"<u2", KILN_DTYPE_UINT16},
    {"<u4", KILN_DTYPE_UINT32},  {"<u8", KILN_DTYPE_UINT64},
};

/// Maps a descr to a dtype; explains big-endian or unknown descrs in `err`.
bool dtypeFromDescr(const std::string &descr, kiln_dtype &dtype,
                    std::string &err) {
  std::string normal = descr;
  // '=' (native) is little-endian on every host Kiln supports; single-byte
  // types may be written with '<' or '='.
  if (!normal.empty() && normal[0] == '=')
    normal[0] = '<';
  if (normal.size() == 3 && normal[2] == '1' && normal[0] == '<')
    normal[0] = '|';
  for (const DescrEntry &e : kDescrs)
    if (normal == e.descr) {
      dtype = e.dtype;
      return true;
    }
  if (!descr.empty() && descr[0] == '>')
    err = "big-endian data ('" + descr + "') is not supported";
  else
    err = "unsupported dtype '" + descr +
          "' (supported: <f2 <f4 <f8 <i4 <i8 |u1 |i1 |b1)";
  return false;
}

/// Returns the descr string NumPy writes for `dtype`, or nullptr.
const char *descrFromDtype(kiln_dtype dtype) {
  for (const DescrEntry &e : kDescrs)
    if (e.dtype == dtype)
      return e.descr;
  return nullptr;
}

/// Finds `'key':` in the header dict and returns the position after ':'.
bool findKey(const std::string &header, const std::string &key, size_t &pos) {
  for (char quote : {'\'', '"'}) {
    std::string needle = std::string(1, quote) + key + quote;
    size_t at = header.find(needle);
    if (at == std::string::npos)
      continue;
    at += needle.size();
    while (at < header.size() && std::isspace((unsigned char)header[at]))
      ++at;
    if (at < header.size() && header[at] == ':') {
      pos = at + 1;
      while (pos < header.size() && std::isspace((unsigned char)header[pos]))
        ++pos;
      return true;
    }
  }
  return false;
}

/// Parses a quoted string value at `pos`.
bool parseQuoted(const std::string &header, size_t pos, std::string &out) {
  if (pos >= header.size() || (header[pos] != '\'' && header[pos] != '"'))
    return false;
  size_t end = header.find(header[pos], pos + 1);
  if (end == std::string::npos)
    return false;
  out = header.substr(pos + 1, end - pos - 1);
  return true;
}

/// Parses a shape tuple such as "()", "(3,)" or "(1, 3)" at `pos`.
bool parseShapeTuple(const std::string &header, size_t pos,
                     std::vector<int64_t> &shape) {
  if (pos >= header.size() || header[pos] != '(')
    return false;
  size_t end = header.find(')', pos);
  if (end == std::string::npos)
    return false;
  std::string body = header.substr(pos + 1, end - pos - 1);
  std::stringstream items(body);
  std::string item;
  shape.clear();
  while (std::getline(items, item, ',')) {
    size_t b = item.find_first_not_of(" \t");
    if (b == std::string::npos)
      continue; // trailing comma in "(3,)"
    size_t e = item.find_last_not_of(" \tL");
    std::string digits = item.substr(b, e - b + 1);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return false;
    shape.push_back(std::stoll(digits));
  }
  return true;
}

/// Parses the header dict into dtype and shape.
bool parseHeader(const std::string &header, HostTensor &out, std::string &err) {
  size_t pos = 0;
  std::string descr;
  if (!findKey(header, "descr", pos) || !parseQuoted(header, pos, descr)) {
    err = "malformed .npy header: no 'descr'";
    return false;
  }
  if (!dtypeFromDescr(descr, out.dtype, err))
    return false;
  if (!findKey(header, "fortran_order", pos)) {
    err = "malformed .npy header: no 'fortran_order'";
    return false;
  }
  if (header.compare(pos, 4, "True") == 0) {
    err = "fortran_order arrays are not supported (save with C order)";
    return false;
  }
  if (header.compare(pos, 5, "False") != 0) {
    err = "malformed .npy header: bad 'fortran_order' value";
    return false;
  }
  if (!findKey(header, "shape", pos) ||
      !parseShapeTuple(header, pos, out.shape)) {
    err = "malformed .npy header: no valid 'shape'";
    return false;
  }
  return true;
}

/// Reads a little-endian unsigned integer of `n` bytes.
uint32_t readLE(const std::string &data, size_t pos, size_t n) {
  uint32_t value = 0;
  for (size_t i = 0; i < n; ++i)
    value |= uint32_t(static_cast<unsigned char>(data[pos + i])) << (8 * i);
  return value;
}

/// Reads a whole file into `out`.
bool slurp(const std::string &path, std::string &out, std::string &err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open file: " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

} // namespace

bool kiln::parseNpy(const std::string &data, HostTensor &out,
                    std::string &err) {
  if (data.size() < kMagicSize + 2 ||
      data.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    err = "not a .npy file (bad magic)";
    return false;
  }
  unsigned major = static_cast<unsigned char>(data[6]);
  if (major < 1 || major > 3) {
    err = "unsupported .npy version " + std::to_string(major);
    return false;
  }
  size_t lenBytes = major == 1 ? 2 : 4;
  if (data.size() < 8 + lenBytes) {
    err = "truncated .npy header";
    return false;
  }
  size_t headerLen = readLE(data, 8, lenBytes);
  size_t dataStart = 8 + lenBytes + headerLen;
  if (data.size() < dataStart) {
    err = "truncated .npy header";
    return false;
  }
  HostTensor parsed;
  parsed.name = out.name;
  if (!parseHeader(data.substr(8 + lenBytes, headerLen), parsed, err))
    return false;
  int64_t count = elementCount(parsed.shape);
  size_t expected = static_cast<size_t>(count) * dtypeSize(parsed.dtype);
  size_t got = data.size() - dataStart;
  if (count < 0 || got != expected) {
    err =
        (got < expected ? "truncated .npy data: " : "wrong .npy data size: ") +
        std::string("shape ") + shapeString(parsed.shape) + " needs " +
        std::to_string(expected) + " bytes, file has " + std::to_string(got);
    return false;
  }
  parsed.bytes.assign(data.begin() + dataStart, data.end());
  out = std::move(parsed);
  return true;
}

bool kiln::readNpy(const std::string &path, HostTensor &out, std::string &err) {
  std::string data;
  if (!slurp(path, data, err))
    return false;
  if (!parseNpy(data, out, err)) {
    err = path + ": " + err;
    return false;
  }
  return true;
}

bool kiln::serializeNpy(const HostTensor &t, std::string &out,
                        std::string &err) {
  const char *descr = descrFromDtype(t.dtype);
  // NumPy has no bfloat16 or 8/4/2-bit types of its own: those are written
  // as their bits (uint16, or one uint8 per element), which ml_dtypes'
  // .view() turns back into values.
  if (!descr && dtypeSize(t.dtype) == 2)
    descr = "<u2";
  else if (!descr && dtypeSize(t.dtype) == 1)
    descr = "|u1";
  if (!descr) {
    err = "cannot write dtype " + dtypeName(t.dtype) + " to .npy";
    return false;
  }
  int64_t count = elementCount(t.shape);
  if (count < 0 || t.bytes.size() != size_t(count) * dtypeSize(t.dtype)) {
    err = "tensor '" + t.name + "' has " + std::to_string(t.bytes.size()) +
          " bytes, which does not match shape " + shapeString(t.shape);
    return false;
  }
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  bool v2 = dict.size() + 11 > 65535;
  size_t prefix = 8 + (v2 ? 4 : 2);
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  out.assign(kMagic, kMagicSize);
  out += char(v2 ? 2 : 1);
  out += char(0);
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i)
    out += char((dict.size() >> (8 * i)) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char *>(t.bytes.data()), t.bytes.size());
  return true;
}

bool kiln::writeNpy(const std::string &path, const HostTensor &t,
                    std::string &err) {
  std::string data;
  if (!serializeNpy(t, data, err)) {
    err = path + ": " + err;
    return false;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file || !file.write(data.data(), std::streamsize(data.size()))) {
    err = path + ": cannot write file: " + std::strerror(errno);
    return false;
  }
  return true;
}
