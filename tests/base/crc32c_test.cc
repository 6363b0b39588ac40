// CRC-32C against the published check values (RFC 3720 appendix B.4), and
// the property that Extend() over pieces equals one pass over the whole.
#include "src/base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace connectivity {
namespace {

TEST(Crc32cTest, StandardCheckValue) {
  EXPECT_EQ(crc32c::Value("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, ThirtyTwoZeroBytes) {
  const std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8A9136AAu);
}

TEST(Crc32cTest, ThirtyTwoOnesBytes) {
  const std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones), 0x62A8AB43u);
}

TEST(Crc32cTest, ExtendInPiecesEqualsWhole) {
  const std::string data = "the quick brown fox jumps over the lazy dog, twice over";
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t first = crc32c::Extend(0, data.data(), split);
    const uint32_t both = crc32c::Extend(first, data.data() + split, data.size() - split);
    EXPECT_EQ(both, crc32c::Value(data)) << "split at " << split;
  }
}

TEST(Crc32cTest, SingleBitFlipChangesValue) {
  std::string data(100, 'a');
  const uint32_t before = crc32c::Value(data);
  data[37] ^= 0x04;
  EXPECT_NE(crc32c::Value(data), before);
}

}  // namespace
}  // namespace connectivity
