#include "src/crypto/secret_fields.h"

#include <string.h>

#include <algorithm>

#include "src/base/json_writer.h"
#include "src/crypto/json_text.h"

namespace connectivity::crypto {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The password of a URI's user info, as [begin, end) in `uri`, as Ditto's
// encryptor reads it with java.net.URI: a URI without a scheme (or already
// in the encrypted form) is a secret as a whole; a URI with a scheme but
// without "user:password@" has none.
std::optional<std::pair<size_t, size_t>> UriSecret(std::string_view uri) {
  const std::pair<size_t, size_t> whole{0, uri.size()};
  if (uri.starts_with(kEncryptedPrefix) || uri.empty() || !IsAlpha(uri[0])) return whole;
  size_t i = 1;
  while (i < uri.size() && (IsAlpha(uri[i]) || IsDigit(uri[i]) || uri[i] == '+' || uri[i] == '-' || uri[i] == '.')) ++i;
  if (i >= uri.size() || uri[i] != ':') return whole;
  if (uri.substr(i + 1, 2) != "//") return std::nullopt;  // opaque: no user info
  const size_t authority = i + 3;
  const size_t authority_end = std::min(uri.find_first_of("/?#", authority), uri.size());
  const size_t at = uri.find('@', authority);
  if (at == std::string_view::npos || at >= authority_end) return std::nullopt;
  const size_t colon = uri.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::nullopt;
  return std::pair<size_t, size_t>{colon + 1, at};
}

Status EncryptionFailed() { return Status::InvalidArgument(std::string(kEncryptionFailedMessage)); }

}  // namespace

const std::vector<std::string>& DefaultEncryptionPointers() {
  static const std::vector<std::string> pointers = {
      "/uri",
      "/credentials/key",
      "/sshTunnel/credentials/password",
      "/sshTunnel/credentials/privateKey",
      "/credentials/parameters/accessKey",
      "/credentials/parameters/secretKey",
      "/credentials/parameters/sharedKey",
      "/credentials/clientSecret",
      "/credentials/password",
  };
  return pointers;
}

std::variant<SecretFields, std::string> SecretFields::Make(std::vector<std::string> pointers) {
  SecretFields fields;
  for (const std::string& pointer : pointers) {
    std::optional<std::vector<std::string>> tokens = SplitJsonPointer(pointer);
    if (!tokens || tokens->empty()) {
      return "'" + pointer + "' is not a JSON pointer to a field (it must start with '/')";
    }
    fields.parsed_.push_back({std::move(*tokens), pointer == "/uri"});
  }
  fields.pointers_ = std::move(pointers);
  return fields;
}

bool SecretFields::Secret::encrypted() const {
  const std::string_view secret = text();
  return secret.starts_with(kEncryptedPrefix) && LooksLikeCiphertext(secret.substr(kEncryptedPrefix.size()));
}

bool SecretFields::MayHoldEncrypted(std::string_view json) {
  return memmem(json.data(), json.size(), kEncryptedPrefix.data(), kEncryptedPrefix.size()) != nullptr;
}

std::vector<SecretFields::Secret> SecretFields::Find(std::string_view json) const {
  std::vector<Secret> secrets;
  JsonPointerFinder finder(json);
  for (const Pointer& pointer : parsed_) {
    const std::optional<JsonSpan> span = finder.Find(pointer.tokens);
    if (!span || !span->is_string) continue;
    const bool seen = std::any_of(secrets.begin(), secrets.end(),
                                  [&](const Secret& s) { return s.token_begin == span->begin; });
    if (seen) continue;  // the same value named twice
    std::optional<std::string> value = UnescapeJsonString(json.substr(span->begin, span->end - span->begin));
    if (!value) continue;
    std::optional<std::pair<size_t, size_t>> range =
        pointer.is_uri ? UriSecret(*value) : std::pair<size_t, size_t>{0, value->size()};
    if (!range) continue;
    secrets.push_back({span->begin, span->end, std::move(*value), range->first, range->second});
  }
  std::sort(secrets.begin(), secrets.end(),
            [](const Secret& a, const Secret& b) { return a.token_begin < b.token_begin; });
  return secrets;
}

Status SecretFields::Edit(std::string& json, const Rewrite& rewrite, uint32_t* changed) const {
  const std::vector<Secret> secrets = Find(json);
  std::string out;
  size_t copied = 0;
  uint32_t count = 0;
  for (const Secret& secret : secrets) {
    Result<std::optional<std::string>> replacement = rewrite(secret);
    if (!replacement.ok()) return replacement.status();
    if (!replacement->has_value()) continue;
    if (count == 0) out.reserve(json.size() + 64 * secrets.size());
    out.append(json, copied, secret.token_begin - copied);
    std::string value = secret.value.substr(0, secret.begin);
    value.append(**replacement);
    value.append(secret.value, secret.end);
    AppendJsonString(out, value);
    copied = secret.token_end;
    ++count;
  }
  if (changed != nullptr) *changed = count;
  if (count == 0) return Status::Ok();
  out.append(json, copied);
  json = std::move(out);
  return Status::Ok();
}

Status SecretFields::Encrypt(std::string& json, const AesKey& key) const {
  return Edit(json, [&key](const Secret& secret) -> Result<std::optional<std::string>> {
    Result<std::string> ciphertext = EncryptWithPrefixIv(secret.text(), key);
    if (!ciphertext.ok()) return EncryptionFailed();
    return std::optional<std::string>(std::string(kEncryptedPrefix) + *ciphertext);
  });
}

Status SecretFields::Decrypt(std::string& json, const AesKey* key, const AesKey* fallback,
                             uint32_t* changed) const {
  if (changed != nullptr) *changed = 0;
  if (key == nullptr) std::swap(key, fallback);
  if (key == nullptr || !MayHoldEncrypted(json)) return Status::Ok();
  return Edit(
      json,
      [key, fallback](const Secret& secret) -> Result<std::optional<std::string>> {
        if (!secret.encrypted()) return std::optional<std::string>();
        const std::string_view ciphertext = secret.text().substr(kEncryptedPrefix.size());
        Result<std::string> plaintext = DecryptWithPrefixIv(ciphertext, *key);
        if (plaintext.ok()) return std::optional<std::string>(std::move(*plaintext));
        if (fallback == nullptr) return Status::InvalidArgument(std::string(kDecryptionFailedMessage));
        plaintext = DecryptWithPrefixIv(ciphertext, *fallback);
        if (plaintext.ok()) return std::optional<std::string>(std::move(*plaintext));
        return Status::InvalidArgument(std::string(kDecryptionFailedBothKeysMessage));
      },
      changed);
}

uint32_t SecretFields::MaskEncrypted(std::string& json) const {
  if (!MayHoldEncrypted(json)) return 0;
  uint32_t changed = 0;
  const Status status = Edit(
      json,
      [](const Secret& secret) -> Result<std::optional<std::string>> {
        if (!secret.encrypted()) return std::optional<std::string>();
        return std::optional<std::string>(std::string(kEncryptedPrefix));
      },
      &changed);
  return status.ok() ? changed : 0;
}

SecretCensus SecretFields::Census(std::string_view json, const AesKey* current, const AesKey* old) const {
  SecretCensus census;
  for (const Secret& secret : Find(json)) {
    if (!secret.encrypted()) {
      ++census.plaintext;
      continue;
    }
    ++census.encrypted;
    const std::string_view ciphertext = secret.text().substr(kEncryptedPrefix.size());
    if (current != nullptr && DecryptWithPrefixIv(ciphertext, *current).ok()) {
      ++census.current_key;
    } else if (old != nullptr && DecryptWithPrefixIv(ciphertext, *old).ok()) {
      ++census.old_key;
    } else {
      ++census.undecryptable;
    }
  }
  return census;
}

}  // namespace connectivity::crypto
