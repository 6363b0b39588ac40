// Goal: the one implementation of the outbound host rules (REF §4.2 item 7), used by the validation
// and by every connect attempt. Addresses parse and print as Java's InetAddress does (IPv4-mapped
// IPv6 is IPv4); subnets match by prefix for IPv4 and IPv6; Java's address classes; the comma
// lists are trimmed. HostPolicy: with nothing blocked no name is ever resolved and every host
// passes; with blocked hosts, loopback, site-local, multicast, wildcard, blocked and
// blocked-subnet addresses, the blocked regex and unresolvable hosts are refused with Ditto's
// reasons, allowed hosts pass, invalid rules refuse everything. HostValidator: the host of the
// connection, its SSH tunnel and its token endpoint, with Ditto's error; hono is skipped.
// Method: a fake HostResolver that records every lookup; never DNS.
#include "src/model/host_validation.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

#include "tests/model/fake_host_resolver.h"
#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

using testing::FakeHostResolver;

IpAddress Ip(const char* text) { return ParseIpAddress(text).value(); }

const std::string kDescription =
    "The host is blocked or resolves to a forbidden address. If the host is valid, add it to the "
    "allowed hostnames configuration.";

std::shared_ptr<FakeHostResolver> Resolver() {
  return std::make_shared<FakeHostResolver>(std::map<std::string, std::vector<std::string>>{
      {"localhost", {"127.0.0.1", "::1"}},
      {"blocked.example", {"93.184.216.34"}},
      {"public.example", {"93.184.216.35"}},
      {"lan.example", {"192.168.1.10"}},
      {"internal.example", {"100.64.1.2"}},
      {"multicast.example", {"224.0.0.1"}},
      {"any.example", {"0.0.0.0"}},
      {"private.example", {"93.184.216.36", "10.1.1.1"}},
      {"loop.example", {"127.0.0.2"}},
      {"yinternal", {"93.184.216.37"}},
  });
}

std::string Message(std::string_view host, std::string_view reason) {
  return "The configured host '" + std::string(host) + "' may not be used for the connection because " +
         std::string(reason);
}

TEST(IpAddressTest, ParsesBothFamiliesAndUnmapsIpv4) {
  EXPECT_FALSE(Ip("10.1.2.3").is_v6);
  EXPECT_TRUE(Ip("::1").is_v6);
  EXPECT_EQ(Ip("[::1]"), Ip("::1"));
  EXPECT_EQ(Ip("::ffff:127.0.0.1"), Ip("127.0.0.1"));  // Java: an Inet4Address
  EXPECT_FALSE(ParseIpAddress("localhost"));
  EXPECT_FALSE(ParseIpAddress("1.2.3"));
  EXPECT_FALSE(ParseIpAddress("1.2.3.4/8"));
  EXPECT_FALSE(ParseIpAddress(""));
  EXPECT_FALSE(ParseIpAddress("[]"));
}

TEST(IpAddressTest, PrintsForSocketsAndAsJava) {
  EXPECT_EQ(Ip("fe80::1").ToString(), "fe80::1");
  EXPECT_EQ(Ip("10.0.0.1").ToString(), "10.0.0.1");
  EXPECT_EQ(Ip("::1").ToJavaString(), "0:0:0:0:0:0:0:1");
  EXPECT_EQ(Ip("fd12:3456::ab").ToJavaString(), "fd12:3456:0:0:0:0:0:ab");
  EXPECT_EQ(Ip("10.0.0.1").ToJavaString(), "10.0.0.1");
}

TEST(IpAddressTest, FromSocketAddressUnmapsIpv4) {
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
  std::memcpy(&in6.sin6_addr, mapped, 16);
  EXPECT_EQ(IpAddressFromSockaddr(reinterpret_cast<const sockaddr*>(&in6)), Ip("127.0.0.1"));
  sockaddr unknown{};
  unknown.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddressFromSockaddr(&unknown));
}

TEST(SubnetTest, MatchesPrefixesOfEveryLength) {
  const Subnet ten = ParseSubnet("10.0.0.0/8").value();
  EXPECT_TRUE(SubnetContains(ten, Ip("10.255.1.1")));
  EXPECT_TRUE(SubnetContains(ten, Ip("10.0.0.0")));        // network and broadcast addresses
  EXPECT_TRUE(SubnetContains(ten, Ip("10.255.255.255")));  // belong to it, as in Ditto
  EXPECT_FALSE(SubnetContains(ten, Ip("11.0.0.1")));
  EXPECT_TRUE(SubnetContains(ParseSubnet("10.1.2.0/23").value(), Ip("10.1.2.3")));
  EXPECT_FALSE(SubnetContains(ParseSubnet("10.1.4.0/23").value(), Ip("10.1.2.3")));
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
  EXPECT_FALSE(SubnetContains(ula, Ip("10.1.2.3")));
  const Subnet v6 = ParseSubnet("2001:db8::/33").value();
  EXPECT_TRUE(SubnetContains(v6, Ip("2001:db8:7fff::1")));
  EXPECT_FALSE(SubnetContains(v6, Ip("2001:db8:8000::1")));
}

TEST(SubnetTest, RejectsMalformedCidr) {
  EXPECT_FALSE(ParseSubnet("10.0.0.0/33"));
  EXPECT_FALSE(ParseSubnet("::/129"));
  EXPECT_FALSE(ParseSubnet("10.0.0.0/"));
  EXPECT_FALSE(ParseSubnet("10.0.0.0/x"));
  EXPECT_FALSE(ParseSubnet("example.com/8"));  // literals only: a subnet is never resolved
  EXPECT_FALSE(ParseSubnet("example.com"));
}

TEST(AddressClassesTest, FollowJavaInetAddress) {
  EXPECT_TRUE(IsLoopback(Ip("127.0.0.1")));
  EXPECT_TRUE(IsLoopback(Ip("127.9.9.9")));
  EXPECT_TRUE(IsLoopback(Ip("::1")));
  EXPECT_TRUE(IsLoopback(Ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(IsLoopback(Ip("128.0.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("10.0.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("172.16.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("172.31.255.255")));
  EXPECT_FALSE(IsSiteLocal(Ip("172.32.0.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("192.168.1.1")));
  EXPECT_TRUE(IsSiteLocal(Ip("fec0::1")));
  EXPECT_FALSE(IsSiteLocal(Ip("fd00::1")));          // Java: ULA is not site-local
  EXPECT_FALSE(IsSiteLocal(Ip("169.254.169.254")));  // nor link-local
  EXPECT_TRUE(IsMulticast(Ip("224.0.0.1")));
  EXPECT_TRUE(IsMulticast(Ip("239.255.255.255")));
  EXPECT_TRUE(IsMulticast(Ip("ff02::1")));
  EXPECT_TRUE(IsWildcard(Ip("0.0.0.0")));
  EXPECT_TRUE(IsWildcard(Ip("::")));
  EXPECT_FALSE(IsWildcard(Ip("0.0.0.1")));
}

TEST(HostRulesTest, ListsAreTrimmedWithoutBlanks) {
  EXPECT_TRUE(SplitHostList("").empty());
  EXPECT_TRUE(SplitHostList(" , ,").empty());
  const HostRules rules = HostRulesFromConfig(" localhost , ,metadata.internal", "10.0.0.0/8,  fd00::/8 ",
                                              " .*\\.internal ", "");
  EXPECT_EQ(rules.blocked_hostnames, (std::vector<std::string>{"localhost", "metadata.internal"}));
  EXPECT_EQ(rules.blocked_subnets, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(rules.blocked_host_regex, ".*\\.internal");
  EXPECT_TRUE(rules.allowed_hostnames.empty());
}

HostPolicy Compile(const HostRules& rules, const HostResolver& resolver) {
  Result<HostPolicy> policy = HostPolicy::Compile(rules, resolver, 1'000'000);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return std::move(policy).value();
}

TEST(HostPolicyTest, NothingIsBlockedByDefault) {
  auto resolver = Resolver();
  // Ditto's defaults (REF §10): allowed "hono-endpoint", nothing blocked.
  const HostPolicy policy = Compile(HostRulesFromConfig("", "", "", "hono-endpoint"), *resolver);
  EXPECT_FALSE(policy.active());
  EXPECT_FALSE(policy.CheckHost("localhost", *resolver, 1'000'000));
  EXPECT_FALSE(policy.CheckHost("nowhere.invalid", *resolver, 1'000'000));
  EXPECT_FALSE(policy.CheckAddress(Ip("127.0.0.1")));
  EXPECT_TRUE(resolver->Lookups().empty());
}

TEST(HostPolicyTest, UnresolvableBlockedHostnamesLeaveRulesOff) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = {"nowhere.invalid", ""};
  EXPECT_FALSE(Compile(rules, *resolver).active());  // as Ditto: no blocked address, no blocking
  EXPECT_EQ(resolver->Lookups(), (std::vector<std::string>{"nowhere.invalid"}));
}

TEST(HostPolicyTest, DittoOrderAndReasons) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = {"blocked.example"};
  rules.blocked_subnets = {"100.64.0.0/10"};
  rules.blocked_host_regex = ".*\\.internal";
  rules.allowed_hostnames = {"loop.example", "x.internal"};
  const HostPolicy policy = Compile(rules, *resolver);
  ASSERT_TRUE(policy.active());
  const auto reason = [&](const char* host) {
    return policy.CheckHost(host, *resolver, 1'000'000).value_or("valid");
  };
  const std::string resolved = "the host is blocked: the hostname resolved to ";
  // Every address counts: one private address blocks a host that also has a public one.
  EXPECT_EQ(reason("private.example"), resolved + "a site local address (10.1.1.1).");
  EXPECT_EQ(reason("::ffff:127.0.0.1"), resolved + "a loopback address (127.0.0.1).");
  EXPECT_EQ(reason("db.internal"), kBlockedHostReason);
  EXPECT_EQ(resolver->LookupCount("db.internal"), 0);  // the regex needs no lookup
  EXPECT_EQ(reason("public.example"), "valid");
  EXPECT_EQ(reason("loop.example"), "valid");  // allowed wins over loopback...
  EXPECT_EQ(reason("x.internal"), "valid");    // ...and over the regex
  EXPECT_EQ(reason("yinternal"), "valid");     // the regex must match the whole host
  EXPECT_EQ(policy.CheckHostName("loop.example"), HostPolicy::NameVerdict::kAllowed);
  EXPECT_EQ(policy.CheckHostName("db.internal"), HostPolicy::NameVerdict::kBlocked);
  EXPECT_EQ(policy.CheckHostName("public.example"), HostPolicy::NameVerdict::kCheckAddresses);
}

TEST(HostPolicyTest, FirstBlockedSubnetInJavaHashOrderIsNamed) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = {"blocked.example"};
  rules.blocked_subnets = {"2001:db8::/32", "93.184.216.0/24", "93.184.0.0/16", "93.184.216.0/24"};
  const HostPolicy policy = Compile(rules, *resolver);
  // Ditto iterates a HashSet: there "93.184.0.0/16" comes before "93.184.216.0/24".
  EXPECT_EQ(policy.CheckAddress(Ip("93.184.216.35")),
            "the host is blocked: the hostname resolved to address 93.184.216.35 which resides in "
            "blocked subnet 93.184.0.0/16.");
  EXPECT_EQ(policy.CheckAddress(Ip("2001:db8::1")),
            "the host is blocked: the hostname resolved to address 2001:db8:0:0:0:0:0:1 which "
            "resides in blocked subnet 2001:db8::/32.");
}

TEST(HostPolicyTest, MalformedSubnetOrRegexIsRejected) {
  auto resolver = Resolver();
  HostRules subnet;
  subnet.blocked_subnets = {"10.0.0.0/99"};
  Result<HostPolicy> policy = HostPolicy::Compile(subnet, *resolver, 1'000'000);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().message(), "invalid blocked subnet '10.0.0.0/99'");
  HostRules regex;
  regex.blocked_host_regex = "([a-z";
  EXPECT_FALSE(HostPolicy::Compile(regex, *resolver, 1'000'000).ok());
  EXPECT_TRUE(resolver->Lookups().empty());
}

TEST(HostValidationTest, NothingBlockedNeverResolves) {
  auto resolver = Resolver();
  HostRules rules = HostRulesFromConfig("", "", "", "hono-endpoint");
  HostValidator validator(rules, resolver.get());
  EXPECT_FALSE(validator.Validate("localhost").has_value());
  EXPECT_FALSE(validator.Validate("unknown.invalid").has_value());
  EXPECT_TRUE(resolver->Lookups().empty());

  ValidationConfig config;
  config.host_resolver = resolver;
  ExpectValid(BaseConnectionOfType("amqp-091"), config);
  EXPECT_TRUE(resolver->Lookups().empty());
}

TEST(HostValidationTest, BlockedAddressesAndRanges) {
  auto resolver = Resolver();
  HostRules rules = HostRulesFromConfig("blocked.example,", "100.64.0.0/10", "", "");
  HostValidator validator(rules, resolver.get());
  const auto reason = [&](std::string_view host) {
    std::optional<DittoError> error = validator.Validate(host);
    if (!error) return std::string("valid");
    EXPECT_EQ(error->error, kConfigInvalid);
    EXPECT_EQ(error->description, kDescription);
    return error->message;
  };
  const std::string resolved = "the host is blocked: the hostname resolved to ";
  EXPECT_EQ(reason("public.example"), "valid");
  EXPECT_EQ(reason("localhost"), Message("localhost", resolved + "a loopback address (127.0.0.1)."));
  EXPECT_EQ(reason("[::1]"), Message("[::1]", resolved + "a loopback address (0:0:0:0:0:0:0:1)."));
  EXPECT_EQ(reason("lan.example"), Message("lan.example", resolved + "a site local address (192.168.1.10)."));
  EXPECT_EQ(reason("multicast.example"),
            Message("multicast.example", resolved + "a multicast address (224.0.0.1)."));
  EXPECT_EQ(reason("any.example"), Message("any.example", resolved + "a wildcard address (0.0.0.0)."));
  EXPECT_EQ(reason("blocked.example"),
            Message("blocked.example", resolved + "a blocked address (93.184.216.34)."));
  EXPECT_EQ(reason("internal.example"),
            Message("internal.example", resolved + "address 100.64.1.2 which resides in blocked subnet 100.64.0.0/10."));
  EXPECT_EQ(reason("unknown.invalid"),
            Message("unknown.invalid", "The configured host 'unknown.invalid' is invalid: The configured host "
                                       "'unknown.invalid' is invalid: unknown.invalid: Name or service not known"));
}

TEST(HostValidationTest, AllowedHostsAndRegex) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = {"blocked.example"};
  rules.allowed_hostnames = {"localhost"};
  rules.blocked_host_regex = ".*\\.forbidden";
  HostValidator validator(rules, resolver.get());
  EXPECT_FALSE(validator.Validate("localhost").has_value());
  std::optional<DittoError> error = validator.Validate("x.forbidden");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, Message("x.forbidden", "the host is blocked: the host is blocked."));
  EXPECT_TRUE(validator.Validate("x.forbidden.not").has_value());  // resolves to nothing: invalid
}

TEST(HostValidationTest, UnresolvableBlockedHostsBlockNothing) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = {"nowhere.invalid"};
  EXPECT_FALSE(HostValidator(rules, resolver.get()).Validate("localhost").has_value());
}

TEST(HostValidationTest, InvalidRulesRefuseEveryHost) {
  auto resolver = Resolver();
  const HostRules rules = HostRulesFromConfig("blocked.example", "10.0.0.0/99", "", "");
  HostValidator validator(rules, resolver.get());
  std::optional<DittoError> error = validator.Validate("public.example");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, Message("public.example", "the outbound host rules are invalid: invalid blocked "
                                                      "subnet '10.0.0.0/99'"));
  EXPECT_EQ(error->description, kDescription);
}

TEST(HostValidationTest, ConnectionHostSshTunnelAndTokenEndpoint) {
  auto resolver = Resolver();
  ValidationConfig config;
  config.host_resolver = resolver;
  config.hosts.blocked_hostnames = {"blocked.example"};
  const std::string loopback = "the host is blocked: the hostname resolved to a loopback address (127.0.0.1).";
  ExpectError(BaseConnectionOfType("amqp-091"), kConfigInvalid, Message("127.0.0.1", loopback), kDescription,
              config);
  ExpectValid(WithMember(BaseConnectionOfType("amqp-091"), "uri", R"("amqp://public.example:5672")"), config);
  // Hono's host is not checked.
  ExpectValid(BaseConnectionOfType("hono"), config);

  std::string tunnel = WithMember(BaseConnectionOfType("amqp-091"), "uri", R"("amqp://public.example:5672")");
  tunnel = WithMember(tunnel, "sshTunnel",
                      R"({"enabled":true,"credentials":{"type":"plain","username":"u","password":"p"},)"
                      R"("validateHost":false,"uri":"ssh://localhost:22"})");
  ExpectError(tunnel, kConfigInvalid,
              "The SSH server URI 'ssh://localhost:22' is not valid: " + Message("localhost", loopback),
              kDefaultDescription, config);

  std::string oauth = WithMember(BaseConnectionOfType("http-push"), "uri", R"("https://public.example:443")");
  oauth = WithMember(oauth, "credentials",
                     R"({"type":"oauth-client-credentials","tokenEndpoint":"https://lan.example/token",)"
                     R"("clientId":"c","clientSecret":"s","requestedScopes":"a"})");
  ExpectError(oauth, kConfigInvalid,
              Message("lan.example", "the host is blocked: the hostname resolved to a site local address (192.168.1.10)."),
              kDescription, config);
}

}  // namespace
}  // namespace connectivity::model
