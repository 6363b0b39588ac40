// Goal: target topics parse as Ditto's ImmutableFilteredTopic does (names, URL-decoded parameters,
// parameters each topic supports, extraFields checks) and re-serialise canonically, stably.
// Method: parse topic strings and compare the canonical string or the error.
#include "src/model/topic.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

std::string Canonical(std::string_view text) {
  auto topic = ParseFilteredTopic(text);
  if (auto* error = std::get_if<DittoError>(&topic)) return "error: " + error->error;
  return FilteredTopicToString(std::get<FilteredTopic>(topic));
}

TEST(TopicTest, AllTopicNames) {
  for (std::string_view name : {"_/_/things/twin/events", "_/_/things/live/messages",
                                "_/_/things/live/events", "_/_/things/live/commands",
                                "_/_/policies/announcements", "_/_/connections/announcements"}) {
    EXPECT_EQ(Canonical(name), name);
  }
}

TEST(TopicTest, UnknownTopic) {
  auto topic = ParseFilteredTopic("_/_/things/twin/evnts?filter=x");
  ASSERT_TRUE(std::holds_alternative<DittoError>(topic));
  const DittoError& error = std::get<DittoError>(topic);
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.error, "connectivity:topic.invalid");
  EXPECT_EQ(error.message, "The topic '_/_/things/twin/evnts?filter=x' could not be parsed.");
  EXPECT_EQ(error.description,
            "'Unknown topic: _/_/things/twin/evnts' - check if the format is the expected one.");
}

TEST(TopicTest, ParametersInCanonicalOrderDecoded) {
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields=attributes&filter=eq(a,1)&namespaces=n1,n2"),
            "_/_/things/twin/events?namespaces=n1,n2&filter=eq(a,1)&extraFields=attributes");
  EXPECT_EQ(Canonical("_/_/things/twin/events?filter=eq(attributes%2Fa%2C%22x%20y%22)&namespaces=a%2Cb"),
            R"(_/_/things/twin/events?namespaces=a,b&filter=eq(attributes/a,"x y"))");
  EXPECT_EQ(Canonical("_/_/things/live/messages?filter=like(a,%22x+y*%22)"),
            R"(_/_/things/live/messages?filter=like(a,"x y*"))");
}

TEST(TopicTest, UnknownEmptyAndValuelessParametersAreDropped) {
  EXPECT_EQ(Canonical("_/_/things/twin/events?foo=bar&namespaces=&filter&x"),
            "_/_/things/twin/events");
  EXPECT_EQ(Canonical("_/_/things/twin/events?"), "_/_/things/twin/events");
  // Java's String#split drops trailing empty elements only.
  EXPECT_EQ(Canonical("_/_/things/twin/events?namespaces=,a,,b,,"),
            "_/_/things/twin/events?namespaces=,a,,b");
}

TEST(TopicTest, AnnouncementsIgnoreUnsupportedParameters) {
  EXPECT_EQ(Canonical("_/_/connections/announcements?namespaces=a&filter=eq(a,1)&extraFields=thingId"),
            "_/_/connections/announcements");
  EXPECT_EQ(Canonical("_/_/policies/announcements?namespaces=a&filter=eq(a,1)&extraFields=thingId"),
            "_/_/policies/announcements?namespaces=a");
}

TEST(TopicTest, ExtraFieldsMustNameThingFields) {
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields=features/f/properties,/attributes/a,thingId"),
            "_/_/things/twin/events?extraFields=features/f/properties,/attributes/a,thingId");
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields={{ header:fields }}"),
            "_/_/things/twin/events?extraFields={{ header:fields }}");
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields=foo"),
            "error: things:field.selection.invalid");
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields=attributes/"),
            "error: things:field.selection.invalid");
  EXPECT_EQ(Canonical("_/_/things/twin/events?extraFields=attributes(a"),
            "error: json.fieldselector.invalid");
  auto topic = ParseFilteredTopic("_/_/things/twin/events?extraFields=foo");
  EXPECT_EQ(std::get<DittoError>(topic).message, "Thing field selection <foo> was not valid.");
}

TEST(TopicTest, BrokenEncodingAndDuplicatesAreTopicErrors) {
  EXPECT_EQ(Canonical("_/_/things/twin/events?filter=%2"), "error: connectivity:topic.invalid");
  EXPECT_EQ(Canonical("_/_/things/twin/events?filter=%zz"), "error: connectivity:topic.invalid");
  EXPECT_EQ(Canonical("_/_/things/twin/events?filter=a&filter=b"),
            "error: connectivity:topic.invalid");
  // Malformed UTF-8 becomes U+FFFD, as in Java's URLDecoder.
  EXPECT_EQ(Canonical("_/_/things/twin/events?filter=%FF"),
            "_/_/things/twin/events?filter=\xEF\xBF\xBD");
}

TEST(TopicTest, CanonicalFormSurvivesAReparse) {
  // '&', '+' and '%' stay encoded so that the stored topic reads back the same.
  std::string once = Canonical("_/_/things/twin/events?filter=eq(a,%22x%26y%2Bz%25%22)");
  EXPECT_EQ(once, R"(_/_/things/twin/events?filter=eq(a,"x%26y%2Bz%25"))");
  EXPECT_EQ(Canonical(once), once);
  auto topic = ParseFilteredTopic(once);
  EXPECT_EQ(std::get<FilteredTopic>(topic).filter, R"(eq(a,"x&y+z%"))");
}

// Found by the fuzz target `connection`: `%00` decoded into U+0000, which the canonical form
// wrote raw; the stored connection then held "\u0000" and no longer parsed.
TEST(TopicTest, CanonicalFormKeepsNulEncoded) {
  const std::string text = "_/_/things/twin/events?namespaces=a%00b&extraFields=attributes/%00";
  auto topic = ParseFilteredTopic(text);
  ASSERT_TRUE(std::holds_alternative<FilteredTopic>(topic));
  EXPECT_EQ(std::get<FilteredTopic>(topic).namespaces,
            std::vector<std::string>{std::string("a\0b", 3)});
  EXPECT_EQ(FilteredTopicToString(std::get<FilteredTopic>(topic)), text);
  auto again = ParseFilteredTopic(FilteredTopicToString(std::get<FilteredTopic>(topic)));
  ASSERT_TRUE(std::holds_alternative<FilteredTopic>(again));
  EXPECT_EQ(std::get<FilteredTopic>(again), std::get<FilteredTopic>(topic));
}

TEST(TopicTest, FilterIsKeptAsGiven) {
  auto topic = ParseFilteredTopic("_/_/things/twin/events?filter=eq(attributes/counter");
  ASSERT_TRUE(std::holds_alternative<FilteredTopic>(topic));
  EXPECT_EQ(std::get<FilteredTopic>(topic).filter, "eq(attributes/counter");
}

}  // namespace
}  // namespace connectivity::model
