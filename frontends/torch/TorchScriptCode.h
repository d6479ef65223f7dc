//===- TorchScriptCode.h - the code of a traced TorchScript module -*- C++ -*-===//
//
// A TorchScript archive keeps each module class as Python-like source
// (code/__torch__/.../NAME.py). torch.jit.trace writes straight-line
// methods: assignments of calls (torch.*, ops.prim.*, a submodule's
// forward), attribute reads of self, literals, lists and tuples, and one
// return. This parser reads that subset into a small syntax tree; control
// flow (which only scripting writes) and statements outside the subset
// are kept as unsupported statements, reported with their file and line
// if a method that holds one is run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_TORCHSCRIPTCODE_H
#define KILN_FRONTENDS_TORCH_TORCHSCRIPTCODE_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::torch_frontend {

struct TsExpr {
  enum class Kind {
    Name,  ///< text
    Attr,  ///< operands[0].text
    Call,  ///< callee(operands..., keywords...)
    Index, ///< operands[0][operands[1]]
    Int, Float, Bool, None, String,
    List, Tuple, ///< operands
  };
  Kind kind = Kind::None;
  std::string text;
  int64_t integer = 0;
  double real = 0;
  bool boolean = false;
  std::unique_ptr<TsExpr> callee;
  std::vector<std::unique_ptr<TsExpr>> operands;
  std::vector<std::pair<std::string, std::unique_ptr<TsExpr>>> keywords;
  int line = 0;
  /// The byte offset in the file where the expression starts (debug_pkl
  /// records map such offsets to the traced Python source).
  size_t offset = 0;

  /// The dotted name of a Name/Attr chain ("torch.add"), or "".
  std::string dotted() const;
};

struct TsStmt {
  enum class Kind { Assign, Return, Expr, Unsupported };
  Kind kind = Kind::Expr;
  /// Assign: the names bound (several for `a, b, = f(x)`).
  std::vector<std::string> targets;
  std::unique_ptr<TsExpr> value;
  /// Unsupported: the statement's first word ("for", "if"), or empty
  /// when the statement is outside the subset the parser reads (`why`).
  std::string text;
  std::string why;
  int line = 0;
};

struct TsMethod {
  std::string name;
  /// Parameter names, self first.
  std::vector<std::string> params;
  /// Their annotations ("Tensor", "__torch__.Net", "" when none).
  std::vector<std::string> paramTypes;
  /// The return annotation ("Tensor", "Tuple[Tensor, Tensor]").
  std::string returns;
  std::vector<TsStmt> body;
  int line = 0;
};

struct TsClass {
  std::string name;
  std::map<std::string, TsMethod> methods;
};

/// One code file: its path in the archive and its classes by name.
struct TsSource {
  std::string path;
  std::map<std::string, TsClass> classes;
  /// From NAME.py.debug_pkl, where the archive has it: code byte offset ->
  /// the model's Python line that traced it ("net.py", 70), in offset
  /// order; an empty file name where the range has no user frame.
  std::vector<std::pair<size_t, std::pair<std::string, unsigned>>> sourceLines;

  /// The Python line of the code at `offset`, or null.
  const std::pair<std::string, unsigned> *sourceLineAt(size_t offset) const;
};

/// Parses code file `path`; false with `error` ("PATH:LINE: why").
bool parseTorchScript(const std::string &path, const std::string &text,
                      TsSource &out, std::string &error);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_TORCHSCRIPTCODE_H
