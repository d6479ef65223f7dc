//===- TorchScriptCode.cpp - the code of a traced TorchScript module -------===//

#include "frontends/torch/TorchScriptCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace kiln::torch_frontend {

std::string TsExpr::dotted() const {
  if (kind == Kind::Name)
    return text;
  if (kind == Kind::Attr && !operands.empty()) {
    std::string base = operands[0]->dotted();
    return base.empty() ? "" : base + "." + text;
  }
  return "";
}

const std::pair<std::string, unsigned> *
TsSource::sourceLineAt(size_t offset) const {
  auto it = std::upper_bound(
      sourceLines.begin(), sourceLines.end(), offset,
      [](size_t o, const auto &entry) { return o < entry.first; });
  if (it == sourceLines.begin())
    return nullptr;
  --it;
  return it->second.first.empty() ? nullptr : &it->second;
}

namespace {

struct Token {
  enum class Kind { Name, Int, Float, String, Punct, End } kind;
  std::string text;
  /// Where the token starts in its logical line's text.
  size_t pos = 0;
};

/// A statement joined over the lines its brackets span.
struct LogicalLine {
  int indent = 0;
  int line = 0;
  std::string text;
  /// The byte offset of `text` in the file.
  size_t offset = 0;
};

/// Nesting deeper than this is not code tracing writes.
constexpr int kMaxDepth = 256;

class LineParser {
public:
  LineParser(const std::string &text, int line, size_t base,
             std::string &error)
      : line(line), base(base), error(error) {
    tokenize(text);
  }

  bool atEnd() const { return tokens[at].kind == Token::Kind::End; }
  const Token &peek(size_t ahead = 0) const {
    return tokens[std::min(at + ahead, tokens.size() - 1)];
  }
  bool isPunct(llvm::StringRef p, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Punct && peek(ahead).text == p;
  }
  bool accept(llvm::StringRef p) {
    if (!isPunct(p))
      return false;
    ++at;
    return true;
  }
  bool fail(const std::string &why) {
    if (error.empty())
      error = std::to_string(line) + ": " + why;
    return false;
  }
  bool expect(llvm::StringRef p) {
    return accept(p) || fail("expected '" + p.str() + "', found '" +
                             peek().text + "'");
  }

  std::unique_ptr<TsExpr> expression(int depth = 0);
  bool ok() const { return error.empty(); }
  size_t at = 0;

private:
  int line;
  size_t base;
  std::string &error;
  std::vector<Token> tokens;

  void tokenize(const std::string &s);
  std::unique_ptr<TsExpr> primary(int depth);
  std::unique_ptr<TsExpr> make(TsExpr::Kind kind) {
    auto e = std::make_unique<TsExpr>();
    e->kind = kind;
    e->line = line;
    return e;
  }
  bool sequence(llvm::StringRef close, TsExpr &into, int depth,
                bool keywords);
};

void LineParser::tokenize(const std::string &s) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '#') {
      break;
    } else if (llvm::isAlpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() && (llvm::isAlnum(s[j]) || s[j] == '_'))
        ++j;
      tokens.push_back({Token::Kind::Name, s.substr(i, j - i), i});
      i = j;
    } else if (llvm::isDigit(c)) {
      size_t j = i;
      bool real = false;
      while (j < s.size() &&
             (llvm::isAlnum(s[j]) || s[j] == '.' ||
              ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
        real |= s[j] == '.' || s[j] == 'e' || s[j] == 'E';
        ++j;
      }
      tokens.push_back({real ? Token::Kind::Float : Token::Kind::Int,
                        s.substr(i, j - i), i});
      i = j;
    } else if (c == '"' || c == '\'') {
      std::string text;
      size_t j = i + 1;
      while (j < s.size() && s[j] != c) {
        if (s[j] == '\\' && j + 1 < s.size())
          ++j;
        text += s[j++];
      }
      if (j >= s.size()) {
        fail("a string is not closed");
        break;
      }
      tokens.push_back({Token::Kind::String, text, i});
      i = j + 1;
    } else {
      static const char *twoChar[] = {"->", "==", "!=", "<=", ">=", "//", "**"};
      std::string p(1, c);
      for (const char *t : twoChar)
        if (s.compare(i, 2, t) == 0)
          p = t;
      tokens.push_back({Token::Kind::Punct, p, i});
      i += p.size();
    }
  }
  tokens.push_back({Token::Kind::End, "", s.size()});
}

bool LineParser::sequence(llvm::StringRef close, TsExpr &into, int depth,
                          bool keywords) {
  while (!accept(close)) {
    if (atEnd())
      return fail("expected '" + close.str() + "'");
    if (keywords && peek().kind == Token::Kind::Name && isPunct("=", 1)) {
      std::string key = peek().text;
      at += 2;
      auto value = expression(depth + 1);
      if (!value)
        return false;
      into.keywords.push_back({key, std::move(value)});
    } else {
      auto item = expression(depth + 1);
      if (!item)
        return false;
      into.operands.push_back(std::move(item));
    }
    if (!isPunct(close) && !expect(","))
      return false;
  }
  return true;
}

std::unique_ptr<TsExpr> LineParser::primary(int depth) {
  if (depth > kMaxDepth) {
    fail("expressions nest deeper than Kiln reads");
    return nullptr;
  }
  const Token tok = peek();
  ++at;
  std::unique_ptr<TsExpr> e;
  switch (tok.kind) {
  case Token::Kind::Name:
    if (tok.text == "None")
      return make(TsExpr::Kind::None);
    if (tok.text == "True" || tok.text == "False") {
      e = make(TsExpr::Kind::Bool);
      e->boolean = tok.text == "True";
      return e;
    }
    // TorchScript prints infinities and NaN as bare names.
    if (tok.text == "inf" || tok.text == "nan") {
      e = make(TsExpr::Kind::Float);
      e->real = tok.text == "inf" ? std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::quiet_NaN();
      return e;
    }
    e = make(TsExpr::Kind::Name);
    e->text = tok.text;
    return e;
  case Token::Kind::Int: {
    e = make(TsExpr::Kind::Int);
    errno = 0;
    char *end = nullptr;
    unsigned long long v = std::strtoull(tok.text.c_str(), &end, 10);
    if (errno || *end || v > uint64_t(INT64_MAX) + 1) {
      fail("integer '" + tok.text + "' is not a 64-bit integer");
      return nullptr;
    }
    e->integer = int64_t(v); // 2^63 only as the operand of a minus
    return e;
  }
  case Token::Kind::Float: {
    e = make(TsExpr::Kind::Float);
    char *end = nullptr;
    e->real = std::strtod(tok.text.c_str(), &end);
    if (*end) {
      fail("'" + tok.text + "' is not a number");
      return nullptr;
    }
    return e;
  }
  case Token::Kind::String:
    e = make(TsExpr::Kind::String);
    e->text = tok.text;
    return e;
  case Token::Kind::Punct:
    if (tok.text == "-") {
      e = primary(depth + 1);
      if (!e)
        return nullptr;
      if (e->kind == TsExpr::Kind::Int)
        e->integer = int64_t(0 - uint64_t(e->integer));
      else if (e->kind == TsExpr::Kind::Float)
        e->real = -e->real;
      else {
        fail("a minus before something that is not a number");
        return nullptr;
      }
      return e;
    }
    if (tok.text == "[") {
      e = make(TsExpr::Kind::List);
      return sequence("]", *e, depth, false) ? std::move(e) : nullptr;
    }
    if (tok.text == "(") {
      // (x) is x; (x,) and (x, y) are tuples; () is the empty tuple.
      e = make(TsExpr::Kind::Tuple);
      if (accept(")"))
        return e;
      auto first = expression(depth + 1);
      if (!first)
        return nullptr;
      if (accept(")"))
        return first;
      if (!expect(","))
        return nullptr;
      e->operands.push_back(std::move(first));
      return sequence(")", *e, depth, false) ? std::move(e) : nullptr;
    }
    break;
  case Token::Kind::End:
    fail("the line ends inside an expression");
    return nullptr;
  }
  fail("'" + tok.text + "' is not an expression traced code holds");
  return nullptr;
}

std::unique_ptr<TsExpr> LineParser::expression(int depth) {
  size_t start = base + peek().pos;
  auto e = primary(depth);
  if (e)
    e->offset = start;
  while (e) {
    if (accept(".")) {
      if (peek().kind != Token::Kind::Name) {
        fail("a name must follow '.'");
        return nullptr;
      }
      auto attr = make(TsExpr::Kind::Attr);
      attr->offset = start;
      attr->text = peek().text;
      ++at;
      attr->operands.push_back(std::move(e));
      e = std::move(attr);
    } else if (accept("(")) {
      auto call = make(TsExpr::Kind::Call);
      call->offset = start;
      call->callee = std::move(e);
      if (!sequence(")", *call, depth, true))
        return nullptr;
      e = std::move(call);
    } else if (accept("[")) {
      auto index = make(TsExpr::Kind::Index);
      index->operands.push_back(std::move(e));
      auto i = expression(depth + 1);
      if (!i || !expect("]"))
        return nullptr;
      index->operands.push_back(std::move(i));
      e = std::move(index);
    } else {
      break;
    }
  }
  if (e && !atEnd() && !isPunct(",") && !isPunct(")") && !isPunct("]") &&
      !isPunct("=") && peek().kind == Token::Kind::Punct && peek().text != ":")
    fail("operator '" + peek().text + "' is not in code that tracing writes");
  return ok() ? std::move(e) : nullptr;
}

/// Splits `text` into logical lines: a line whose brackets are open goes
/// on into the next.
std::vector<LogicalLine> logicalLines(const std::string &text) {
  std::vector<LogicalLine> out;
  int depth = 0, number = 0;
  for (llvm::StringRef rest = text; !rest.empty();) {
    auto [line, tail] = rest.split('\n');
    rest = tail;
    ++number;
    if (depth == 0) {
      llvm::StringRef body = line.ltrim(' ');
      if (body.trim().empty() || body.starts_with("#"))
        continue;
      out.push_back({int(line.size() - body.size()), number, body.str(),
                     size_t(body.data() - text.data())});
    } else {
      out.back().text += " " + line.trim().str();
    }
    char quote = 0;
    for (char c : line) {
      if (quote) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        depth = std::max(0, depth - 1);
      }
    }
  }
  return out;
}

/// "def NAME(self: T, x: Tensor, y: Tensor) -> R:" into `method`.
bool parseDef(const LogicalLine &l, TsMethod &method, std::string &error) {
  llvm::StringRef s(l.text);
  s.consume_front("def ");
  auto [name, rest] = s.split('(');
  method.name = name.trim().str();
  method.line = l.line;
  int depth = 1;
  size_t i = 0;
  std::string param;
  auto flush = [&] {
    auto [p, type] = llvm::StringRef(param).split(':');
    if (!p.trim().empty()) {
      method.params.push_back(p.trim().str());
      method.paramTypes.push_back(type.trim().str());
    }
    param.clear();
  };
  for (; i < rest.size() && depth > 0; ++i) {
    char c = rest[i];
    if (c == '(' || c == '[')
      ++depth;
    if (c == ')' || c == ']')
      --depth;
    if (depth == 1 && c == ',')
      flush();
    else if (depth > 0)
      param += c;
  }
  flush();
  llvm::StringRef after = rest.drop_front(std::min(i, rest.size())).trim();
  if (after.consume_front("->"))
    method.returns = after.rtrim(':').trim().str();
  if (depth != 0 || method.name.empty()) {
    error = std::to_string(l.line) + ": a def Kiln cannot read";
    return false;
  }
  return true;
}

bool parseStatement(const LogicalLine &l, TsStmt &stmt, std::string &error) {
  stmt.line = l.line;
  llvm::StringRef first = llvm::StringRef(l.text).split(' ').first;
  first = first.split(':').first.split('(').first;
  static const char *control[] = {"for", "if", "elif", "else", "while",
                                  "with", "try", "except", "raise", "assert",
                                  "def", "break", "continue", "pass",
                                  "global", "del"};
  for (const char *word : control)
    if (first == word) {
      stmt.kind = TsStmt::Kind::Unsupported;
      stmt.text = word;
      return true;
    }
  LineParser p(l.text, l.line, l.offset, error);
  if (p.peek().kind == Token::Kind::Name && p.peek().text == "return") {
    ++p.at;
    stmt.kind = TsStmt::Kind::Return;
    stmt.value = p.atEnd() ? std::make_unique<TsExpr>() : p.expression();
  } else {
    // NAME [, NAME]* [,] = EXPR, or an expression alone.
    size_t save = p.at;
    std::vector<std::string> names;
    bool assign = false;
    while (p.peek().kind == Token::Kind::Name) {
      names.push_back(p.peek().text);
      ++p.at;
      if (p.accept("=") || (p.accept(",") && p.accept("="))) {
        assign = true;
        break;
      }
      if (!p.isPunct(",", 0) && p.peek().kind != Token::Kind::Name)
        break;
    }
    if (!assign) {
      names.clear();
      p.at = save;
    }
    stmt.kind = assign ? TsStmt::Kind::Assign : TsStmt::Kind::Expr;
    stmt.targets = std::move(names);
    stmt.value = p.expression();
  }
  if (!stmt.value || !p.atEnd())
    return p.fail("a statement Kiln cannot read");
  return true;
}

} // namespace

bool parseTorchScript(const std::string &path, const std::string &text,
                      TsSource &out, std::string &error) {
  out.path = path;
  TsClass *cls = nullptr;
  TsMethod *method = nullptr;
  int classIndent = -1, defIndent = -1;
  for (const LogicalLine &l : logicalLines(text)) {
    std::string why;
    llvm::StringRef s(l.text);
    if (s.starts_with("class ")) {
      auto name = s.drop_front(6).split('(').first.split(':').first.trim();
      cls = &out.classes[name.str()];
      cls->name = name.str();
      classIndent = l.indent;
      method = nullptr;
    } else if (cls && l.indent > classIndent && s.starts_with("def ")) {
      TsMethod m;
      if (!parseDef(l, m, why)) {
        error = path + ":" + why;
        return false;
      }
      method = &cls->methods[m.name];
      *method = std::move(m);
      defIndent = l.indent;
    } else if (method && l.indent > defIndent) {
      TsStmt stmt;
      if (!parseStatement(l, stmt, why)) {
        stmt = TsStmt();
        stmt.kind = TsStmt::Kind::Unsupported;
        stmt.line = l.line;
        stmt.why = llvm::StringRef(why).split(": ").second.str();
      }
      method->body.push_back(std::move(stmt));
    } else {
      // Class-level declarations (attribute types, __parameters__ lists),
      // imports: nothing a traced forward needs.
      method = nullptr;
      if (l.indent <= classIndent)
        cls = nullptr;
    }
  }
  return true;
}

} // namespace kiln::torch_frontend
