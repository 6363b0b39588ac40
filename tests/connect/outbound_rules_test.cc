// The outbound host rules at connect time (the rules themselves are tested with the model, in
// tests/model/host_validation_test.cc): OutboundPolicy::Check resolves once and hands back only
// checked addresses, never resolves a host the regex blocks, turns lookup failures into timeout /
// unresolvable failures, and fails closed on rules that do not compile. SystemResolver serves the
// validation too (the daemon injects it into ValidationConfig).
#include "src/connect/outbound_rules.h"

#include <gtest/gtest.h>

#include "src/connect/resolver.h"
#include "tests/model/fake_host_resolver.h"

namespace connectivity::connect {
namespace {

constexpr int64_t kBoundUs = 1'000'000;

class OutboundPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resolver_.Set("localhost", {"127.0.0.1", "::1"});
    resolver_.Set("broker.example", {"203.0.113.10", "2001:db8::10"});
    resolver_.Set("private.example", {"203.0.113.11", "10.1.1.1"});
    resolver_.Set("bad.example", {"198.51.100.66"});
    resolver_.Set("loop.example", {"127.0.0.2"});
    resolver_.SetTimeout("slow.example");
  }
  CheckedAddresses Check(const OutboundPolicy& policy, const char* host) {
    return policy.Check(host, resolver_, SteadyMicros() + kBoundUs);
  }
  static model::HostRules Rules() {
    model::HostRules rules;
    rules.blocked_hostnames = {"bad.example"};
    rules.blocked_host_regex = ".*\\.internal";
    rules.allowed_hostnames = {"loop.example"};
    return rules;
  }
  static std::vector<IpAddress> Ips(std::vector<const char*> texts) {
    std::vector<IpAddress> addresses;
    for (const char* text : texts) addresses.push_back(ParseIpAddress(text).value());
    return addresses;
  }
  model::testing::FakeHostResolver resolver_;
};

TEST_F(OutboundPolicyTest, NothingBlockedStillResolvesForTheClient) {
  const OutboundPolicy policy = OutboundPolicy::Compile({}, resolver_);
  EXPECT_TRUE(resolver_.Lookups().empty());  // no blocked hostname: nothing to resolve
  const CheckedAddresses checked = Check(policy, "localhost");
  EXPECT_EQ(checked.failure, FailureKind::kNone) << checked.detail;
  EXPECT_EQ(checked.addresses, Ips({"127.0.0.1", "::1"}));
}

TEST_F(OutboundPolicyTest, CheckedAddressesInResolverOrder) {
  const OutboundPolicy policy = OutboundPolicy::Compile(Rules(), resolver_);
  EXPECT_EQ(resolver_.LookupCount("bad.example"), 1);  // resolved once, at compile time
  const CheckedAddresses checked = Check(policy, "broker.example");
  EXPECT_EQ(checked.failure, FailureKind::kNone) << checked.detail;
  EXPECT_EQ(checked.addresses, Ips({"203.0.113.10", "2001:db8::10"}));
  EXPECT_EQ(resolver_.LookupCount("broker.example"), 1);
  EXPECT_EQ(resolver_.LookupCount("bad.example"), 1);
}

TEST_F(OutboundPolicyTest, AllowedHostIsResolvedButNotChecked) {
  const OutboundPolicy policy = OutboundPolicy::Compile(Rules(), resolver_);
  const CheckedAddresses checked = Check(policy, "loop.example");
  EXPECT_EQ(checked.failure, FailureKind::kNone) << checked.detail;
  EXPECT_EQ(checked.addresses, Ips({"127.0.0.2"}));
}

TEST_F(OutboundPolicyTest, OneBlockedAddressBlocksTheHost) {
  const OutboundPolicy policy = OutboundPolicy::Compile(Rules(), resolver_);
  const CheckedAddresses checked = Check(policy, "private.example");
  EXPECT_EQ(checked.failure, FailureKind::kBlockedHost);
  EXPECT_TRUE(checked.addresses.empty());
  EXPECT_EQ(checked.detail,
            "The configured host 'private.example' may not be used for the connection because the "
            "host is blocked: the hostname resolved to a site local address (10.1.1.1).");
  EXPECT_EQ(Check(policy, "bad.example").failure, FailureKind::kBlockedHost);
}

TEST_F(OutboundPolicyTest, RegexBlockedHostIsNeverResolved) {
  const OutboundPolicy policy = OutboundPolicy::Compile(Rules(), resolver_);
  const CheckedAddresses checked = Check(policy, "db.internal");
  EXPECT_EQ(checked.failure, FailureKind::kBlockedHost);
  EXPECT_EQ(checked.detail,
            "The configured host 'db.internal' may not be used for the connection because the host "
            "is blocked: the host is blocked.");
  EXPECT_EQ(resolver_.LookupCount("db.internal"), 0);
}

TEST_F(OutboundPolicyTest, LookupFailuresAreConnectFailures) {
  const OutboundPolicy policy = OutboundPolicy::Compile(Rules(), resolver_);
  const CheckedAddresses unknown = Check(policy, "nowhere.example");
  EXPECT_EQ(unknown.failure, FailureKind::kUnresolvable);
  EXPECT_EQ(unknown.detail, "nowhere.example: Name or service not known");
  const CheckedAddresses slow = Check(policy, "slow.example");
  EXPECT_EQ(slow.failure, FailureKind::kTimeout);
  EXPECT_EQ(slow.detail, "slow.example: name resolution timed out");
}

TEST_F(OutboundPolicyTest, InvalidRulesFailClosedWithoutLookups) {
  model::HostRules rules;  // inactive, but a typo must not pass unnoticed
  rules.blocked_subnets = {"10.0.0.0/99"};
  const OutboundPolicy policy = OutboundPolicy::Compile(rules, resolver_);
  const CheckedAddresses checked = Check(policy, "broker.example");
  EXPECT_EQ(checked.failure, FailureKind::kBlockedHost);
  EXPECT_EQ(checked.detail,
            "The configured host 'broker.example' may not be used for the connection because the "
            "outbound host rules are invalid: invalid blocked subnet '10.0.0.0/99'");
  rules.blocked_subnets.clear();
  rules.blocked_host_regex = "([a-z";
  EXPECT_EQ(Check(OutboundPolicy::Compile(rules, resolver_), "broker.example").failure,
            FailureKind::kBlockedHost);
  EXPECT_TRUE(resolver_.Lookups().empty());
}

TEST(SystemResolverTest, LiteralsWithoutLookupAndLocalhostWithinTheBound) {
  const SystemResolver& resolver = *SystemResolver::Instance();
  Result<std::vector<IpAddress>> literal = resolver.Resolve("[::ffff:10.0.0.1]", 0);
  ASSERT_TRUE(literal.ok()) << literal.status().ToString();
  EXPECT_EQ(*literal, std::vector{ParseIpAddress("10.0.0.1").value()});
  EXPECT_TRUE(resolver.Resolve("", kBoundUs).status().IsNotFound());
  Result<std::vector<IpAddress>> localhost = resolver.Resolve("localhost", 5 * kBoundUs);
  ASSERT_TRUE(localhost.ok()) << localhost.status().ToString();  // /etc/hosts, not DNS
  for (const IpAddress& address : *localhost) EXPECT_TRUE(model::IsLoopback(address));
}

TEST(SystemResolverTest, ServesTheValidation) {
  model::HostRules rules;
  rules.blocked_hostnames = {"localhost"};
  const model::HostValidator validator(rules, SystemResolver::Instance().get());
  std::optional<model::DittoError> error = validator.Validate("127.0.0.1");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message,
            "The configured host '127.0.0.1' may not be used for the connection because the host is "
            "blocked: the hostname resolved to a loopback address (127.0.0.1).");
}

}  // namespace
}  // namespace connectivity::connect
