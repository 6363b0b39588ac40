// Base64 with the URL-safe alphabet (RFC 4648 §5), as Java's
// Base64.getUrlEncoder() / getUrlDecoder() read and write it: Ditto encodes
// its AES keys and encrypted values this way (EncryptorAesGcm).
//
//   encoding: A-Z a-z 0-9 '-' '_', padded with '=' to a multiple of 4;
//   decoding: the same alphabet, padding optional (as Java's decoder), and
//             nothing else: '+', '/', whitespace or a misplaced '=' fail.
//
// Pure functions, thread-safe.
#ifndef CONNECTIVITY_CRYPTO_BASE64URL_H_
#define CONNECTIVITY_CRYPTO_BASE64URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace connectivity::crypto {

// Appends the encoding of `bytes` to `out`.
void AppendBase64Url(std::string& out, std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);

// The decoded bytes, or nullopt if `text` is not base64url.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_BASE64URL_H_
