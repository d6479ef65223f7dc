//===- Pickle.cpp - the pickles TorchScript archives hold, read safely -----===//
//
// A stack machine over Python's pickle opcodes (Lib/pickletools.py
// documents each). Only data is built: the globals a TorchScript archive
// names are recognised by name and turned into values here, so nothing an
// archive says is ever called.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/Pickle.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstring>
#include <map>

namespace kiln::torch_frontend {

PickleRef PickleValue::attr(const std::string &key) const {
  for (const auto &[k, v] : dict)
    if (k && k->kind == Kind::String && k->text == key)
      return v;
  return nullptr;
}

namespace {

using Kind = PickleValue::Kind;

/// Bounds on what a pickle may make Kiln hold: a module tree has a few
/// thousand values.
constexpr size_t kMaxStack = size_t(1) << 22;
constexpr size_t kMaxMemo = size_t(1) << 22;

/// The dtype of a typed storage class ("torch.FloatStorage").
bool storageDtype(llvm::StringRef name, kiln_dtype &dtype) {
  static const std::pair<const char *, kiln_dtype> table[] = {
      {"torch.FloatStorage", KILN_DTYPE_FLOAT32},
      {"torch.DoubleStorage", KILN_DTYPE_FLOAT64},
      {"torch.HalfStorage", KILN_DTYPE_FLOAT16},
      {"torch.LongStorage", KILN_DTYPE_INT64},
      {"torch.IntStorage", KILN_DTYPE_INT32},
      {"torch.CharStorage", KILN_DTYPE_INT8},
      {"torch.ByteStorage", KILN_DTYPE_UINT8},
      {"torch.BoolStorage", KILN_DTYPE_BOOL},
  };
  for (const auto &[n, d] : table)
    if (name == n) {
      dtype = d;
      return true;
    }
  return false;
}

/// The globals an archive may name; everything else is refused.
bool allowedGlobal(llvm::StringRef name) {
  kiln_dtype unused;
  return name.starts_with("__torch__.") || storageDtype(name, unused) ||
         name == "torch._utils._rebuild_tensor_v2" ||
         name == "collections.OrderedDict" ||
         name == "torch.jit._pickle.build_intlist" ||
         name == "torch.jit._pickle.build_doublelist" ||
         name == "torch.jit._pickle.build_boollist" ||
         name == "torch.jit._pickle.build_tensorlist" ||
         name == "torch.jit._pickle.restore_type_tag";
}

class Unpickler {
public:
  Unpickler(const std::string &bytes, std::string &error)
      : data(bytes), error(error) {}
  PickleRef run();

private:
  const std::string &data;
  std::string &error;
  size_t pos = 0;
  std::vector<PickleRef> stack;
  std::vector<size_t> marks;
  std::map<uint64_t, PickleRef> memo;

  bool fail(const std::string &why) {
    if (error.empty())
      error = why + " (at byte " + std::to_string(pos) + ")";
    return false;
  }
  bool take(size_t n, const char *&p) {
    if (data.size() - pos < n)
      return fail("the pickle is truncated");
    p = data.data() + pos;
    pos += n;
    return true;
  }
  bool uint(size_t n, uint64_t &v) {
    const char *p;
    if (!take(n, p))
      return false;
    v = 0;
    for (size_t i = n; i-- > 0;)
      v = (v << 8) | uint8_t(p[i]);
    return true;
  }
  bool push(PickleRef v) {
    if (stack.size() >= kMaxStack)
      return fail("the pickle's stack grows past Kiln's limit");
    stack.push_back(std::move(v));
    return true;
  }
  bool pop(PickleRef &v) {
    if (stack.empty() || (!marks.empty() && stack.size() <= marks.back()))
      return fail("the pickle pops an empty stack");
    v = std::move(stack.back());
    stack.pop_back();
    return true;
  }
  /// Pops everything above the last MARK.
  bool popMark(std::vector<PickleRef> &items) {
    if (marks.empty())
      return fail("the pickle has no MARK where one is needed");
    size_t at = marks.back();
    marks.pop_back();
    items.assign(stack.begin() + at, stack.end());
    stack.resize(at);
    return true;
  }
  static PickleRef make(Kind kind) {
    auto v = std::make_shared<PickleValue>();
    v->kind = kind;
    return v;
  }
  bool string(size_t lengthBytes, Kind kind = Kind::String) {
    uint64_t n;
    const char *p;
    if (!uint(lengthBytes, n) || !take(n, p))
      return false;
    auto v = make(kind);
    v->text.assign(p, n);
    return push(v);
  }
  bool integer(int64_t n) {
    auto v = make(Kind::Int);
    v->integer = n;
    return push(v);
  }
  bool global(const std::string &module, const std::string &name) {
    std::string full = module + "." + name;
    if (!allowedGlobal(full))
      return fail("the pickle names global '" + full +
                  "', which is not one Kiln reads (nothing in an archive "
                  "is executed)");
    auto v = make(Kind::Global);
    v->text = full;
    return push(v);
  }
  bool persistentId();
  bool reduce();
  bool step(uint8_t op, bool &done);
};

bool Unpickler::persistentId() {
  PickleRef pid;
  if (!pop(pid))
    return false;
  // ('storage', torch.FloatStorage, key, location, numel)
  const auto &t = pid->items;
  if (pid->kind != Kind::Tuple || t.size() != 5 ||
      t[0]->kind != Kind::String || t[0]->text != "storage" ||
      t[1]->kind != Kind::Global || t[2]->kind != Kind::String ||
      t[4]->kind != Kind::Int)
    return fail("a persistent id is not a ('storage', type, key, location, "
                "size) tuple");
  auto v = make(Kind::Storage);
  if (!storageDtype(t[1]->text, v->tensor.dtype))
    return fail("storage type " + t[1]->text + " is not supported");
  if (t[2]->text.empty() || llvm::StringRef(t[2]->text).contains('/') ||
      llvm::StringRef(t[2]->text).contains(".."))
    return fail("a storage key is not a plain file name");
  v->tensor.storageKey = t[2]->text;
  v->tensor.storageElements = t[4]->integer;
  return push(v);
}

/// Integers of a tuple of ints (a tensor's sizes or strides).
static bool ints(const PickleRef &v, std::vector<int64_t> &out) {
  if (!v || v->kind != Kind::Tuple)
    return false;
  for (const auto &i : v->items) {
    if (i->kind != Kind::Int)
      return false;
    out.push_back(i->integer);
  }
  return true;
}

bool Unpickler::reduce() {
  PickleRef args, callable;
  if (!pop(args) || !pop(callable))
    return false;
  if (callable->kind != Kind::Global || args->kind != Kind::Tuple)
    return fail("REDUCE of something that is not an allowed global");
  const std::string &name = callable->text;
  const auto &a = args->items;
  if (name == "collections.OrderedDict")
    return push(make(Kind::Dict));
  if (name == "torch._utils._rebuild_tensor_v2") {
    // (storage, offset, sizes, strides, requires_grad, backward_hooks, ...)
    auto v = make(Kind::Tensor);
    if (a.size() < 4 || a[0]->kind != Kind::Storage ||
        a[1]->kind != Kind::Int || !ints(a[2], v->tensor.sizes) ||
        !ints(a[3], v->tensor.strides) ||
        v->tensor.sizes.size() != v->tensor.strides.size())
      return fail("_rebuild_tensor_v2 with arguments Kiln does not know");
    PickledTensor &t = v->tensor;
    std::vector<int64_t> sizes = t.sizes, strides = t.strides;
    t = a[0]->tensor;
    t.sizes = sizes;
    t.strides = strides;
    t.offset = a[1]->integer;
    return push(v);
  }
  if (llvm::StringRef(name).starts_with("torch.jit._pickle.")) {
    // build_*list(list) and restore_type_tag(value, type): the value.
    if (a.empty())
      return fail(name + " without arguments");
    return push(a[0]);
  }
  return fail("REDUCE of global '" + name + "', which Kiln does not apply");
}

bool Unpickler::step(uint8_t op, bool &done) {
  const char *p;
  uint64_t n;
  PickleRef v, w;
  std::vector<PickleRef> items;
  switch (op) {
  case 0x80: // PROTO
    return uint(1, n) && (n <= 5 || fail("pickle protocol " +
                                         std::to_string(n) + " is unknown"));
  case 0x95: // FRAME
    return uint(8, n);
  case '.': // STOP
    done = true;
    return true;
  case '(': // MARK
    marks.push_back(stack.size());
    return true;
  case 'c': { // GLOBAL "module\nname\n"
    size_t end1 = data.find('\n', pos);
    size_t end2 = end1 == std::string::npos ? end1 : data.find('\n', end1 + 1);
    if (end2 == std::string::npos)
      return fail("the pickle is truncated");
    std::string module = data.substr(pos, end1 - pos);
    std::string name = data.substr(end1 + 1, end2 - end1 - 1);
    pos = end2 + 1;
    return global(module, name);
  }
  case 0x93: // STACK_GLOBAL
    if (!pop(w) || !pop(v) || v->kind != Kind::String ||
        w->kind != Kind::String)
      return fail("STACK_GLOBAL without two strings");
    return global(v->text, w->text);
  case 'q': // BINPUT
  case 'r': // LONG_BINPUT
    if (!uint(op == 'q' ? 1 : 4, n))
      return false;
    if (stack.empty())
      return fail("memoizing from an empty stack");
    if (memo.size() >= kMaxMemo)
      return fail("the pickle's memo grows past Kiln's limit");
    memo[n] = stack.back();
    return true;
  case 0x94: // MEMOIZE
    if (stack.empty())
      return fail("memoizing from an empty stack");
    if (memo.size() >= kMaxMemo)
      return fail("the pickle's memo grows past Kiln's limit");
    memo[memo.size()] = stack.back();
    return true;
  case 'h': // BINGET
  case 'j': { // LONG_BINGET
    if (!uint(op == 'h' ? 1 : 4, n))
      return false;
    auto it = memo.find(n);
    if (it == memo.end())
      return fail("the pickle reads memo entry " + std::to_string(n) +
                  ", which it never wrote");
    return push(it->second);
  }
  case 'N':
    return push(make(Kind::None));
  case 0x88: // NEWTRUE
  case 0x89: // NEWFALSE
    v = make(Kind::Bool);
    v->boolean = op == 0x88;
    return push(v);
  case 'J': // BININT
    if (!uint(4, n))
      return false;
    return integer(int32_t(uint32_t(n)));
  case 'K': // BININT1
    return uint(1, n) && integer(int64_t(n));
  case 'M': // BININT2
    return uint(2, n) && integer(int64_t(n));
  case 0x8a: { // LONG1
    if (!uint(1, n) || n > 8)
      return n > 8 ? fail("an integer wider than 64 bits") : false;
    uint64_t bits;
    if (!uint(n, bits))
      return false;
    if (n > 0 && n < 8 && (bits >> (8 * n - 1)) & 1)
      bits |= ~uint64_t(0) << (8 * n); // sign-extend
    return integer(int64_t(bits));
  }
  case 'G': { // BINFLOAT, big-endian
    if (!take(8, p))
      return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits = (bits << 8) | uint8_t(p[i]);
    v = make(Kind::Float);
    std::memcpy(&v->real, &bits, 8);
    return push(v);
  }
  case 'X': // BINUNICODE
  case 'T': // BINSTRING
  case 'B': // BINBYTES
    return string(4);
  case 0x8c: // SHORT_BINUNICODE
  case 'U':  // SHORT_BINSTRING
  case 'C':  // SHORT_BINBYTES
    return string(1);
  case 0x8d: // BINUNICODE8
    return string(8);
  case ')': // EMPTY_TUPLE
    return push(make(Kind::Tuple));
  case 't': // TUPLE
    if (!popMark(items))
      return false;
    v = make(Kind::Tuple);
    v->items = std::move(items);
    return push(v);
  case 0x85: // TUPLE1
  case 0x86: // TUPLE2
  case 0x87: // TUPLE3
    v = make(Kind::Tuple);
    v->items.resize(op - 0x84);
    for (size_t i = v->items.size(); i-- > 0;)
      if (!pop(v->items[i]))
        return false;
    return push(v);
  case ']': // EMPTY_LIST
    return push(make(Kind::List));
  case 'l': // LIST
    if (!popMark(items))
      return false;
    v = make(Kind::List);
    v->items = std::move(items);
    return push(v);
  case 'a': // APPEND
    if (!pop(v) || stack.empty() || stack.back()->kind != Kind::List)
      return fail("APPEND to something that is not a list");
    stack.back()->items.push_back(v);
    return true;
  case 'e': // APPENDS
    if (!popMark(items) || stack.empty() || stack.back()->kind != Kind::List)
      return fail("APPENDS to something that is not a list");
    for (auto &i : items)
      stack.back()->items.push_back(i);
    return true;
  case '}': // EMPTY_DICT
    return push(make(Kind::Dict));
  case 'd': // DICT
  case 'u': // SETITEMS
    if (!popMark(items) || items.size() % 2)
      return fail("a dict with an odd number of keys and values");
    if (op == 'd')
      push(make(Kind::Dict));
    if (stack.empty() || stack.back()->kind != Kind::Dict)
      return fail("SETITEMS on something that is not a dict");
    for (size_t i = 0; i < items.size(); i += 2)
      stack.back()->dict.push_back({items[i], items[i + 1]});
    return true;
  case 's': // SETITEM
    if (!pop(w) || !pop(v) || stack.empty() ||
        stack.back()->kind != Kind::Dict)
      return fail("SETITEM on something that is not a dict");
    stack.back()->dict.push_back({v, w});
    return true;
  case '0': // POP
    return pop(v);
  case '1': // POP_MARK
    return popMark(items);
  case '2': // DUP
    if (stack.empty())
      return fail("DUP of an empty stack");
    return push(stack.back());
  case 'Q': // BINPERSID
    return persistentId();
  case 'R': // REDUCE
    return reduce();
  case 0x81: // NEWOBJ
    if (!pop(w) || !pop(v))
      return false;
    if (v->kind != Kind::Global ||
        !llvm::StringRef(v->text).starts_with("__torch__."))
      return fail("NEWOBJ of something that is not a TorchScript class");
    w = make(Kind::Object);
    w->text = v->text;
    return push(w);
  case 'b': // BUILD
    if (!pop(v) || stack.empty())
      return false;
    if (stack.back()->kind != Kind::Object)
      return fail("BUILD of something that is not a module object");
    if (v->kind == Kind::Dict)
      stack.back()->dict = v->dict;
    else
      stack.back()->items.push_back(v); // __setstate__ state
    return true;
  default:
    return fail("pickle opcode 0x" +
                llvm::utohexstr(op, /*LowerCase=*/true) +
                " is not one Kiln reads");
  }
}

PickleRef Unpickler::run() {
  bool done = false;
  while (!done) {
    if (pos >= data.size()) {
      fail("the pickle ends before its STOP");
      return nullptr;
    }
    uint8_t op = uint8_t(data[pos++]);
    if (!step(op, done))
      return nullptr;
  }
  if (stack.size() != 1 || !marks.empty()) {
    fail("the pickle leaves " + std::to_string(stack.size()) +
         " values at its STOP");
    return nullptr;
  }
  return stack.back();
}

} // namespace

PickleRef readPickle(const std::string &bytes, std::string &error) {
  error.clear();
  return Unpickler(bytes, error).run();
}

} // namespace kiln::torch_frontend
