//===- compare_test.cpp - Tests of output comparison ----------------------===//
//
// Checks the `kiln run` pass criterion max_abs_err <= atol + rtol * max|ref|,
// the reported statistics, NaN handling, exact integer comparison and
// structural mismatches, plus the printed report line.
//
//===----------------------------------------------------------------------===//

#include "compare.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(Compare, IdenticalFloatsPass) {
  HostTensor a = floatTensor({3}, {1, -2, 3});
  CompareResult r = compareTensors(a, a, Tolerance{});
  EXPECT_TRUE(r.pass);
  EXPECT_EQ(r.maxAbsErr, 0);
  EXPECT_EQ(r.maxAbsRef, 3);
}

TEST(Compare, ToleranceScalesWithReferenceMagnitude) {
  HostTensor ref = floatTensor({2}, {100, 0});
  // atol + rtol * 100 = 1e-5 + 1e-2; an error of 5e-3 on the small element
  // passes even though its relative error is huge.
  HostTensor got = floatTensor({2}, {100, 0.005f});
  CompareResult r = compareTensors(got, ref, Tolerance{1e-4, 1e-5});
  EXPECT_TRUE(r.pass);
  EXPECT_NEAR(r.maxAbsErr, 0.005, 1e-6);
  EXPECT_GT(r.maxRelErr, 1e6);
  got = floatTensor({2}, {100, 0.02f});
  EXPECT_FALSE(compareTensors(got, ref, Tolerance{1e-4, 1e-5}).pass);
}

TEST(Compare, BoundaryIsInclusive) {
  HostTensor ref = floatTensor({1}, {0});
  HostTensor got = floatTensor({1}, {0.25f});
  EXPECT_TRUE(compareTensors(got, ref, Tolerance{0, 0.25}).pass);
  EXPECT_FALSE(compareTensors(got, ref, Tolerance{0, 0.2499}).pass);
}

TEST(Compare, RelativeErrorIsMaxOverElements) {
  HostTensor ref = floatTensor({2}, {2, 4});
  HostTensor got = floatTensor({2}, {2.5f, 4.5f});
  CompareResult r = compareTensors(got, ref, Tolerance{});
  EXPECT_DOUBLE_EQ(r.maxRelErr, 0.25);
  EXPECT_DOUBLE_EQ(r.maxAbsErr, 0.5);
}

TEST(Compare, NanInResultFails) {
  HostTensor ref = floatTensor({2}, {1, 2});
  HostTensor got = floatTensor({2}, {1, NAN});
  CompareResult r = compareTensors(got, ref, Tolerance{1, 1});
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.nanMismatches, 1);
  HostTensor bothNan = floatTensor({1}, {NAN});
  EXPECT_TRUE(compareTensors(bothNan, bothNan, Tolerance{}).pass);
  HostTensor nanRef = floatTensor({1}, {NAN});
  HostTensor one = floatTensor({1}, {1});
  EXPECT_FALSE(compareTensors(one, nanRef, Tolerance{1, 1}).pass);
}

TEST(Compare, InfiniteReferenceDoesNotWidenTolerance) {
  HostTensor ref = floatTensor({2}, {INFINITY, 1});
  HostTensor same = floatTensor({2}, {INFINITY, 1});
  EXPECT_TRUE(compareTensors(same, ref, Tolerance{}).pass);
  HostTensor off = floatTensor({2}, {INFINITY, 2});
  EXPECT_FALSE(compareTensors(off, ref, Tolerance{}).pass);
  HostTensor finite = floatTensor({2}, {1e30f, 1});
  EXPECT_FALSE(compareTensors(finite, ref, Tolerance{}).pass);
}

TEST(Compare, IntegersMustMatchExactly) {
  HostTensor a, b;
  a.dtype = b.dtype = KILN_DTYPE_INT64;
  a.shape = b.shape = {2};
  int64_t x[2] = {1LL << 60, 5}, y[2] = {(1LL << 60) + 1, 5};
  a.bytes.assign(reinterpret_cast<uint8_t *>(x),
                 reinterpret_cast<uint8_t *>(x) + 16);
  b.bytes.assign(reinterpret_cast<uint8_t *>(y),
                 reinterpret_cast<uint8_t *>(y) + 16);
  CompareResult r = compareTensors(a, b, Tolerance{1, 1});
  EXPECT_FALSE(r.pass) << "2^60 vs 2^60+1 collapse as doubles but differ";
  EXPECT_EQ(r.mismatches, 1);
  EXPECT_TRUE(compareTensors(a, a, Tolerance{}).pass);
}

TEST(Compare, StructuralDifferencesFail) {
  HostTensor a = floatTensor({2, 3}, {0, 0, 0, 0, 0, 0});
  HostTensor b = floatTensor({3, 2}, {0, 0, 0, 0, 0, 0});
  CompareResult r = compareTensors(a, b, Tolerance{});
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.problem.find("[2,3]"), std::string::npos) << r.problem;
  b = a;
  b.dtype = KILN_DTYPE_INT32;
  EXPECT_FALSE(compareTensors(a, b, Tolerance{}).pass);
}

TEST(Compare, ReportLine) {
  HostTensor ref = floatTensor({2}, {2, 4});
  HostTensor got = floatTensor({2}, {2.5f, 4});
  std::string line =
      formatCompareLine("y", compareTensors(got, ref, Tolerance{}));
  EXPECT_EQ(line, "output 'y': max_abs_err=0.5 max_rel_err=0.25 "
                  "(max|ref|=4) FAIL");
  line = formatCompareLine("y", compareTensors(ref, ref, Tolerance{}));
  EXPECT_EQ(line, "output 'y': max_abs_err=0 max_rel_err=0 (max|ref|=4) PASS");
}

} // namespace
