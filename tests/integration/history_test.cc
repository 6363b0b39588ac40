// History against the real server (SPEC §4.2): the connection at every
// revision and at times between them, the events endpoint with paging,
// readable after a delete, through REST and piggyback headers.
#include <gtest/gtest.h>

#include "src/base/time_format.h"
#include "tests/integration/rest_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {
namespace {

class HistoryTest : public ServerTest {
 protected:
  // Creates "h", modifies it five times; remembers each answered state and time.
  void BuildHistory() {
    for (int version = 0; version < 6; ++version) {
      const std::string tags = R"(,"tags":["v)" + std::to_string(version) + "\"]";
      ASSERT_EQ(Rest(port(), "PUT", "/h", RestConnection("closed", tags)).status, version == 0 ? 201 : 204);
      const HttpResponse now = Rest(port(), "GET", "/h?fields=id,_revision,_modified,tags");
      states_.push_back(now.body);
      modified_.push_back(ParseIsoMicros(Json(now.body).String("/_modified").value()).value());
    }
  }
  std::vector<std::string> states_;
  std::vector<int64_t> modified_;
};

TEST_F(HistoryTest, EveryRevisionAnswersWhatWasAnsweredThen) {
  BuildHistory();
  for (size_t i = 0; i < states_.size(); ++i) {
    const HttpResponse then =
        Rest(port(), "GET", "/h?fields=id,_revision,_modified,tags&at-historical-revision=" + std::to_string(i + 1));
    EXPECT_EQ(then.status, 200) << i;
    EXPECT_EQ(then.body, states_[i]) << "revision " << i + 1;
  }
  for (const char* outside : {"0", "7", "1000"}) {
    const HttpResponse missing = Rest(port(), "GET", std::string("/h?at-historical-revision=") + outside);
    EXPECT_EQ(missing.status, 404) << outside;
    EXPECT_EQ(Json(missing.body).String("/error"), "connectivity:connection.history.notfound") << outside;
  }
  EXPECT_EQ(Json(Rest(port(), "GET", "/never?at-historical-revision=1").body).String("/error"),
            "connectivity:connection.notfound");
}

TEST_F(HistoryTest, TimestampsAreInclusiveAndBetweenEventsGiveTheEarlierState) {
  BuildHistory();
  for (size_t i = 0; i < states_.size(); ++i) {
    for (int64_t offset : {int64_t{0}, int64_t{1}}) {
      if (i + 1 < modified_.size() && modified_[i] + offset >= modified_[i + 1]) continue;
      const std::string at = FormatIsoMicros(modified_[i] + offset);
      const HttpResponse then = Rest(port(), "GET", "/h?fields=id,_revision,_modified,tags&at-historical-timestamp=" + at);
      EXPECT_EQ(then.body, states_[i]) << at;
    }
  }
  const HttpResponse before = Rest(port(), "GET", "/h?at-historical-timestamp=" + FormatIsoMicros(modified_[0] - 1));
  EXPECT_EQ(before.status, 404);
  EXPECT_EQ(Json(before.body).String("/error"), "connectivity:connection.history.notfound");
  EXPECT_EQ(Rest(port(), "GET", "/h?at-historical-timestamp=yesterday").status, 400);
}

TEST_F(HistoryTest, PiggybackRetrieveHonoursHistoricalHeaders) {
  BuildHistory();
  const std::string command = Command("connectivity.commands:retrieveConnection",
                                      R"("connectionId":"h","selectedFields":"id,_revision,_modified,tags")");
  EXPECT_EQ(Json(Send(command, R"({"aggregate":false,"at-historical-revision":"3"})").body).Raw("/connection"), states_[2]);
  EXPECT_EQ(Json(Send(command, R"({"aggregate":false,"at-historical-timestamp":")" + FormatIsoMicros(modified_[4]) + "\"}").body)
                .Raw("/connection"),
            states_[4]);
}

TEST_F(HistoryTest, EventsPageAndStayReadableAfterDelete) {
  BuildHistory();
  ASSERT_EQ(Rest(port(), "DELETE", "/h").status, 204);
  const Json all(Rest(port(), "GET", "/h/history").body);
  EXPECT_EQ(all.String("/0/type"), "connectivity.events:connectionCreated");
  EXPECT_EQ(all.String("/1/type"), "connectivity.events:connectionModified");
  EXPECT_EQ(all.String("/6/type"), "connectivity.events:connectionDeleted");
  EXPECT_FALSE(all.Has("/7"));
  EXPECT_EQ(all.Int("/3/revision"), 4);
  EXPECT_EQ(all.String("/3/connection/__lifecycle"), "ACTIVE");
  EXPECT_EQ(all.Int("/3/connection/_revision"), 4);
  EXPECT_EQ(all.Strings("/3/connection/tags"), std::vector<std::string>{"v3"});
  // Who made the change (the audit trail): BuildHistory's PUTs, by REST.
  EXPECT_EQ(all.String("/3/_metadata/audit/user"), "devops");
  EXPECT_EQ(all.String("/3/_metadata/audit/clientAddress"), "127.0.0.1");
  EXPECT_EQ(all.String("/3/_metadata/audit/route"), "rest");
  // Paging: two at a time from the last revision + 1.
  std::vector<int64_t> revisions;
  for (int64_t from = 1; from <= 7;) {
    const Json page(Rest(port(), "GET", "/h/history?limit=2&from-revision=" + std::to_string(from)).body);
    ASSERT_TRUE(page.Has("/0")) << from;
    for (int i = 0; i < 2 && page.Has("/" + std::to_string(i)); ++i) revisions.push_back(*page.Int("/" + std::to_string(i) + "/revision"));
    from = revisions.back() + 1;
  }
  EXPECT_EQ(revisions, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Json(Rest(port(), "GET", "/h/history?from-revision=2&to-revision=3").body).Int("/1/revision"), 3);
  EXPECT_EQ(Rest(port(), "GET", "/h/history?limit=1001").status, 400);
  EXPECT_EQ(Json(Rest(port(), "GET", "/never/history").body).String("/error"), "connectivity:connection.notfound");
}

}  // namespace
}  // namespace connectivity::testing
