// The payload's audit section (event_payload.h): it round-trips, payloads
// written before the audit trail read as before (no origin, `_metadata`
// null), Apply folds only the body and refuses a malformed section, and the
// event JSON shows the origin as `_metadata`.
#include "src/projector/event_payload.h"

#include <gtest/gtest.h>

#include "src/projector/apply.h"
#include "src/projector/event_json.h"
#include "tests/projector/projector_test_util.h"

namespace connectivity::projector {
namespace {

using testing::CanonicalJson;
using testing::MakeEvent;

RequestOrigin Devops() { return RequestOrigin{"devops", "127.0.0.1", "corr-1", std::string(kRouteRest)}; }

std::string WithAudit(std::string body, const RequestOrigin& origin) {
  AppendAudit(origin, body);
  return body;
}

TEST(EventPayloadTest, AuditRoundTripsAndLeavesTheBodyAsItWas) {
  const std::string body = CanonicalJson("c1", "closed");
  const std::string payload = WithAudit(body, Devops());
  EXPECT_EQ(PayloadBody(payload), body);
  EXPECT_EQ(PayloadAudit(payload).size(), payload.size() - body.size());
  EXPECT_TRUE(AuditWellFormed(payload));
  Result<std::optional<RequestOrigin>> origin = PayloadOrigin(payload);
  ASSERT_TRUE(origin.ok()) << origin.status().ToString();
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ(**origin, Devops());
}

TEST(EventPayloadTest, EmptyBodyAndEmptyFieldsRoundTrip) {
  const RequestOrigin anonymous{"", "", "x", std::string(kRoutePiggyback)};
  const std::string payload = WithAudit("", anonymous);
  EXPECT_EQ(PayloadBody(payload), "");
  Result<std::optional<RequestOrigin>> origin = PayloadOrigin(payload);
  ASSERT_TRUE(origin.ok());
  ASSERT_TRUE(origin->has_value());
  EXPECT_EQ(**origin, anonymous);
}

TEST(EventPayloadTest, PayloadsWithoutAuditHaveNoOrigin) {
  for (const std::string& payload : {std::string(), CanonicalJson("c1", "open")}) {
    EXPECT_EQ(PayloadBody(payload), payload);
    EXPECT_EQ(PayloadAudit(payload), "");
    EXPECT_TRUE(AuditWellFormed(payload));
    Result<std::optional<RequestOrigin>> origin = PayloadOrigin(payload);
    ASSERT_TRUE(origin.ok());
    EXPECT_FALSE(origin->has_value());
  }
}

TEST(EventPayloadTest, MalformedAuditIsCorruption) {
  const std::string body = CanonicalJson("c1", "closed");
  const std::string good = WithAudit(body, Devops());
  std::vector<std::string> bad = {
      good.substr(0, good.size() - 1),  // truncated route
      good + "x",                       // trailing byte
      body + std::string(1, '\0'),      // marker only
  };
  std::string other_version = good;
  other_version[body.size() + 1] = 2;
  bad.push_back(other_version);
  for (const std::string& payload : bad) {
    EXPECT_FALSE(AuditWellFormed(payload));
    EXPECT_TRUE(PayloadOrigin(payload).status().IsCorruption());
    ConnectionState state;
    EXPECT_TRUE(Apply(state, MakeEvent("c1", 1, EventType::kCreated, 1000, payload)).IsCorruption());
    EXPECT_EQ(state, ConnectionState{});
  }
}

TEST(EventPayloadTest, ApplyFoldsTheBodyOnlyAndOldPayloadsTheSame) {
  ConnectionState with_audit;
  ConnectionState without;
  const std::vector<std::pair<EventType, std::string>> events = {
      {EventType::kCreated, CanonicalJson("c1", "closed")},
      {EventType::kModified, CanonicalJson("c1", "closed", "[\"t\"]")},
      {EventType::kOpened, ""},
      {EventType::kClosed, ""},
      {EventType::kDeleted, ""}};
  uint64_t revision = 0;
  for (const auto& [type, body] : events) {
    ++revision;
    const int64_t time = static_cast<int64_t>(revision) * 1000;
    ASSERT_TRUE(Apply(with_audit, MakeEvent("c1", revision, type, time, WithAudit(body, Devops()))).ok());
    ASSERT_TRUE(Apply(without, MakeEvent("c1", revision, type, time, body)).ok());
    EXPECT_EQ(with_audit, without) << "revision " << revision;
  }
  EXPECT_EQ(with_audit.json.find('\0'), std::string::npos);
}

TEST(EventPayloadTest, EventJsonShowsTheAuditAsMetadata) {
  ConnectionState state;
  const journal::Event created =
      MakeEvent("c1", 1, EventType::kCreated, 1000, WithAudit(CanonicalJson("c1", "closed"), Devops()));
  ASSERT_TRUE(Apply(state, created).ok());
  const std::string json = DittoEventJson(created, state);
  EXPECT_NE(json.find(R"("_metadata":{"audit":{"user":"devops","clientAddress":"127.0.0.1",)"
                      R"("correlationId":"corr-1","route":"rest"}},"revision":1,)"),
            std::string::npos)
      << json;

  const journal::Event opened = MakeEvent("c1", 2, EventType::kOpened, 2000,
                                          WithAudit("", RequestOrigin{"", "", "c\"2", std::string(kRoutePiggyback)}));
  ASSERT_TRUE(Apply(state, opened).ok());
  EXPECT_NE(DittoEventJson(opened, state).find(R"("_metadata":{"audit":{"user":null,"clientAddress":null,)"
                                               R"("correlationId":"c\"2","route":"piggyback"}})"),
            std::string::npos)
      << DittoEventJson(opened, state);

  const journal::Event old = MakeEvent("c1", 3, EventType::kClosed, 3000);
  ASSERT_TRUE(Apply(state, old).ok());
  EXPECT_NE(DittoEventJson(old, state).find(R"("_metadata":null,)"), std::string::npos);
}

}  // namespace
}  // namespace connectivity::projector
