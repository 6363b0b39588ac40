// Goal: item 7 of REF §4.2 (and the hosts of SSH tunnels and OAuth token endpoints): with nothing
// blocked no name is ever resolved and every host passes; with blocked hosts, loopback,
// site-local, multicast, wildcard, blocked and blocked-subnet addresses, the blocked regex and
// unresolvable hosts are rejected with Ditto's messages, allowed hosts pass, hono is skipped.
// Method: a fake HostResolver that records every lookup; never DNS.
#include "src/model/host_validation.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "tests/model/validation_test_util.h"

namespace connectivity::model {
namespace {

class FakeResolver final : public HostResolver {
 public:
  explicit FakeResolver(std::map<std::string, std::vector<std::string>> names) : names_(std::move(names)) {}

  std::variant<std::vector<IpAddress>, std::string> Resolve(std::string_view host) const override {
    std::lock_guard lock(mutex_);
    lookups_.emplace_back(host);
    if (auto literal = ParseIpAddress(host)) return std::vector<IpAddress>{*literal};
    auto it = names_.find(std::string(host));
    if (it == names_.end()) return std::string(host) + ": Name or service not known";
    std::vector<IpAddress> addresses;
    for (const std::string& text : it->second) addresses.push_back(*ParseIpAddress(text));
    return addresses;
  }
  std::vector<std::string> Lookups() const {
    std::lock_guard lock(mutex_);
    return lookups_;
  }

 private:
  std::map<std::string, std::vector<std::string>> names_;
  mutable std::mutex mutex_;
  mutable std::vector<std::string> lookups_;
};

const std::string kDescription =
    "The host is blocked or resolves to a forbidden address. If the host is valid, add it to the "
    "allowed hostnames configuration.";

std::shared_ptr<FakeResolver> Resolver() {
  return std::make_shared<FakeResolver>(std::map<std::string, std::vector<std::string>>{
      {"localhost", {"127.0.0.1", "::1"}},
      {"blocked.example", {"93.184.216.34"}},
      {"public.example", {"93.184.216.35"}},
      {"lan.example", {"192.168.1.10"}},
      {"internal.example", {"100.64.1.2"}},
      {"multicast.example", {"224.0.0.1"}},
      {"any.example", {"0.0.0.0"}},
  });
}

std::string Message(std::string_view host, std::string_view reason) {
  return "The configured host '" + std::string(host) + "' may not be used for the connection because " +
         std::string(reason);
}

TEST(HostValidationTest, NothingBlockedNeverResolves) {
  auto resolver = Resolver();
  HostRules rules;
  rules.blocked_hostnames = SplitHostList("");  // Ditto reads "" as one empty entry
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
  HostRules rules;
  rules.blocked_hostnames = SplitHostList("blocked.example,");
  rules.blocked_subnets = SplitHostList("100.64.0.0/10");
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

TEST(HostValidationTest, SubnetMatching) {
  auto resolver = Resolver();
  const IpAddress address = *ParseIpAddress("10.1.2.3");
  EXPECT_TRUE(SubnetContains("10.0.0.0/8", address, *resolver));
  EXPECT_TRUE(SubnetContains("10.1.2.3", address, *resolver));
  EXPECT_TRUE(SubnetContains("10.1.2.0/23", address, *resolver));
  EXPECT_FALSE(SubnetContains("10.1.4.0/23", address, *resolver));
  EXPECT_FALSE(SubnetContains("fd00::/8", address, *resolver));
  EXPECT_FALSE(SubnetContains("10.0.0.0/33", address, *resolver));
  EXPECT_FALSE(SubnetContains("10.0.0.0/x", address, *resolver));
  EXPECT_TRUE(SubnetContains("fd00::/8", *ParseIpAddress("fd12::1"), *resolver));
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
