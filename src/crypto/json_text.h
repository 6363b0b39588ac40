// Finding values by JSON pointer in JSON text, without building a tree.
//
// The secrets of a stored connection are a few string values at fixed
// pointers (/uri, /credentials/password, ...), while the connection JSON
// around them is kilobytes. Encrypting or decrypting them must not parse and
// re-serialise the whole connection on every write and at every start-up, so
// this scans the text structurally (objects, arrays, strings with their
// escapes) and returns byte ranges; the caller replaces the string tokens it
// finds and leaves every other byte as it was. Member order does not matter.
//
// Pointers (RFC 6901, "~1" for '/', "~0" for '~') step through objects only,
// as Ditto's JsonObject#getValue(JsonPointer) does; a member name is matched
// after unescaping. With duplicate names the last one counts (Ditto's
// JSON library keeps the last value).
//
// Malformed text is not an error here: a value that cannot be found is
// absent. Every loop is bounded by the text's length, and the nesting that
// is followed by the pointer's length (skipping a nested value only counts
// brackets).
//
// Pure functions, thread-safe.
#ifndef CONNECTIVITY_CRYPTO_JSON_TEXT_H_
#define CONNECTIVITY_CRYPTO_JSON_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace connectivity::crypto {

// [begin, end) of one value token in the text; a string token includes its quotes.
struct JsonSpan {
  size_t begin = 0;
  size_t end = 0;
  bool is_string = false;
};

// The decoded reference tokens of a pointer ("/a/b~1c" -> {"a", "b/c"});
// nullopt unless it is "" or starts with '/'.
std::optional<std::vector<std::string>> SplitJsonPointer(std::string_view pointer);

// Resolves pointers against one JSON text, scanning each object on the way
// once however many pointers pass through it.
class JsonPointerFinder {
 public:
  explicit JsonPointerFinder(std::string_view json) : json_(json) {}
  // The value at `tokens` (from SplitJsonPointer), or nullopt.
  std::optional<JsonSpan> Find(const std::vector<std::string>& tokens);

 private:
  struct Member {
    JsonSpan name;  // the name's string token
    JsonSpan value;
  };
  struct ObjectIndex {
    size_t begin = 0;  // offset of the '{'
    bool valid = false;
    std::vector<Member> members;
  };
  const ObjectIndex& IndexAt(size_t begin);
  bool NameEquals(const JsonSpan& name, std::string_view token) const;

  std::string_view json_;
  std::vector<ObjectIndex> indexes_;  // the objects scanned so far (few)
};

// The unescaped content of a string token (with its quotes), or nullopt if
// it is not a valid JSON string token.
std::optional<std::string> UnescapeJsonString(std::string_view token);

}  // namespace connectivity::crypto

#endif  // CONNECTIVITY_CRYPTO_JSON_TEXT_H_
