#include "src/crypto/base64url.h"

#include <gtest/gtest.h>

namespace connectivity::crypto {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsWithPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg==");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8=");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64UrlTest, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), "f");
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8="), "fo");
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
}

TEST(Base64UrlTest, RejectsOtherAlphabetsAndBadLengths) {
  EXPECT_FALSE(Base64UrlDecode("+/+/"));
  EXPECT_FALSE(Base64UrlDecode("Zm 9v"));
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_FALSE(Base64UrlDecode("Zg=a"));
}

TEST(Base64UrlTest, RoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t size = 0; size <= bytes.size(); size += 7) {
    const std::string part = bytes.substr(0, size);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(part)), part) << size;
  }
}

}  // namespace
}  // namespace connectivity::crypto
