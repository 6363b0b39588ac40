// Router without a service: the 503s while the service starts and while it stops.
#include "src/http/router.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace connectivity::http {
namespace {

HttpAnswer Answer(const Router& router, const std::string& method, const std::string& path) {
  HttpRequest request;
  request.method = method;
  request.path = path;
  request.headers["authorization"] = "Basic ZGV2b3BzOmZvb2Jhcg==";  // devops:foobar
  std::optional<HttpAnswer> answer;
  router.Handle(request, [&answer](HttpAnswer given) { answer = std::move(given); });
  EXPECT_TRUE(answer) << "no service attached: the router answers on the calling thread";
  return answer.value_or(HttpAnswer{});
}

TEST(RouterTest, SaysTheServiceIsStartingBeforeItIsAttached) {
  Router router{RouterConfig{}};
  const HttpAnswer api = Answer(router, "GET", "/api/2/connections");
  EXPECT_EQ(api.status, 503);
  EXPECT_NE(api.body.find("\"gateway:service.unavailable\""), std::string::npos) << api.body;
  EXPECT_NE(api.body.find("The service is starting"), std::string::npos) << api.body;
  const HttpAnswer health = Answer(router, "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, R"({"status":"DOWN","reason":"recovering the journal"})");
}

TEST(RouterTest, SaysTheServiceIsStoppingOnceDetached) {
  Router router{RouterConfig{}};
  router.Detach();
  const HttpAnswer api = Answer(router, "POST", "/devops/piggyback/connectivity");
  EXPECT_EQ(api.status, 503);
  EXPECT_NE(api.body.find("\"gateway:service.unavailable\""), std::string::npos) << api.body;
  EXPECT_NE(api.body.find("The service is stopping"), std::string::npos) << api.body;
  EXPECT_EQ(api.body.find("starting"), std::string::npos) << api.body;
  const HttpAnswer health = Answer(router, "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, R"({"status":"DOWN","reason":"stopping"})");
}

}  // namespace
}  // namespace connectivity::http
