//===- TfLoops.h - TensorFlow 1.x while-loop frames ------------*- C++ -*-===//
//
// A TF1 while loop (tf.compat.v1.while_loop, and the TF2 While op after
// grappler lowers it) is not a node but a frame of nodes: per loop variable
// an Enter (into the frame), a Merge (of the Enter and a NextIteration), a
// Switch (on the LoopCond) whose true output feeds the body and whose false
// output the Exit; loop invariants enter through Enter nodes marked
// is_constant. findLoops recovers that structure, so the importer can build
// one kiln.while per frame.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TF_TFLOOPS_H
#define KILN_FRONTENDS_TF_TFLOOPS_H

#include "frontends/tf/proto/graph.pb.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace kiln::tf_frontend {

/// A node input, "node", "node:2" or "^node", split into its parts.
struct Ref {
  std::string node;
  int port = 0;
  bool control = false;
};
Ref parseRef(llvm::StringRef s);

/// One loop variable's nodes; `exit` is null when nothing reads the
/// variable after the loop.
struct TfLoopVar {
  const tensorflow::NodeDef *enter, *merge, *sw, *next, *exit = nullptr;
};

struct TfLoop {
  std::string frame;
  std::vector<TfLoopVar> vars;
  /// Enter nodes of loop-invariant values (read in the frame, never
  /// updated).
  std::vector<const tensorflow::NodeDef *> invariants;
  const tensorflow::NodeDef *loopCond = nullptr;
};

struct TfLoops {
  std::vector<TfLoop> loops;
  /// The loop (index into `loops`) of each Enter, Merge, Switch,
  /// NextIteration, LoopCond and Exit node of a loop.
  llvm::StringMap<size_t> loopOf;
};

/// The loops of `graph`; false, with `errorNode` and `error` set, at the
/// first node whose frame does not have the shape a while loop gives (a
/// Merge without an Enter and a NextIteration, a loop variable without a
/// Switch, ...).
bool findLoops(const tensorflow::GraphDef &graph, TfLoops &out,
               std::string &errorNode, std::string &error);

/// Whether `op` is one of the frame ops findLoops accounts for.
bool isFrameOp(llvm::StringRef op);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_TFLOOPS_H
