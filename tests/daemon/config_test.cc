// Server configuration (SPEC §3): defaults, environment, flags winning over
// the environment, and one-line errors naming the flag or variable.
#include "src/daemon/config.h"

#include <gtest/gtest.h>

#include <map>

namespace connectivity::daemon {
namespace {

std::variant<Config, HelpRequested, std::string> Parse(std::vector<const char*> args,
                                                       std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "connectivityd");
  return ParseConfig(static_cast<int>(args.size()), args.data(), [&env](const char* name) {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

TEST(ConfigTest, Defaults) {
  const auto parsed = Parse({});
  ASSERT_TRUE(std::holds_alternative<Config>(parsed));
  const Config& config = std::get<Config>(parsed);
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8080);
  EXPECT_EQ(config.data_dir, "./data");
  EXPECT_GE(config.threads, 1);
  EXPECT_EQ(config.devops_password, "foobar");
  EXPECT_TRUE(config.devops_secured);
  EXPECT_EQ(config.instance, "0");
  EXPECT_FALSE(config.piggyback_ditto2);
  EXPECT_EQ(config.body_bytes_max, 1048576u);
  EXPECT_FALSE(config.cors_allow_origin.has_value());
  EXPECT_EQ(config.sources_max, 4u);
  EXPECT_EQ(config.logger_log_duration_us, 3600LL * 1000000);
}

TEST(ConfigTest, EnvironmentAndFlagsWithFlagsWinning) {
  const auto parsed = Parse({"--listen", "127.0.0.1:9000", "--instance=7"},
                            {{"CONNECTIVITY_LISTEN", "127.0.0.1:1"}, {"INSTANCE_INDEX", "3"},
                             {"CONNECTIVITY_DATA_DIR", "/tmp/x"}, {"DEVOPS_SECURED", "false"},
                             {"CONNECTIVITY_LOGGER_LOG_DURATION", "500ms"}, {"CONNECTION_SOURCE_NUMBER", "6"}});
  ASSERT_TRUE(std::holds_alternative<Config>(parsed)) << std::get<std::string>(parsed);
  const Config& config = std::get<Config>(parsed);
  EXPECT_EQ(config.listen_port, 9000);
  EXPECT_EQ(config.instance, "7");
  EXPECT_EQ(config.data_dir, "/tmp/x");
  EXPECT_FALSE(config.devops_secured);
  EXPECT_EQ(config.logger_log_duration_us, 500000);
  EXPECT_EQ(config.sources_max, 6u);
}

TEST(ConfigTest, ErrorsNameTheFlagOrVariable) {
  const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
      {{"--nope"}, "unknown flag '--nope'"},
      {{"--listen", "nohostport"}, "--listen must be HOST:PORT"},
      {{"--listen", "127.0.0.1:99999"}, "--listen has an invalid port"},
      {{"--threads", "0"}, "--threads must be an integer from 1 to 1024"},
      {{"--data-dir"}, "--data-dir needs a value"},
  };
  for (const auto& [args, expected] : cases) {
    const auto parsed = Parse(args);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << expected;
    EXPECT_EQ(std::get<std::string>(parsed).rfind(expected, 0), 0u) << std::get<std::string>(parsed);
  }
  const auto bad_env = Parse({}, {{"CONNECTIVITY_LOGGER_LOG_DURATION", "forever"}});
  ASSERT_TRUE(std::holds_alternative<std::string>(bad_env));
  EXPECT_EQ(std::get<std::string>(bad_env).rfind("CONNECTIVITY_LOGGER_LOG_DURATION must be a duration", 0), 0u);
}

TEST(ConfigTest, ClusterModeFlags) {
  const auto defaults = Parse({});
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_TRUE(std::get<Config>(defaults).journal_uri.empty());
  EXPECT_TRUE(std::get<Config>(defaults).cluster_reads_linearizable);
  EXPECT_EQ(std::get<Config>(defaults).cluster_lease_ttl_us, 10'000'000);
  EXPECT_EQ(std::get<Config>(defaults).cluster_request_bytes_max, 1572864u);
  const auto parsed = Parse({"--journal", "etcd://127.0.0.1:2379,127.0.0.1:2380", "--cluster-reads", "local",
                             "--cluster-lease-ttl", "4s"},
                            {{"CONNECTIVITY_CLUSTER_REQUEST_TIMEOUT", "2s"}});
  ASSERT_TRUE(std::holds_alternative<Config>(parsed)) << std::get<std::string>(parsed);
  const Config& config = std::get<Config>(parsed);
  EXPECT_EQ(config.journal_uri, "etcd://127.0.0.1:2379,127.0.0.1:2380");
  EXPECT_FALSE(config.cluster_reads_linearizable);
  EXPECT_EQ(config.cluster_lease_ttl_us, 4'000'000);
  EXPECT_EQ(config.cluster_request_timeout_us, 2'000'000);
  const auto bad_uri = Parse({"--journal", "http://127.0.0.1:2379"});
  ASSERT_TRUE(std::holds_alternative<std::string>(bad_uri));
  EXPECT_EQ(std::get<std::string>(bad_uri).rfind("--journal ", 0), 0u) << std::get<std::string>(bad_uri);
  const auto short_lease = Parse({"--cluster-lease-ttl", "1s"});
  ASSERT_TRUE(std::holds_alternative<std::string>(short_lease));
  EXPECT_NE(std::get<std::string>(short_lease).find("at least 2s"), std::string::npos);
  const auto bad_reads = Parse({}, {{"CONNECTIVITY_CLUSTER_READS", "eventual"}});
  ASSERT_TRUE(std::holds_alternative<std::string>(bad_reads));
  EXPECT_EQ(std::get<std::string>(bad_reads).rfind("CONNECTIVITY_CLUSTER_READS ", 0), 0u);
}

TEST(ConfigTest, HelpIsRecognisedAndUsageListsEveryFlag) {
  EXPECT_TRUE(std::holds_alternative<HelpRequested>(Parse({"--help"})));
  const std::string usage = UsageText();
  for (const char* flag : {"--listen", "--data-dir", "--threads", "--instance", "--piggyback-compat",
                           "--max-body-bytes", "--cors-allow-origin", "DEVOPS_PASSWORD"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace connectivity::daemon
