// Moving a single-node installation into a cluster (SPEC §8): export from
// the RocksDB data dir, import into an empty etcd journal, and the instances
// serve the same history, revisions and timestamps; journal-replay reads
// the etcd journal too.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/cluster/cluster_env.h"

namespace connectivity::testing {
namespace {

// Runs build/journal-replay with `arguments`; returns the exit status and the output.
int JournalReplay(const std::string& arguments, std::string* output) {
  const std::string command = std::string(CONNECTIVITY_BINARY_DIR) + "/journal-replay " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer;
  output->clear();
  while (size_t read = fread(buffer.data(), 1, buffer.size(), pipe)) output->append(buffer.data(), read);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MigrationTest, ExportFromRocksDbImportIntoEtcdKeepsRevisionsAndTimestamps) {
  TempDir work;
  std::string single_history;
  {
    ServerOptions options;
    options.data_dir = work.path() + "/single";
    ServerProcess single(options);
    ASSERT_TRUE(single.ok()) << single.log();
    HttpRequestSpec put;
    put.method = "PUT";
    put.headers = {"Content-Type: application/json"};
    for (int i = 0; i < 5; ++i) {
      put.path = "/api/2/connections/move-" + std::to_string(i);
      put.body = ClosedConnection("first/#");
      ASSERT_EQ(Fetch(single.port(), put).status, 201);
      put.body = ClosedConnection("second/#");
      ASSERT_EQ(Fetch(single.port(), put).status, 204);
    }
    HttpRequestSpec remove;
    remove.method = "DELETE";
    remove.path = "/api/2/connections/move-4";
    ASSERT_EQ(Fetch(single.port(), remove).status, 204);
    HttpRequestSpec history;
    history.path = "/api/2/connections/move-1/history";
    single_history = Fetch(single.port(), history).body;
    ASSERT_EQ(single.Stop(SIGTERM), 0);
  }
  std::string out;
  ASSERT_EQ(JournalReplay("--data-dir " + work.path() + "/single export --output " + work.path() + "/a.jsonl", &out), 0) << out;

  ClusterEnv cluster(1, 0);
  ASSERT_TRUE(cluster.members().ok());
  const std::string uri = cluster.members().uri();
  ASSERT_EQ(JournalReplay("--journal " + uri + " import --input " + work.path() + "/a.jsonl", &out), 0) << out;
  EXPECT_NE(out.find("imported 11 events"), std::string::npos) << out;
  // A second import into a journal that is not empty is refused.
  EXPECT_EQ(JournalReplay("--journal " + uri + " import --input " + work.path() + "/a.jsonl", &out), 2) << out;
  ASSERT_EQ(JournalReplay("--journal " + uri + " export --output " + work.path() + "/b.jsonl", &out), 0) << out;
  EXPECT_EQ(ReadFile(work.path() + "/a.jsonl"), ReadFile(work.path() + "/b.jsonl"));
  ASSERT_EQ(JournalReplay("--journal " + uri + " stats --json", &out), 0) << out;
  EXPECT_NE(out.find("\"events\":11"), std::string::npos) << out;

  // Instances on the imported journal serve the same history.
  cluster.AddInstance();
  ASSERT_TRUE(cluster.ok()) << cluster.logs();
  EXPECT_EQ(cluster.Rest(0, "GET", "/move-1/history").body, single_history);
  EXPECT_EQ(cluster.Rest(0, "GET", "/move-4").status, 404);
  HttpResponse modified = cluster.Rest(0, "PUT", "/move-1", ClosedConnection("third/#"));
  EXPECT_EQ(modified.status, 204) << modified.body;
  EXPECT_EQ(cluster.Rest(0, "GET", "/move-1").Header("etag"), "\"rev:3\"");
  // Re-creating the deleted one continues its revisions.
  EXPECT_EQ(cluster.Rest(0, "PUT", "/move-4", ClosedConnection()).status, 201);
  EXPECT_EQ(cluster.Rest(0, "GET", "/move-4").Header("etag"), "\"rev:4\"");
}

}  // namespace
}  // namespace connectivity::testing
