// JsonWriter: appends compact JSON to a std::string, inserting commas itself.
//
// Ditto emits compact JSON with members in a fixed order; this writer keeps
// the order the caller writes. Strings are escaped per RFC 8259: `"`, `\`,
// and control characters (short forms for \b \f \n \r \t, \u00XX otherwise);
// valid UTF-8 is copied as it is, and each byte that starts no valid UTF-8
// sequence becomes U+FFFD, so the output is UTF-8 (RFC 8259 §8.1) whatever a
// message echoes (a percent-decoded query value, a header).
#ifndef CONNECTIVITY_BASE_JSON_WRITER_H_
#define CONNECTIVITY_BASE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace connectivity {

void AppendJsonString(std::string& out, std::string_view value);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Writes a member name; the next value call writes its value.
  JsonWriter& Key(std::string_view name);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Writes already-serialised JSON text as one value (not checked).
  JsonWriter& Raw(std::string_view json);

  // Shorthands for a member with a value.
  JsonWriter& Member(std::string_view name, std::string_view value) { return Key(name).String(value); }
  JsonWriter& Member(std::string_view name, const char* value) { return Key(name).String(value); }
  JsonWriter& MemberInt(std::string_view name, int64_t value) { return Key(name).Int(value); }
  JsonWriter& MemberBool(std::string_view name, bool value) { return Key(name).Bool(value); }

  std::string& out() { return out_; }

 private:
  void BeforeValue();

  std::string& out_;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_in_container_;
  // True right after Key(): the next value needs no comma.
  bool after_key_ = false;
};

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_JSON_WRITER_H_
