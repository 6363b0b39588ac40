// Goal: ParseConnectionUri accepts exactly what Ditto's ConnectionUri (java.net.URI with a
// server authority) accepts, exposes its parts, and MaskUriPassword never lets a password through.
// Method: tables of URIs with the expected verdict; masking checked on valid and broken URIs.
#include "src/model/connection_uri.h"

#include <gtest/gtest.h>

namespace connectivity::model {
namespace {

TEST(ConnectionUriTest, AcceptsServerUrisWithPort) {
  for (std::string_view uri :
       {"amqp://127.0.0.1:5672", "amqps://user:pass@host.example:5671/vhost", "tcp://h:1",
        "ssl://a-b.c-d.e:8883", "http://[::1]:80/x", "kafka://10.0.0.1:9092/path;p=1#frag",
        "mqtt://u:p%40ss@broker:1883", "amqp://host.:5672", "amqp://1host:5672",
        "amqp://h:65536", "amqp://user@h:1", "amqp://h:1/v\xC3\xA4"}) {
    EXPECT_TRUE(ParseConnectionUri(uri).has_value()) << uri;
  }
}

TEST(ConnectionUriTest, RejectsWhatJavaRejectsOrDittoForbids) {
  for (std::string_view uri :
       {"amqp://127.0.0.1", "amqp://127.0.0.1:", "amqp://127.0.0.1:0", "amqp://h:-1",
        "amqp://h:5672/vhost?heartbeat=10", "amqp://h:5672?", "amqp://:5672", "amqp://u:p@:5672",
        "amqp:///vhost", "amqp://", "amqp://my_host:5672", "amqp://host-:5672",
        "amqp://h:5672/a b", "amqp://h:5672/%zz", "amqp://1.2.3.4.5:1", "mailto:x@y",
        "1amqp://h:1", "amqp://u:p@ss@h:1", "amqp://h:99999999999", "amqp://h:1a",
        "://h:1", "amqp://h:1/\xC2\xA0"}) {
    EXPECT_FALSE(ParseConnectionUri(uri).has_value()) << uri;
  }
}

TEST(ConnectionUriTest, BlankIsValidAndEmpty) {
  for (std::string_view uri : {"", " ", "\t\n "}) {
    std::optional<ConnectionUri> parsed = ParseConnectionUri(uri);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->ascii, "");
    EXPECT_EQ(parsed->scheme, "");
    EXPECT_EQ(parsed->port, 9999);
  }
}

TEST(ConnectionUriTest, ExposesParts) {
  std::optional<ConnectionUri> uri = ParseConnectionUri("amqps://us%40er:p%3Ass@host.example:5671/v%20h");
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->scheme, "amqps");
  EXPECT_EQ(uri->user_name, "us@er");
  EXPECT_EQ(uri->password, "p:ss");
  EXPECT_EQ(uri->host, "host.example");
  EXPECT_EQ(uri->port, 5671);
  EXPECT_EQ(uri->path, "/v h");
  EXPECT_EQ(uri->ascii, "amqps://us%40er:p%3Ass@host.example:5671/v%20h");
  // User-info without ':' has no user name or password (as in Ditto).
  uri = ParseConnectionUri("amqp://token@h:1");
  ASSERT_TRUE(uri.has_value());
  EXPECT_FALSE(uri->user_name.has_value());
  EXPECT_FALSE(uri->password.has_value());
}

TEST(ConnectionUriTest, AsciiFormEncodesNonAscii) {
  std::optional<ConnectionUri> uri = ParseConnectionUri("amqp://j\xC3\xBCrgen:pw@h:1/\xE2\x82\xAC");
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->ascii, "amqp://j%C3%BCrgen:pw@h:1/%E2%82%AC");
  EXPECT_EQ(uri->user_name, "j\xC3\xBCrgen");
  // Non-ASCII is not allowed in a host name.
  EXPECT_FALSE(ParseConnectionUri("amqp://h\xC3\xBC:1").has_value());
}

TEST(ConnectionUriTest, MasksPasswords) {
  EXPECT_EQ(MaskUriPassword("amqp://user:secret@h:5672/v?x=1"), "amqp://user:*****@h:5672/v?x=1");
  EXPECT_EQ(MaskUriPassword("amqp://h:5672"), "amqp://h:5672");
  EXPECT_EQ(MaskUriPassword("amqp://h:5672/a:b"), "amqp://h:5672/a:b");
  // User-info without ':' may be a token: masked whole.
  EXPECT_EQ(MaskUriPassword("amqp://token@h:5672"), "amqp://*****@h:5672");
  // Broken URIs: '@', '/', '?' or '#' inside the password must not leak any part of it.
  EXPECT_EQ(MaskUriPassword("amqp://user:se@cret@h:5672"), "amqp://user:*****@h:5672");
  EXPECT_EQ(MaskUriPassword("amqp://user:se/cr?e#t@h"), "amqp://user:*****@h");
  EXPECT_EQ(MaskUriPassword("user:secret@h:1"), "user:*****@h:1");
  // A URI without scheme (java.net.URI takes "//authority/path") whose path holds "://": the
  // user-info is the first one (found by the fuzz target uri: the "://" in the path was taken for
  // the end of a scheme, and the password before it was left as it was).
  EXPECT_EQ(MaskUriPassword("//:P@h:2/s://:P@h:2/"), "//:*****@h:2/");
  EXPECT_EQ(MaskUriPassword("//u:secret@h:2/x://y"), "//u:*****@h:2/x://y");
  EXPECT_EQ(MaskUriPassword("amqp://u:secret@h:2/x://y"), "amqp://u:*****@h:2/x://y");
  // What precedes "://" is no scheme: the whole text is searched for a user-info.
  EXPECT_EQ(MaskUriPassword("a b://u:secret@h:2"), "a b:*****@h:2");
  // A mistyped '@' or ':' must not expose the password either.
  EXPECT_EQ(MaskUriPassword("amqp://user:secret.h:5672/v"), "amqp://user:*****/v");
  EXPECT_EQ(MaskUriPassword("amqp://user:secret:h:5672"), "amqp://user:*****");
  EXPECT_EQ(MaskUriPassword("amqp://usersecret@h:5672"), "amqp://*****@h:5672");
  EXPECT_EQ(MaskUriPassword("amqp:/user:secret@h:5672"), "amqp:*****@h:5672");
}

}  // namespace
}  // namespace connectivity::model
