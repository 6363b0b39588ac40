// Test fixtures: files under tests/fixtures/ and the expectations of the connection examples.
//
// tests/fixtures/connection-examples/ holds copies of the reference connection examples (a user's
// clone has no ../shared) and expectations.tsv: a header row `file status error send layer`, then
// one tab-separated row per example file:
//   status  HTTP status of this service's answer (201 = created);
//   error   the expected error code, or "-";
//   send    "post" (POST /api/2/connections, body without id) or "piggyback"
//           (connectivity.commands:createConnection, body with id);
//   layer   "model" (REF §4.1, found by ParseConnection), "service" (REF §4.2, found by
//           ValidateConnection or later rules) or "valid".
// The examples name public hosts: send them through RewriteHostsToLoopback (host_rewrite.h).
#ifndef CONNECTIVITY_TESTS_SUPPORT_FIXTURES_H_
#define CONNECTIVITY_TESTS_SUPPORT_FIXTURES_H_

#include <string>
#include <string_view>
#include <vector>

namespace connectivity::test_support {

// The contents of tests/fixtures/<relative_path>. Aborts with a message naming the path if the
// file cannot be read: a missing fixture is a broken checkout, not a test result.
std::string ReadFixture(std::string_view relative_path);

struct FixtureExpectation {
  std::string file;    // e.g. "valid-mqtt-docs-example.json"
  int status = 0;      // e.g. 201, 400, 409
  std::string error;   // e.g. "json.field.missing"; "-" for none
  std::string send;    // "post" or "piggyback"
  std::string layer;   // "model", "service" or "valid"

  // Relative path for ReadFixture().
  std::string Path() const { return "connection-examples/" + file; }
  bool IsValid() const { return layer == "valid"; }
};

// The rows of tests/fixtures/connection-examples/expectations.tsv, in file order.
std::vector<FixtureExpectation> ReadFixtureExpectations();

}  // namespace connectivity::test_support

#endif  // CONNECTIVITY_TESTS_SUPPORT_FIXTURES_H_
