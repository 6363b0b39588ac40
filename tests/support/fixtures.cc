#include "tests/support/fixtures.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace connectivity::test_support {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "test fixtures: %s\n", message.c_str());
  std::abort();
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

std::string ReadFixture(std::string_view relative_path) {
  const std::string path =
      std::string(CONNECTIVITY_SOURCE_DIR) + "/tests/fixtures/" + std::string(relative_path);
  std::ifstream file(path, std::ios::binary);
  if (!file) Fail("cannot read " + path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

std::vector<FixtureExpectation> ReadFixtureExpectations() {
  std::istringstream lines(ReadFixture("connection-examples/expectations.tsv"));
  std::vector<FixtureExpectation> expectations;
  std::string line;
  bool header = true;
  while (std::getline(lines, line)) {
    if (header) {  // "file status error send layer"
      header = false;
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() != 5) Fail("expectations.tsv: expected 5 fields in: " + line);
    FixtureExpectation expectation;
    expectation.file = fields[0];
    expectation.status = std::atoi(fields[1].c_str());
    expectation.error = fields[2];
    expectation.send = fields[3];
    expectation.layer = fields[4];
    if (expectation.status < 200 || expectation.status > 599) Fail("bad status in: " + line);
    expectations.push_back(std::move(expectation));
  }
  return expectations;
}

}  // namespace connectivity::test_support
