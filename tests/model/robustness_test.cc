// Goal: no input crashes the parser or escapes as a 5xx, and no error ever shows a password.
// Method: (1) cut a valid connection at every byte offset, (2) flip random bytes of it with a
// fixed, logged seed, (3) hand-picked hostile inputs; each result must be a Connection or a
// DittoError with status 400 whose JSON does not contain the URI's or credentials' passwords.
// (4) invalid URIs with passwords in many shapes: the message masks them.
#include <gtest/gtest.h>

#include <random>

#include "src/model/validation.h"
#include "tests/model/model_test_util.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kPassword = "s3cr3t";
constexpr std::string_view kSshPassword = "tunnelPw";

std::string HostileBase() {
  std::string json = WithMember(kBaseConnection, "sshTunnel", R"({"enabled":true,
      "credentials":{"type":"plain","username":"u","password":"tunnelPw"},"validateHost":false,
      "uri":"ssh://127.0.0.1:22"})");
  json = WithMember(json, "targets/0/topics",
                    R"(["_/_/things/twin/events?namespaces=a,b&filter=eq(a,1)&extraFields=thingId"])");
  json = WithMember(json, "specificConfig", R"({"n":1.5,"o":{"x":[true,null]}})");
  return WithMember(json, "sources/0/replyTarget", R"({"address":"r","expectedResponseTypes":["nack"]})");
}

// The property every input must have. `password_intact`: the input still holds the password as
// a password ("user:s3cr3t"); a mutation that destroyed that may legitimately show its letters.
void ExpectHandled(std::string_view input, bool password_intact = true) {
  std::variant<Connection, DittoError> result = ParseConnection(input, PiggybackOptions());
  if (auto* connection = std::get_if<Connection>(&result)) {
    // A parsed connection must serialise, reparse and validate without trouble.
    std::string serialised = SerializeConnection(*connection);
    std::variant<Connection, DittoError> again = ParseConnection(serialised, PiggybackOptions());
    if (auto* error = std::get_if<DittoError>(&again)) {
      ADD_FAILURE() << "reparse failed: " << error->ToJson() << "\n" << serialised;
    }
    (void)ValidateConnection(*connection, ValidationConfig{});
    return;
  }
  const DittoError& error = std::get<DittoError>(result);
  EXPECT_EQ(error.status, 400) << error.ToJson();
  EXPECT_FALSE(error.error.empty());
  const std::string json = error.ToJson();
  if (password_intact) {
    EXPECT_EQ(json.find(kPassword), std::string::npos) << json;
  }
  EXPECT_EQ(json.find(kSshPassword), std::string::npos) << json;
}

TEST(RobustnessTest, EveryTruncation) {
  const std::string base = HostileBase();
  ParseValid(base);
  for (size_t length = 0; length < base.size(); ++length) {
    SCOPED_TRACE(length);
    ExpectHandled(std::string_view(base).substr(0, length));
  }
}

TEST(RobustnessTest, RandomByteFlips) {
  const std::string base = HostileBase();
  const uint32_t seed = 20261126;
  std::mt19937 random(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::uniform_int_distribution<size_t> position(0, base.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> flips(1, 4);
  // Printable bytes and JSON structure characters are more interesting than random high bytes.
  constexpr std::string_view kStructural = "{}[]:,\"\\0123456789-.etrufalsn \t";
  std::uniform_int_distribution<size_t> structural(0, kStructural.size() - 1);
  for (int round = 0; round < 20000; ++round) {
    std::string mutated = base;
    const int count = flips(random);
    for (int i = 0; i < count; ++i) {
      const int choice = byte(random);
      mutated[position(random)] =
          choice < 128 ? kStructural[structural(random)] : static_cast<char>(byte(random));
    }
    SCOPED_TRACE(mutated);
    ExpectHandled(mutated, mutated.find("user:s3cr3t") != std::string::npos);
  }
}

TEST(RobustnessTest, HostileInputs) {
  const std::string base = HostileBase();
  for (const std::string& input : std::vector<std::string>{
           WithMember(base, "id", "1"), WithMember(base, "sources", "[[[[]]]]"),
           WithMember(base, "credentials", "[]"), WithMember(base, "credentials", R"({"type":7})"),
           WithMember(base, "sshTunnel/credentials", R"({"type":"hmac"})"),
           WithMember(base, "targets/0/topics", R"([{}])"),
           WithMember(base, "targets/0/topics", R"(["_/_/things/twin/events?%%%"])"),
           WithMember(base, "sources/0/replyTarget", R"("string")"),
           WithMember(base, "sources/0/replyTarget/enabled", R"("yes")"),
           WithMember(base, "sources/0/declaredAcks", R"([{"a":1}])"),
           WithMember(base, "clientCount", "1e400"), WithMember(base, "clientCount", "-0"),
           WithMember(base, "uri", R"("amqp://u:s3cr3t@h:5672/v?x")"),
           WithMember(base, "uri", R"("amqp://u:s3cr3t@h:5672/v w")"),
           WithMember(base, "uri", "12"),
           std::string(64 * 1024, '{'),
           "{\"a\":\"" + std::string(100000, '\\') + "\"}",
           R"({"connectionType":"mqtt","connectionStatus":"open","uri":"tcp://h:1","id":"x",)"
           R"("sources":[{"addresses":["a"],"authorizationContext":["s"],"enforcement":null,)"
           R"("acknowledgementRequests":null,"headerMapping":null,"payloadMapping":null,)"
           R"("replyTarget":null,"declaredAcks":null}],"name":null,"tags":null})",
       }) {
    SCOPED_TRACE(input.substr(0, 200));
    ExpectHandled(input);
  }
}

TEST(RobustnessTest, PasswordNeverInUriMessages) {
  for (std::string_view uri : {
           "amqp://user:s3cr3t@127.0.0.1:5672/vhost?heartbeat=10",
           "amqp://user:s3cr3t@127.0.0.1", "amqp://user:s3cr3t@127.0.0.1:0",
           "amqp://user:s3cr3t@bad_host:5672", "amqp://user:s3cr3t@@127.0.0.1:5672",
           "amqp://user:s3/cr3t@127.0.0.1:5672", "amqp://user:s3cr3t?@127.0.0.1:5672",
           "amqp://user:s3cr3t#@127.0.0.1:5672", "amqp://user:s3 cr3t@127.0.0.1:5672",
           "amqp://user:pa:s3cr3t@127.0.0.1", "user:s3cr3t@127.0.0.1:5672",
           "amqp://user:%zzs3cr3t@127.0.0.1:5672"}) {
    SCOPED_TRACE(uri);
    std::string json = WithMember(kBaseConnection, "uri", "\"" + std::string(uri) + "\"");
    DittoError error = ParseInvalid(json);
    EXPECT_EQ(error.error, "connectivity:connection.uri.invalid");
    EXPECT_EQ(error.ToJson().find("s3"), std::string::npos) << error.ToJson();
    EXPECT_NE(error.message.find("*****"), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace connectivity::model
