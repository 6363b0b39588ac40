// Outbound host rules: address parsing, CIDR matching for IPv4 and IPv6, Java's address classes,
// and the policy in Ditto's order with Ditto's messages.
#include "src/connect/outbound_rules.h"

#include <gtest/gtest.h>

#include "tests/connect/fake_resolver.h"

namespace connectivity::connect {
namespace {

IpAddress Ip(const char* text) { return ParseIpAddress(text).value(); }

TEST(IpAddress, ParsesBothFamiliesAndNormalisesMappedIpv4) {
  EXPECT_FALSE(Ip("10.1.2.3").v6);
  EXPECT_TRUE(Ip("::1").v6);
  EXPECT_EQ(Ip("[::1]"), Ip("::1"));
  EXPECT_EQ(Ip("::ffff:127.0.0.1"), Ip("127.0.0.1"));
  EXPECT_EQ(FormatIpAddress(Ip("fe80::1")), "fe80::1");
  EXPECT_FALSE(ParseIpAddress("localhost"));
  EXPECT_FALSE(ParseIpAddress("1.2.3"));
  EXPECT_FALSE(ParseIpAddress("1.2.3.4/8"));
  EXPECT_FALSE(ParseIpAddress(""));
}

TEST(Subnet, MatchesPrefixesOfEveryLength) {
  const Subnet ten = ParseSubnet("10.0.0.0/8").value();
  EXPECT_TRUE(SubnetContains(ten, Ip("10.255.1.1")));
  EXPECT_FALSE(SubnetContains(ten, Ip("11.0.0.1")));
  const Subnet odd = ParseSubnet("192.168.4.0/22").value();
  EXPECT_TRUE(SubnetContains(odd, Ip("192.168.7.255")));
  EXPECT_FALSE(SubnetContains(odd, Ip("192.168.8.0")));
  const Subnet host = ParseSubnet("203.0.113.7").value();  // a bare address is a /32
  EXPECT_EQ(host.prefix_length, 32);
  EXPECT_TRUE(SubnetContains(host, Ip("203.0.113.7")));
  EXPECT_FALSE(SubnetContains(host, Ip("203.0.113.8")));
  const Subnet all = ParseSubnet("0.0.0.0/0").value();
  EXPECT_TRUE(SubnetContains(all, Ip("8.8.8.8")));
  EXPECT_FALSE(SubnetContains(all, Ip("::1")));  // families never match each other
  const Subnet ula = ParseSubnet("fd00::/8").value();
  EXPECT_TRUE(SubnetContains(ula, Ip("fd12:3456::1")));
  EXPECT_FALSE(SubnetContains(ula, Ip("fe80::1")));
  const Subnet v6 = ParseSubnet("2001:db8::/33").value();
  EXPECT_TRUE(SubnetContains(v6, Ip("2001:db8:7fff::1")));
  EXPECT_FALSE(SubnetContains(v6, Ip("2001:db8:8000::1")));
}

TEST(Subnet, RejectsMalformedCidr) {
  EXPECT_FALSE(ParseSubnet("10.0.0.0/33"));
  EXPECT_FALSE(ParseSubnet("::/129"));
  EXPECT_FALSE(ParseSubnet("10.0.0.0/"));
  EXPECT_FALSE(ParseSubnet("10.0.0.0/x"));
  EXPECT_FALSE(ParseSubnet("example.com/8"));
}

TEST(AddressClasses, FollowJavaInetAddress) {
  EXPECT_TRUE(IsLoopback(Ip("127.0.0.1")));
  EXPECT_TRUE(IsLoopback(Ip("127.9.9.9")));
  EXPECT_TRUE(IsLoopback(Ip("::1")));
  EXPECT_FALSE(IsLoopback(Ip("128.0.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("10.0.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("172.16.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("172.31.255.255")));
  EXPECT_FALSE(IsSiteLocal(Ip("172.32.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("192.168.1.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("fec0::1")));
  EXPECT_FALSE(IsSiteLocal(Ip("fd00::1")));      // Java: ULA is not site-local
  EXPECT_FALSE(IsSiteLocal(Ip("169.254.169.254")));  // nor link-local
  EXPECT_TRUE(IsMulticast(Ip("224.0.0.1")));
  EXPECT_TRUE(IsMulticast(Ip("239.255.255.255")));
  EXPECT_TRUE(IsMulticast(Ip("ff02::1")));
  EXPECT_TRUE(IsWildcard(Ip("0.0.0.0")));
  EXPECT_TRUE(IsWildcard(Ip("::")));
  EXPECT_FALSE(IsWildcard(Ip("0.0.0.1")));
}

TEST(OutboundRulesFromConfig, SplitsTrimsAndDropsBlanks) {
  const OutboundRules rules =
      OutboundRulesFromConfig(" localhost , ,metadata.internal", "10.0.0.0/8,  fd00::/8 ", " .*\\.internal ", "");
  EXPECT_EQ(rules.blocked_hostnames, (std::vector<std::string>{"localhost", "metadata.internal"}));
  EXPECT_EQ(rules.blocked_subnets, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(rules.blocked_host_regex, ".*\\.internal");
  EXPECT_TRUE(rules.allowed_hostnames.empty());
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolver_.Set("localhost", {"127.0.0.1", "::1"});
    resolver_.Set("broker.example", {"203.0.113.10"});
    resolver_.Set("private.example", {"203.0.113.11", "10.1.1.1"});
    resolver_.Set("bad.example", {"198.51.100.66"});
    resolver_.Set("subnet.example", {"198.51.100.130"});
    resolver_.Set("loop.example", {"127.0.0.2"});
    resolver_.Set("yinternal", {"203.0.113.12"});
  }
  OutboundPolicy Compile(OutboundRules rules) {
    Result<OutboundPolicy> policy = OutboundPolicy::Compile(rules, resolver_);
    EXPECT_TRUE(policy.ok()) << policy.status().ToString();
    return std::move(*policy);
  }
  std::optional<std::string> Validate(const OutboundPolicy& policy, const char* host) {
    return policy.ValidateHost(host, resolver_, 1'000'000);
  }
  testing::FakeResolver resolver_;
};

TEST_F(PolicyTest, NothingIsBlockedByDefault) {
  const OutboundPolicy policy = Compile({});
  EXPECT_FALSE(policy.active());
  EXPECT_FALSE(Validate(policy, "localhost"));
  EXPECT_FALSE(Validate(policy, "nowhere.example"));  // not even resolved
  EXPECT_FALSE(policy.CheckAddress(Ip("127.0.0.1")));
}

TEST_F(PolicyTest, UnresolvableBlockedHostnamesLeaveRulesOff) {
  OutboundRules rules;
  rules.blocked_hostnames = {"nowhere.example"};
  EXPECT_FALSE(Compile(rules).active());  // as Ditto: no blocked address, no blocking
}

TEST_F(PolicyTest, DittoOrderAndMessages) {
  OutboundRules rules;
  rules.blocked_hostnames = {"bad.example"};
  rules.blocked_subnets = {"198.51.100.128/25"};
  rules.blocked_host_regex = ".*\\.internal";
  rules.allowed_hostnames = {"loop.example", "x.internal"};
  const OutboundPolicy policy = Compile(rules);
  ASSERT_TRUE(policy.active());
  const std::string prefix = "may not be used for the connection because the host is blocked: ";
  EXPECT_EQ(Validate(policy, "localhost").value(),
            "The configured host 'localhost' " + prefix + "the hostname resolved to a loopback address.");
  EXPECT_EQ(Validate(policy, "private.example").value(),
            "The configured host 'private.example' " + prefix + "the hostname resolved to a site local address.");
  EXPECT_EQ(Validate(policy, "bad.example").value(),
            "The configured host 'bad.example' " + prefix + "the host is blocked.");
  EXPECT_EQ(Validate(policy, "subnet.example").value(),
            "The configured host 'subnet.example' " + prefix + "the hostname resides in a blocked subnet.");
  EXPECT_EQ(Validate(policy, "db.internal").value(),
            "The configured host 'db.internal' " + prefix + "the host is blocked.");
  EXPECT_EQ(Validate(policy, "224.0.0.1").value(),
            "The configured host '224.0.0.1' " + prefix + "the hostname resolved to a multicast address.");
  EXPECT_EQ(Validate(policy, "0.0.0.0").value(),
            "The configured host '0.0.0.0' " + prefix + "the hostname resolved to a wildcard address.");
  EXPECT_EQ(Validate(policy, "nowhere.example").value(),
            "The configured host 'nowhere.example' may not be used for the connection because The "
            "configured host 'nowhere.example' is invalid: The configured host 'nowhere.example' is "
            "invalid: nowhere.example: Name or service not known");
  EXPECT_FALSE(Validate(policy, "broker.example"));
  EXPECT_FALSE(Validate(policy, "loop.example"));  // allowed wins over loopback
  EXPECT_FALSE(Validate(policy, "x.internal"));    // allowed wins over the regex
  EXPECT_FALSE(Validate(policy, "yinternal"));     // the regex must match the whole host
}

TEST_F(PolicyTest, InvalidSubnetOrRegexIsRejected) {
  OutboundRules subnet;
  subnet.blocked_subnets = {"10.0.0.0/99"};
  EXPECT_FALSE(OutboundPolicy::Compile(subnet, resolver_).ok());
  OutboundRules regex;
  regex.blocked_host_regex = "([a-z";
  EXPECT_FALSE(OutboundPolicy::Compile(regex, resolver_).ok());
}

}  // namespace
}  // namespace connectivity::connect
