//===- TfLoops.cpp - TensorFlow 1.x while-loop frames ---------------------===//
//
// See TfLoops.h.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TfLoops.h"
#include "frontends/tf/TfNodeContext.h"

namespace kiln::tf_frontend {

Ref parseRef(llvm::StringRef s) {
  Ref r;
  if (s.consume_front("^"))
    r.control = true;
  auto [name, port] = s.rsplit(':');
  if (!port.empty() && !port.getAsInteger(10, r.port)) {
    r.node = name.str();
    return r;
  }
  r.node = s.str();
  r.port = 0;
  return r;
}

bool isFrameOp(llvm::StringRef op) {
  return op == "Enter" || op == "Merge" || op == "Switch" ||
         op == "NextIteration" || op == "LoopCond" || op == "Exit";
}

namespace {

/// A data edge into `node` from output `port` of the node it is listed under.
struct Use {
  const tensorflow::NodeDef *node;
  int port;
};

} // namespace

bool findLoops(const tensorflow::GraphDef &graph, TfLoops &out,
               std::string &errorNode, std::string &error) {
  llvm::StringMap<const tensorflow::NodeDef *> byName;
  llvm::StringMap<std::vector<Use>> users;
  for (const auto &n : graph.node())
    byName[n.name()] = &n;
  for (const auto &n : graph.node())
    for (const std::string &in : n.input()) {
      Ref r = parseRef(in);
      if (!r.control)
        users[r.node].push_back({&n, r.port});
    }
  auto userOf = [&](const tensorflow::NodeDef &n, int port,
                    llvm::StringRef op) -> const tensorflow::NodeDef * {
    for (const Use &u : users.lookup(n.name()))
      if (u.port == port && u.node->op() == op)
        return u.node;
    return nullptr;
  };
  auto fail = [&](const tensorflow::NodeDef &n, const std::string &why) {
    errorNode = n.name();
    error = "TF1 while loop: " + n.op() + " node '" + n.name() + "' " + why;
    return false;
  };

  llvm::StringMap<size_t> byFrame;
  for (const auto &n : graph.node()) {
    if (n.op() != "Enter")
      continue;
    const auto *frame = findAttr(n, "frame_name");
    if (!frame || frame->s().empty())
      return fail(n, "has no frame_name");
    auto [it, added] = byFrame.try_emplace(frame->s(), out.loops.size());
    if (added) {
      out.loops.emplace_back();
      out.loops.back().frame = frame->s();
    }
    TfLoop &loop = out.loops[it->second];
    const auto *constant = findAttr(n, "is_constant");
    const tensorflow::NodeDef *merge = userOf(n, 0, "Merge");
    if ((constant && constant->b()) || !merge)
      loop.invariants.push_back(&n);
    else
      loop.vars.push_back({&n, merge, nullptr, nullptr});
  }

  for (size_t li = 0; li < out.loops.size(); ++li) {
    TfLoop &loop = out.loops[li];
    for (TfLoopVar &var : loop.vars) {
      for (const std::string &in : var.merge->input()) {
        Ref r = parseRef(in);
        if (r.control || r.node == var.enter->name())
          continue;
        const tensorflow::NodeDef *src = byName.lookup(r.node);
        if (!src || src->op() != "NextIteration" || var.next)
          return fail(*var.merge, "merges something other than its Enter '" +
                                      var.enter->name() +
                                      "' and one NextIteration");
        var.next = src;
      }
      if (!var.next)
        return fail(*var.merge, "has no NextIteration input");
      var.sw = userOf(*var.merge, 0, "Switch");
      if (!var.sw || var.sw->input_size() < 2)
        return fail(*var.merge, "is not read by a Switch");
      const tensorflow::NodeDef *cond =
          byName.lookup(parseRef(var.sw->input(1)).node);
      if (!cond || cond->op() != "LoopCond")
        return fail(*var.sw, "does not switch on a LoopCond");
      if (loop.loopCond && loop.loopCond != cond)
        return fail(*var.sw, "switches on another LoopCond than the other "
                             "variables of frame '" + loop.frame + "'");
      loop.loopCond = cond;
      var.exit = userOf(*var.sw, 0, "Exit");
    }
    if (!loop.loopCond)
      return fail(*loop.invariants.front(),
                  "enters frame '" + loop.frame + "', which has no loop variable");
    for (const TfLoopVar &var : loop.vars)
      for (const tensorflow::NodeDef *n :
           {var.enter, var.merge, var.sw, var.next, var.exit})
        if (n)
          out.loopOf[n->name()] = li;
    for (const tensorflow::NodeDef *n : loop.invariants)
      out.loopOf[n->name()] = li;
    out.loopOf[loop.loopCond->name()] = li;
  }
  return true;
}

} // namespace kiln::tf_frontend
