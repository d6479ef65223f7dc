//===- library_check_test.cpp - Tests of kiln_check_library ---------------===//
//
// The sealed stand-in library (libfakenet.so, sealed as kiln compile seals
// its output) passes kiln_check_library; every truncation, a bit flip
// anywhere in its first pages, appended bytes, a missing seal and non-ELF
// files are reported, and ModelLibrary refuses them without calling dlopen.
//
//===----------------------------------------------------------------------===//

#include "model_library.h"
#include "test_util.h"

#include "kiln_seal.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// kiln_check_library's status and message for `path`.
std::pair<kiln_status, std::string> check(const std::string &path) {
  char msg[512] = "";
  kiln_status st = kiln_check_library(path.c_str(), msg, sizeof msg);
  return {st, msg};
}

class LibraryCheck : public ::testing::Test {
protected:
  void SetUp() override { good = readFile(KILN_FAKENET_PATH); }
  /// Writes `bytes` as libfakenet.so in the scratch folder.
  std::string save(const std::string &bytes) {
    std::string path = dir.file("libfakenet.so");
    writeFile(path, bytes);
    return path;
  }
  std::string good;
  ScratchDir dir;
};

TEST_F(LibraryCheck, SealedLibraryPasses) {
  ASSERT_GT(good.size(), 4096u);
  EXPECT_EQ(good.substr(good.size() - KILN_SEAL_SIZE, 8), KILN_SEAL_MAGIC);
  auto [st, msg] = check(save(good));
  EXPECT_EQ(st, KILN_OK) << msg;
  ModelLibrary lib;
  EXPECT_TRUE(lib.open(dir.file("libfakenet.so"))) << lib.error();
}

TEST_F(LibraryCheck, EveryTruncationIsRejected) {
  // 25 cut points spread over the file, plus the edges of the seal.
  std::vector<size_t> cuts = {0, 1, 4, 63, 64, good.size() - 1,
                              good.size() - KILN_SEAL_SIZE,
                              good.size() - KILN_SEAL_SIZE + 1};
  for (int k = 1; k < 25; ++k)
    cuts.push_back(good.size() * k / 25);
  for (size_t cut : cuts) {
    auto [st, msg] = check(save(good.substr(0, cut)));
    EXPECT_EQ(st, KILN_ERROR_INVALID_ARGUMENT) << "cut at " << cut;
    EXPECT_NE(msg.find("libfakenet.so: "), std::string::npos) << msg;
    ModelLibrary lib;
    EXPECT_FALSE(lib.open(dir.file("libfakenet.so")));
    EXPECT_NE(lib.error().find("not a loadable Kiln library"), std::string::npos)
        << lib.error();
  }
}

TEST_F(LibraryCheck, BitFlipsInTheFirstPagesAreRejected) {
  for (size_t pos = 0; pos < 4096; pos += 37) {
    std::string bad = good;
    bad[pos] ^= char(1 << (pos % 8));
    auto [st, msg] = check(save(bad));
    EXPECT_EQ(st, KILN_ERROR_INVALID_ARGUMENT) << "flip at " << pos;
  }
}

TEST_F(LibraryCheck, ReportsWhatIsWrong) {
  // A byte lost before the seal: the recorded size no longer matches.
  std::string shorter = good.substr(0, 100) + good.substr(101);
  EXPECT_NE(check(save(shorter)).second.find("truncated or extended"),
            std::string::npos);
  // Bytes appended after the seal hide it.
  EXPECT_NE(check(save(good + "x")).second.find("no Kiln seal"),
            std::string::npos);
  EXPECT_NE(check(save(good.substr(0, good.size() - KILN_SEAL_SIZE)))
                .second.find("no Kiln seal"),
            std::string::npos);
  EXPECT_NE(check(save("just some text, not a library at all......."))
                .second.find("not an ELF file"),
            std::string::npos);
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  EXPECT_NE(check(save(flipped)).second.find("digest does not match"),
            std::string::npos);
  EXPECT_NE(check(dir.file("missing.so")).second.find("cannot open"),
            std::string::npos);
  EXPECT_EQ(kiln_check_library(nullptr, nullptr, 0),
            KILN_ERROR_INVALID_ARGUMENT);
}

TEST(Digest, ChunkingDoesNotChangeIt) {
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = char(i * 7 + 3);
  kiln_digest whole, pieces;
  kiln_digest_init(&whole);
  kiln_digest_update(&whole, data.data(), data.size());
  kiln_digest_init(&pieces);
  for (size_t i = 0, step = 1; i < data.size(); i += step, step = step % 45 + 1)
    kiln_digest_update(&pieces, data.data() + i,
                       std::min(step, data.size() - i));
  EXPECT_EQ(kiln_digest_final(&whole), kiln_digest_final(&pieces));
}

TEST(Digest, EveryByteCounts) {
  std::string data(100, 'a');
  kiln_digest d;
  kiln_digest_init(&d);
  kiln_digest_update(&d, data.data(), data.size());
  uint64_t base = kiln_digest_final(&d);
  for (size_t i = 0; i < data.size(); ++i) {
    std::string other = data;
    other[i] = 'b';
    kiln_digest_init(&d);
    kiln_digest_update(&d, other.data(), other.size());
    EXPECT_NE(kiln_digest_final(&d), base) << "byte " << i;
  }
  kiln_digest_init(&d);
  kiln_digest_update(&d, data.data(), data.size() - 1); // length counts too
  EXPECT_NE(kiln_digest_final(&d), base);
}

} // namespace
