#include "src/crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include <set>

#include "src/crypto/base64url.h"

namespace connectivity::crypto {
namespace {

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

AesKey KeyOf(std::string_view bytes) {
  auto parsed = AesKey::Parse(Base64UrlEncode(bytes));
  EXPECT_TRUE(std::holds_alternative<AesKey>(parsed));
  return std::get<AesKey>(parsed);
}

TEST(AesKeyTest, ParsesDittosKeyForm) {
  const std::string text = Base64UrlEncode(std::string(32, '\x2a'));
  auto parsed = AesKey::Parse(text);
  ASSERT_TRUE(std::holds_alternative<AesKey>(parsed));
  EXPECT_EQ(std::get<AesKey>(parsed).ToText(), text);
}

TEST(AesKeyTest, RejectsOtherSizesWithDittosMessage) {
  auto parsed = AesKey::Parse(Base64UrlEncode(std::string(16, 'k')));
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed), "256 bits symmetrical key required. Provided is 128 bits key.");
}

TEST(AesKeyTest, RejectsTextThatIsNotBase64UrlWithoutQuotingIt) {
  auto parsed = AesKey::Parse("not a key!");
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed).find("not a key"), std::string::npos);
}

// NIST GCM specification, test case 14: AES-256, zero key, zero IV, one
// zero block. Proves the layout iv || ciphertext || tag and the algorithm.
TEST(AesGcmTest, DecryptsTheNistKnownAnswer) {
  const AesKey key = KeyOf(std::string(32, '\0'));
  const std::string raw = std::string(12, '\0') + Hex("cea7403d4d606b6e074ec5d3baf39d18") +
                          Hex("d0d1c8a799996bf0265b98b5d48ab919");
  Result<std::string> plaintext = DecryptWithPrefixIv(Base64UrlEncode(raw), key);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
  EXPECT_EQ(*plaintext, std::string(16, '\0'));
}

TEST(AesGcmTest, RoundTripsWithAFreshNonceEachTime) {
  const AesKey key = AesKey::Generate();
  std::set<std::string> ciphertexts;
  for (int i = 0; i < 100; ++i) {
    Result<std::string> ciphertext = EncryptWithPrefixIv("s3cr3t-p4ss", key);
    ASSERT_TRUE(ciphertext.ok());
    ciphertexts.insert(*ciphertext);
    Result<std::string> plaintext = DecryptWithPrefixIv(*ciphertext, key);
    ASSERT_TRUE(plaintext.ok());
    EXPECT_EQ(*plaintext, "s3cr3t-p4ss");
  }
  EXPECT_EQ(ciphertexts.size(), 100u);
}

TEST(AesGcmTest, EmptyAndBinaryValuesRoundTrip) {
  const AesKey key = AesKey::Generate();
  for (const std::string& value : {std::string(), std::string("\0\xff\"\\", 4), std::string(5000, 'x')}) {
    Result<std::string> ciphertext = EncryptWithPrefixIv(value, key);
    ASSERT_TRUE(ciphertext.ok());
    EXPECT_EQ(Base64UrlDecode(*ciphertext)->size(), 12 + value.size() + 16);
    EXPECT_EQ(*DecryptWithPrefixIv(*ciphertext, key), value);
  }
}

TEST(AesGcmTest, AnotherKeyOrAChangedByteFails) {
  const AesKey key = AesKey::Generate();
  const std::string ciphertext = *EncryptWithPrefixIv("password", key);
  EXPECT_TRUE(DecryptWithPrefixIv(ciphertext, AesKey::Generate()).status().IsCorruption());
  std::string raw = *Base64UrlDecode(ciphertext);
  for (size_t i : {size_t{0}, size_t{13}, raw.size() - 1}) {
    std::string changed = raw;
    changed[i] ^= 1;
    EXPECT_FALSE(DecryptWithPrefixIv(Base64UrlEncode(changed), key).ok()) << i;
  }
  EXPECT_EQ(DecryptWithPrefixIv("short", key).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(DecryptWithPrefixIv("+/+/", key).status().code(), ErrorCode::kInvalidArgument);
}

TEST(AesGcmTest, LooksLikeCiphertextNeedsAnIvAndATag) {
  EXPECT_TRUE(LooksLikeCiphertext(*EncryptWithPrefixIv("", AesKey::Generate())));
  EXPECT_FALSE(LooksLikeCiphertext("abc"));
  EXPECT_FALSE(LooksLikeCiphertext(std::string(40, '!')));
}

}  // namespace
}  // namespace connectivity::crypto
