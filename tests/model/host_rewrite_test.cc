// Goal: the test helper RewriteHostsToLoopback (tests/support) points every host a connection
// names at 127.0.0.1 and changes nothing else, so tests never leave the machine (SPEC §7); and
// every example fixture, once rewritten, names no other host.
// Method: rewrite literal URIs, lists and connections; scan the rewritten fixtures.
#include "tests/support/host_rewrite.h"

#include <gtest/gtest.h>

#include "src/model/connection_uri.h"
#include "tests/model/model_test_util.h"
#include "tests/support/fixtures.h"

namespace connectivity::test_support {
namespace {

TEST(HostRewriteTest, UriKeepsEverythingButTheHost) {
  EXPECT_EQ(RewriteUriHostToLoopback("amqps://user:pa:ss@hono.eclipse.org:5671/vhost?x=1#f"),
            "amqps://user:pa:ss@127.0.0.1:5671/vhost?x=1#f");
  EXPECT_EQ(RewriteUriHostToLoopback("tcp://test.mosquitto.org:1883"), "tcp://127.0.0.1:1883");
  EXPECT_EQ(RewriteUriHostToLoopback("https://auth.example.com/oauth2/token"),
            "https://127.0.0.1/oauth2/token");
  EXPECT_EQ(RewriteUriHostToLoopback("ssh://ssh:2222"), "ssh://127.0.0.1:2222");
  EXPECT_EQ(RewriteUriHostToLoopback("http://[2001:db8::1]:80/p"), "http://127.0.0.1:80/p");
  EXPECT_EQ(RewriteUriHostToLoopback("amqp://host"), "amqp://127.0.0.1");
  EXPECT_EQ(RewriteUriHostToLoopback("amqp://u@host/p@q"), "amqp://u@127.0.0.1/p@q");
  EXPECT_EQ(RewriteUriHostToLoopback(""), "");
  EXPECT_EQ(RewriteUriHostToLoopback("no-scheme-here"), "no-scheme-here");
}

TEST(HostRewriteTest, ServerListKeepsPortsAndSeparators) {
  EXPECT_EQ(RewriteServerListToLoopback("localhost:9092,other.host:9093"),
            "127.0.0.1:9092,127.0.0.1:9093");
  EXPECT_EQ(RewriteServerListToLoopback("foo:123;bar:456"), "127.0.0.1:123;127.0.0.1:456");
  EXPECT_EQ(RewriteServerListToLoopback("a:1, b:2"), "127.0.0.1:1, 127.0.0.1:2");
  EXPECT_EQ(RewriteServerListToLoopback("nohost"), "127.0.0.1");
}

TEST(HostRewriteTest, ConnectionRewritesAllFourPlacesOnly) {
  std::string rewritten = RewriteHostsToLoopback(R"({
      "uri": "amqp://u:p@broker.example.com:5672/v",
      "specificConfig": {"bootstrapServers": "k1.example.com:9092,k2.example.com:9092",
                         "other": "keep.example.com:1"},
      "credentials": {"type": "oauth-client-credentials",
                      "tokenEndpoint": "https://auth.example.com:8443/token"},
      "sshTunnel": {"uri": "ssh://jump.example.com:22"},
      "targets": [{"address": "POST:http://keep.example.com/x"}]})");
  EXPECT_EQ(rewritten,
            R"({"uri":"amqp://u:p@127.0.0.1:5672/v","specificConfig":{"bootstrapServers":)"
            R"("127.0.0.1:9092,127.0.0.1:9092","other":"keep.example.com:1"},"credentials":)"
            R"({"type":"oauth-client-credentials","tokenEndpoint":"https://127.0.0.1:8443/token"},)"
            R"("sshTunnel":{"uri":"ssh://127.0.0.1:22"},"targets":[{"address":)"
            R"("POST:http://keep.example.com/x"}]})");
  EXPECT_EQ(RewriteHostsToLoopback("[1,2]"), "[1,2]");
  EXPECT_EQ(RewriteHostsToLoopback("{broken"), "{broken");
}

TEST(HostRewriteTest, RewrittenFixturesNameOnlyLoopback) {
  for (const auto& expectation : ReadFixtureExpectations()) {
    SCOPED_TRACE(expectation.file);
    std::string json = RewriteHostsToLoopback(ReadFixture(expectation.Path()));
    model::JsonNode root = model::ParseTree(json);
    if (const model::JsonNode* uri = root.Find("uri"); uri != nullptr && uri->IsString()) {
      std::optional<model::ConnectionUri> parsed = model::ParseConnectionUri(uri->text);
      if (parsed && !parsed->host.empty()) {
        EXPECT_EQ(parsed->host, "127.0.0.1");
      }
      if (!parsed) {
        EXPECT_NE(uri->text.find("127.0.0.1"), std::string::npos);
      }
    }
    for (std::string_view host : {"example.com", "mosquitto.org", "eclipse.org", "localhost",
                                  "ssh-host", "other.host", "ssh://ssh:"}) {
      EXPECT_EQ(json.find(host), std::string::npos) << host;
    }
  }
}

}  // namespace
}  // namespace connectivity::test_support
