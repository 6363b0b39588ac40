#include "src/crypto/json_text.h"

#include <string.h>

#include <array>
#include <cstdint>

namespace connectivity::crypto {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view json, size_t at) {
  while (at < json.size() && IsSpace(json[at])) ++at;
  return at;
}

// `at` is on the opening quote; returns the offset after the closing quote,
// or npos. Jumps from quote to quote (memchr); a quote preceded by an odd
// number of backslashes is escaped.
size_t SkipString(std::string_view json, size_t at) {
  size_t from = at + 1;
  while (from < json.size()) {
    const void* found = memchr(json.data() + from, '"', json.size() - from);
    if (found == nullptr) return std::string_view::npos;
    const size_t quote = static_cast<size_t>(static_cast<const char*>(found) - json.data());
    size_t backslashes = 0;
    while (quote - backslashes > at + 1 && json[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
  return std::string_view::npos;
}

// Bytes that matter when skipping over an object or array.
constexpr std::array<bool, 256> MakeStructural() {
  std::array<bool, 256> table{};
  for (const char c : {'"', '{', '}', '[', ']'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kStructural = MakeStructural();

// Skips the value starting at `at`; returns the offset after it, or npos.
size_t SkipValue(std::string_view json, size_t at) {
  if (at >= json.size()) return std::string_view::npos;
  const char first = json[at];
  if (first == '"') return SkipString(json, at);
  if (first == '{' || first == '[') {
    size_t depth = 0;
    size_t i = at;
    while (i < json.size()) {
      const char c = json[i];
      if (!kStructural[static_cast<unsigned char>(c)]) {
        ++i;
      } else if (c == '"') {
        i = SkipString(json, i);
        if (i == std::string_view::npos) return i;
      } else if (c == '{' || c == '[') {
        ++depth;
        ++i;
      } else {
        if (--depth == 0) return i + 1;
        ++i;
      }
    }
    return std::string_view::npos;
  }
  // A number or a literal: up to the next delimiter.
  size_t i = at;
  while (i < json.size() && json[i] != ',' && json[i] != '}' && json[i] != ']' && !IsSpace(json[i])) ++i;
  return i == at ? std::string_view::npos : i;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> ReadHex4(std::string_view text, size_t at) {
  if (at + 4 > text.size()) return std::nullopt;
  uint32_t value = 0;
  for (size_t i = at; i < at + 4; ++i) {
    const int digit = HexDigit(text[i]);
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<uint32_t>(digit);
  }
  return value;
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xc0 | code_point >> 6));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | code_point >> 12));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | code_point >> 18));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

// Reads \uXXXX (and its low surrogate) at `at` (on the 'u'); returns the
// offset after it.
std::optional<size_t> ReadUnicodeEscape(std::string_view token, size_t at, std::string& out) {
  std::optional<uint32_t> unit = ReadHex4(token, at + 1);
  if (!unit) return std::nullopt;
  size_t next = at + 5;
  uint32_t code_point = *unit;
  if (*unit >= 0xd800 && *unit < 0xdc00 && next + 1 < token.size() && token[next] == '\\' &&
      token[next + 1] == 'u') {
    const std::optional<uint32_t> low = ReadHex4(token, next + 2);
    if (low && *low >= 0xdc00 && *low < 0xe000) {
      code_point = 0x10000 + ((*unit - 0xd800) << 10) + (*low - 0xdc00);
      next += 6;
    }
  }
  AppendUtf8(out, code_point);
  return next;
}

}  // namespace

std::optional<std::vector<std::string>> SplitJsonPointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  size_t at = 1;
  while (true) {
    const size_t slash = pointer.find('/', at);
    const std::string_view raw = pointer.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return tokens;
}

const JsonPointerFinder::ObjectIndex& JsonPointerFinder::IndexAt(size_t begin) {
  for (const ObjectIndex& index : indexes_) {
    if (index.begin == begin) return index;
  }
  ObjectIndex index;
  index.begin = begin;
  size_t at = SkipSpace(json_, begin + 1);
  if (at < json_.size() && json_[at] == '}') {
    index.valid = true;
  }
  while (!index.valid && at < json_.size() && json_[at] == '"') {
    const size_t name_end = SkipString(json_, at);
    if (name_end == std::string_view::npos) break;
    const size_t name_begin = at;
    at = SkipSpace(json_, name_end);
    if (at >= json_.size() || json_[at] != ':') break;
    const size_t value_begin = SkipSpace(json_, at + 1);
    const size_t value_end = SkipValue(json_, value_begin);
    if (value_end == std::string_view::npos) break;
    index.members.push_back({{name_begin, name_end, true}, {value_begin, value_end, json_[value_begin] == '"'}});
    at = SkipSpace(json_, value_end);
    if (at < json_.size() && json_[at] == ',') {
      at = SkipSpace(json_, at + 1);
    } else if (at < json_.size() && json_[at] == '}') {
      index.valid = true;
    } else {
      break;
    }
  }
  if (!index.valid) index.members.clear();
  indexes_.push_back(std::move(index));
  return indexes_.back();
}

bool JsonPointerFinder::NameEquals(const JsonSpan& name, std::string_view token) const {
  // Names are compared as written unless they hold an escape (rare).
  const std::string_view raw = json_.substr(name.begin + 1, name.end - name.begin - 2);
  if (raw.find('\\') == std::string_view::npos) return raw == token;
  const std::optional<std::string> unescaped = UnescapeJsonString(json_.substr(name.begin, name.end - name.begin));
  return unescaped && *unescaped == token;
}

std::optional<JsonSpan> JsonPointerFinder::Find(const std::vector<std::string>& tokens) {
  size_t at = SkipSpace(json_, 0);
  if (at >= json_.size()) return std::nullopt;
  JsonSpan current{at, json_.size(), json_[at] == '"'};
  for (const std::string& token : tokens) {
    if (json_[current.begin] != '{') return std::nullopt;
    const ObjectIndex& index = IndexAt(current.begin);
    const Member* found = nullptr;
    for (const Member& member : index.members) {
      if (NameEquals(member.name, token)) found = &member;  // the last duplicate wins
    }
    if (found == nullptr) return std::nullopt;
    current = found->value;
  }
  return current;
}

std::optional<std::string> UnescapeJsonString(std::string_view token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return std::nullopt;
  std::string out;
  out.reserve(token.size() - 2);
  const size_t end = token.size() - 1;
  for (size_t i = 1; i < end; ++i) {
    const char c = token[i];
    if (c != '\\') {
      if (static_cast<unsigned char>(c) < 0x20 || c == '"') return std::nullopt;
      out.push_back(c);
      continue;
    }
    if (++i >= end) return std::nullopt;
    switch (token[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        const std::optional<size_t> next = ReadUnicodeEscape(token.substr(0, end), i, out);
        if (!next) return std::nullopt;
        i = *next - 1;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

}  // namespace connectivity::crypto
