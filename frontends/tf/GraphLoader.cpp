//===- GraphLoader.cpp - reading TensorFlow GraphDef files ----------------===//
//
// Binary GraphDefs are parsed with protobuf's own limits; text GraphDefs
// skip fields Kiln's graph.proto does not declare (device placement, debug
// info, newer additions), as binary parsing keeps them as unknown fields.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphLoader.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

namespace kiln::tf_frontend {

/// Collects the text parser's first error as one line.
class FirstError : public google::protobuf::io::ErrorCollector {
public:
  std::string message;
  void AddError(int line, int column, const std::string &m) override {
    if (message.empty())
      message = "line " + std::to_string(line + 1) + ":" +
                std::to_string(column + 1) + ": " + m;
  }
};

/// The file's bytes; null with `error` set when unreadable or past 2 GiB.
static std::unique_ptr<llvm::MemoryBuffer> readFile(const std::string &path,
                                                    std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() > (size_t(1) << 31)) {
    error = "'" + path + "' is larger than 2 GiB, the protobuf limit";
    return nullptr;
  }
  return std::move(*buffer);
}

bool readBinaryProto(const std::string &path, google::protobuf::Message &message,
                     const std::string &notWhat, std::string &error) {
  auto buffer = readFile(path, error);
  if (!buffer)
    return false;
  llvm::StringRef data = buffer->getBuffer();
  google::protobuf::io::ArrayInputStream stream(data.data(), int(data.size()));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(int(data.size()));
  if (!message.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    error = "'" + path + "' is " + notWhat;
    return false;
  }
  return true;
}

bool loadGraphDef(const std::string &path, tensorflow::GraphDef &graph,
                  std::string &error) {
  if (!llvm::StringRef(path).ends_with(".pbtxt")) {
    if (!readBinaryProto(path, graph,
                         "not a binary GraphDef (truncated or another format)",
                         error))
      return false;
  } else {
    auto buffer = readFile(path, error);
    if (!buffer)
      return false;
    google::protobuf::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    parser.AllowUnknownField(true);
    parser.AllowUnknownExtension(true);
    if (!parser.ParseFromString(buffer->getBuffer().str(), &graph)) {
      error = "'" + path + "' is not a text GraphDef: " + errors.message;
      return false;
    }
  }
  if (graph.node_size() == 0) {
    error = "'" + path + "' holds no graph nodes (not a GraphDef?)";
    return false;
  }
  return true;
}

} // namespace kiln::tf_frontend
