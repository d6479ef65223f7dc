//===- half_test.cpp - Tests of the float16 conversions of kiln run -------===//
//
// kiln run and kiln bench read, compare and generate float16 tensors through
// halfToFloat / floatToHalf (frontends/common/HostTensor.h): every half
// must survive a round trip, and rounding must be IEEE round-to-nearest-even
// with overflow to infinity.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/HostTensor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

TEST(Half, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = kiln::halfToFloat(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(kiln::halfToFloat(kiln::floatToHalf(f))));
      continue;
    }
    ASSERT_EQ(kiln::floatToHalf(f), uint16_t(h)) << "half 0x" << std::hex << h;
  }
}

TEST(Half, KnownValues) {
  EXPECT_EQ(kiln::floatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(kiln::floatToHalf(-2.0f), 0xC000);
  EXPECT_EQ(kiln::floatToHalf(65504.0f), 0x7BFF);  // largest half
  EXPECT_EQ(kiln::floatToHalf(65520.0f), 0x7C00);  // rounds up to inf
  EXPECT_EQ(kiln::floatToHalf(std::ldexp(1.0f, -24)), 0x0001); // smallest
  EXPECT_EQ(kiln::floatToHalf(std::ldexp(1.0f, -26)), 0x0000); // underflow
  EXPECT_EQ(kiln::floatToHalf(0.1f), 0x2E66);
  // Ties go to even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(kiln::floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(kiln::floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_FLOAT_EQ(kiln::halfToFloat(0x3555), 0.333251953125f);
}

} // namespace
