// AES-256-GCM as Ditto's EncryptorAesGcm uses it (Ditto 3.9, connectivity
// service), through OpenSSL's EVP interface.
//
//   key        := 32 bytes, configured as base64url text (base64url.h), e.g.
//                 `openssl rand 32 | basenc --base64url`
//   ciphertext := base64url( iv:12 bytes || AES-GCM(plaintext) || tag:16 bytes )
//
// A fresh 96-bit nonce for every value (OpenSSL's DRBG, seeded from the
// kernel, drawn in blocks per thread; Ditto takes a ThreadLocalRandom), no
// additional authenticated data, a 128-bit tag. A value decrypts only with the key that
// encrypted it: a wrong key or any changed byte fails the tag check.
//
// Thread-safe: each thread keeps its own EVP cipher contexts (keyed with
// the last key used) and its own block of nonces.
#ifndef CONNECTIVITY_CRYPTO_AES_GCM_H_
#define CONNECTIVITY_CRYPTO_AES_GCM_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "src/base/status.h"

namespace connectivity::crypto {

inline constexpr size_t kAesKeyBytes = 32;
inline constexpr size_t kGcmIvBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;

class AesKey {
 public:
  // Ditto's key text: base64url of exactly 32 bytes. The error is Ditto's
  // message ("256 bits symmetrical key required. Provided is 128 bits key.")
  // or, for text that is not base64url, one saying so; never the text itself.
  static std::variant<AesKey, std::string> Parse(std::string_view text);
  // A new random key (tests, examples).
  static AesKey Generate();
  // The key as configured: base64url with padding.
  std::string ToText() const;

  const uint8_t* data() const { return bytes_.data(); }
  bool operator==(const AesKey& other) const = default;

 private:
  AesKey() = default;
  std::array<uint8_t, kAesKeyBytes> bytes_{};
};

// base64url(iv || ciphertext || tag) of `plaintext` under `key`.
// kInternal only if OpenSSL fails (no entropy, no memory).
Result<std::string> EncryptWithPrefixIv(std::string_view plaintext, const AesKey& key);

// The plaintext of `text` (as EncryptWithPrefixIv writes it). kInvalidArgument
// if `text` is not base64url or too short to hold an iv and a tag;
// kCorruption if the tag does not verify (another key, or changed bytes).
Result<std::string> DecryptWithPrefixIv(std::string_view text, const AesKey& key);

// True if `text` could be a value of EncryptWithPrefixIv: base64url of at
// least an iv and a tag. Says nothing about which key.
bool LooksLikeCiphertext(std::string_view text);

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_AES_GCM_H_
