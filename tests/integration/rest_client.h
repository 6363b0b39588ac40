// REST helpers for integration tests: requests to /api/2/connections.
#ifndef CONNECTIVITY_TESTS_INTEGRATION_REST_CLIENT_H_
#define CONNECTIVITY_TESTS_INTEGRATION_REST_CLIENT_H_

#include <string>
#include <vector>

#include "tests/integration/http_client.h"
#include "tests/integration/server_fixture.h"

namespace connectivity::testing {

inline HttpResponse Rest(uint16_t port, const std::string& method, const std::string& path,
                         const std::string& body = "", std::vector<std::string> headers = {},
                         const std::string& content_type = "application/json") {
  HttpRequestSpec spec;
  spec.method = method;
  spec.path = "/api/2/connections" + path;
  spec.body = body;
  spec.headers = std::move(headers);
  if (!body.empty() || method == "POST" || method == "PUT") spec.headers.push_back("Content-Type: " + content_type);
  return Fetch(port, spec);
}

// A connection body for the REST API (no id), to the local Mosquitto.
inline std::string RestConnection(const std::string& status = "closed", const std::string& extra = "") {
  return R"({"connectionType":"mqtt","connectionStatus":")" + status + R"(","uri":")" + MqttUri() +
         R"(","sources":[{"addresses":["devices/#"],"qos":1,)"
         R"("authorizationContext":["ditto:inbound"]}],"targets":[{"address":"out/{{ thing:id }}",)"
         R"("topics":["_/_/things/twin/events"],"qos":0,"authorizationContext":["ditto:outbound"]}])" +
         extra + "}";
}

}  // namespace connectivity::testing

#endif  // CONNECTIVITY_TESTS_INTEGRATION_REST_CLIENT_H_
