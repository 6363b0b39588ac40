// Goal: templates are validated as Ditto's PlaceholderFilter does: known placeholder names per
// place only, function names and signatures, pipeline length, unresolved results (Kafka), and
// {{ connection:id }} resolution; each rejection with Ditto's code and message.
// Method: call ValidatePlaceholders / ReplacePlaceholders / ResolveConnectionIdPlaceholder on
// small templates.
#include "src/model/placeholders.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

constexpr std::string_view kUnresolvedDescription =
    "Some placeholders could not be resolved. Check the spelling of the placeholder and make sure "
    "all required headers are set.";

void ExpectValid(std::string_view text, PlaceholderSet set = kOutboundPlaceholders) {
  const std::optional<DittoError> error = ValidatePlaceholders(text, set);
  EXPECT_FALSE(error.has_value()) << text << ": " << error->ToJson();
}

DittoError ExpectInvalid(std::string_view text, PlaceholderSet set = kOutboundPlaceholders) {
  std::optional<DittoError> error = ValidatePlaceholders(text, set);
  if (!error) {
    ADD_FAILURE() << "expected an error for " << text;
    return DittoError{};
  }
  EXPECT_EQ(error->status, 400);
  return *error;
}

TEST(PlaceholdersTest, LiteralTextAndKnownPlaceholders) {
  ExpectValid("");
  ExpectValid("plain/text");
  ExpectValid("{{ thing:id }}");
  ExpectValid("{{thing:namespace}}/{{ thing:name }}");
  ExpectValid("{{ header:any-Name_with.dots:and-colons }}");
  ExpectValid("{{ entity:id }}{{ feature:id }}{{ topic:action-subject }}{{ resource:path }}");
  ExpectValid("{{ request:subjectId }}{{ connection:id }}{{ thing-json:attributes/x }}");
  ExpectValid("${thing:id}");  // legacy syntax
  ExpectValid("{{ a }");       // not a placeholder: no closing braces
}

TEST(PlaceholdersTest, UnknownNameIsUnresolved) {
  DittoError error = ExpectInvalid("x/{{ thing:invalid }}");
  EXPECT_EQ(error.error, "placeholder:unresolved");
  EXPECT_EQ(error.message, "The placeholder 'thing:invalid' could not be resolved.");
  EXPECT_EQ(error.description, kUnresolvedDescription);
  EXPECT_EQ(ExpectInvalid("{{ nocolon }}").message, "The placeholder 'nocolon' could not be resolved.");
  EXPECT_EQ(ExpectInvalid("{{ thing-json:id }}").message,
            "The placeholder 'thing-json:id' could not be resolved.");
  EXPECT_EQ(ExpectInvalid("${policy:id}").message, "The placeholder 'policy:id' could not be resolved.");
}

TEST(PlaceholdersTest, EachPlaceAcceptsItsOwnSet) {
  ExpectValid("{{ header:device_id }}", kHeaderPlaceholders);
  EXPECT_EQ(ExpectInvalid("{{ thing:id }}", kHeaderPlaceholders).message,
            "The placeholder 'thing:id' could not be resolved.");
  ExpectValid("{{ policy:id }}", kEnforcementFilterPlaceholders);
  ExpectValid("{{ feature:id }}", kEnforcementFilterPlaceholders);
  ExpectInvalid("{{ feature:id }}", kMqttEnforcementFilterPlaceholders);
  ExpectValid("{{ source:address }}", {PlaceholderKind::kSourceAddress});
  ExpectInvalid("{{ source:topic }}", {PlaceholderKind::kSourceAddress});
  ExpectValid("{{ header:mqtt.qos }}", {PlaceholderKind::kMqtt3Header});
  EXPECT_EQ(ExpectInvalid("{{ header:x }}", {PlaceholderKind::kMqtt3Header}).message,
            "The placeholder 'header:x' could not be resolved.");
}

TEST(PlaceholdersTest, TimePlaceholder) {
  for (std::string_view valid : {"{{ time:now }}", "{{ time:now_epoch_millis }}", "{{ time:now-1h }}",
                                 "{{ time:now+30m[s] }}", "{{ time:now[h] }}", "{{ time:now_epoch_millis-5d }}"}) {
    ExpectValid(valid);
  }
  for (std::string_view invalid : {"{{ time:later }}", "{{ time:now-1x }}", "{{ time:now5 }}",
                                   "{{ time:now[q] }}", "{{ time:now--1s }}"}) {
    ExpectInvalid(invalid);
  }
}

TEST(PlaceholdersTest, KnownFunctions) {
  ExpectValid("{{ header:x | fn:default('y') }}");
  ExpectValid("{{ header:x | fn:default(\"y\") | fn:upper() | fn:lower() | fn:trim() }}");
  ExpectValid("{{ header:x | fn:default(thing:id) }}");
  ExpectValid("{{ thing:id | fn:substring-before(':') | fn:substring-after('a') }}");
  ExpectValid("{{ thing:id | fn:replace('a', 'b') | fn:split('/') | fn:join(',') }}");
  ExpectValid("{{ header:x | fn:filter(header:y, 'eq', 'z') }}");
  ExpectValid("{{ header:x | fn:filter('like', 'a*') }}");
  ExpectValid("{{ header:x | fn:url-encode() | fn:url-decode() | fn:base64-encode() | fn:base64-decode() }}");
  ExpectValid("{{ fn:default('constant') }}");
  ExpectValid("{{ header:x | fn:delete() }}");
  ExpectValid("{{ header:x | fn:format('{id}') }}");
}

TEST(PlaceholdersTest, UnknownFunction) {
  DittoError error = ExpectInvalid("{{ header:x | fn:unknown() }}");
  EXPECT_EQ(error.error, "placeholder:function.unknown");
  EXPECT_EQ(error.message, "The function <fn:unknown()> is not known.");
  EXPECT_EQ(error.description,
            "Ensure to only use supported functions. Check if you maybe just forgot to use parentheses "
            "for a function with empty parameters.");
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:lower }}").message, "The function <fn:lower> is not known.");
}

TEST(PlaceholdersTest, FunctionSignatures) {
  DittoError error = ExpectInvalid("{{ header:x | fn:default(y) }}");
  EXPECT_EQ(error.error, "placeholder:function.signature.invalid");
  EXPECT_EQ(error.message, "The function signature <fn:default(y)> could not be parsed.");
  EXPECT_EQ(error.description,
            "Ensure to conform to the function's signature: <fn:default(String defaultValue /* "
            "Specifies the default/fallback value and may be a constant in single or double quotes or "
            "a placeholder */)>");
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:upper('a') }}").message,
            "The function signature <fn:upper('a')> could not be parsed.");
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:upper() }}x{{ header:x | fn:substring-before(header:y) }}").message,
            "The function signature <fn:substring-before(header:y)> could not be parsed.");
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:replace('a') }}").error, "placeholder:function.signature.invalid");
  // A placeholder used as a parameter must be known, too.
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:default(thing:nope) }}").message,
            "The placeholder 'thing:nope' could not be resolved.");
}

TEST(PlaceholdersTest, MalformedPipelinesAreUnresolved) {
  // An empty stage is a stage without a function name.
  EXPECT_EQ(ExpectInvalid("{{ header:x | }}").message, "The function <> is not known.");
  EXPECT_EQ(ExpectInvalid("{{ header:x || fn:lower() }}").error, "placeholder:unresolved");
  EXPECT_EQ(ExpectInvalid("{{ }}").message, "The placeholder '' could not be resolved.");
  EXPECT_EQ(ExpectInvalid("{{ header:x | fn:default('y) }}").error, "placeholder:unresolved");
}

TEST(PlaceholdersTest, AtMostTenFunctions) {
  std::string ten = "{{ header:x";
  for (int i = 0; i < 10; ++i) ten += " | fn:lower()";
  ExpectValid(ten + " }}");
  DittoError error = ExpectInvalid(ten + " | fn:lower() }}");
  EXPECT_EQ(error.error, "placeholder:function.too.complex");
  EXPECT_EQ(error.message, "The placeholder functions are not accepted as they are too complex.");
  EXPECT_EQ(error.description,
            "Please reduce the complexity (e.g. amount of chained functions below the maximum of '10') "
            "of the functions.");
}

TEST(PlaceholdersTest, ContainsPlaceholder) {
  EXPECT_TRUE(ContainsPlaceholder("a{{ x }}b"));
  EXPECT_TRUE(ContainsPlaceholder("${x}"));
  EXPECT_FALSE(ContainsPlaceholder("a{{ x }b"));
  EXPECT_FALSE(ContainsPlaceholder("plain"));
}

TEST(PlaceholdersTest, ReplaceKeepsLiteralsAndReportsUnresolvedPipelines) {
  auto replaced = ReplacePlaceholders("topic-{{ thing:id }}#{{ header:p }}", kOutboundPlaceholders, "X");
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(replaced));
  EXPECT_EQ(std::get<std::vector<std::string>>(replaced), std::vector<std::string>{"topic-X#X"});
  auto deleted = ReplacePlaceholders("t/{{ header:x | fn:delete() }}", kOutboundPlaceholders, "X");
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(deleted));  // literal text remains
  auto all_deleted = ReplacePlaceholders("{{ header:x | fn:delete() }}", kOutboundPlaceholders, "X");
  ASSERT_TRUE(std::holds_alternative<DittoError>(all_deleted));
  EXPECT_EQ(std::get<DittoError>(all_deleted).message,
            "The placeholder '{{ header:x | fn:delete() }}' could not be resolved.");
  auto filtered = ReplacePlaceholders("{{ header:x | fn:filter(header:x, 'eq', 'other') }}",
                                      kOutboundPlaceholders, "X");
  ASSERT_TRUE(std::holds_alternative<DittoError>(filtered));
}

TEST(PlaceholdersTest, ConnectionIdResolution) {
  auto resolved = ResolveConnectionIdPlaceholder("{{connection:id}}:ack", "my-connection");
  ASSERT_TRUE(std::holds_alternative<std::optional<std::string>>(resolved));
  EXPECT_EQ(std::get<std::optional<std::string>>(resolved), "my-connection:ack");
  auto unknown = ResolveConnectionIdPlaceholder("{{ thing:id }}:ack", "my-connection");
  ASSERT_TRUE(std::holds_alternative<DittoError>(unknown));
  EXPECT_EQ(std::get<DittoError>(unknown).message, "The placeholder 'thing:id' could not be resolved.");
}

}  // namespace
}  // namespace connectivity::model
