// The limits of issue 11 as flags and environment variables (SPEC §3, §5): defaults, both ways to
// set them, flags winning, bad values refused with the flag's name, and every one in --help.
#include <gtest/gtest.h>

#include <map>

#include "src/daemon/config.h"

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

TEST(LimitsConfigTest, Defaults) {
  const auto parsed = Parse({});
  ASSERT_TRUE(std::holds_alternative<Config>(parsed));
  const Config& config = std::get<Config>(parsed);
  EXPECT_EQ(config.connections_max, 10000u);
  EXPECT_EQ(config.header_bytes_max, 8192u);
  EXPECT_EQ(config.request_line_bytes_max, 8192u);
  EXPECT_EQ(config.idle_timeout_us, 60'000'000);
  EXPECT_EQ(config.header_timeout_us, 10'000'000);
  EXPECT_EQ(config.body_timeout_us, 30'000'000);
  EXPECT_EQ(config.queued_commands_max, 256u);
}

TEST(LimitsConfigTest, FlagsAndEnvironmentWithFlagsWinning) {
  const auto parsed = Parse({"--max-connections", "50", "--idle-timeout=5s", "--max-queued-commands", "3"},
                            {{"CONNECTIVITY_MAX_CONNECTIONS", "7"}, {"CONNECTIVITY_MAX_HEADER_BYTES", "4096"},
                             {"CONNECTIVITY_MAX_REQUEST_LINE_BYTES", "2048"}, {"CONNECTIVITY_HEADER_TIMEOUT", "500ms"},
                             {"CONNECTIVITY_BODY_TIMEOUT", "1m"}, {"CONNECTIVITY_IDLE_TIMEOUT", "1h"}});
  ASSERT_TRUE(std::holds_alternative<Config>(parsed)) << std::get<std::string>(parsed);
  const Config& config = std::get<Config>(parsed);
  EXPECT_EQ(config.connections_max, 50u);
  EXPECT_EQ(config.header_bytes_max, 4096u);
  EXPECT_EQ(config.request_line_bytes_max, 2048u);
  EXPECT_EQ(config.header_timeout_us, 500'000);
  EXPECT_EQ(config.body_timeout_us, 60'000'000);
  EXPECT_EQ(config.idle_timeout_us, 5'000'000);
  EXPECT_EQ(config.queued_commands_max, 3u);
}

TEST(LimitsConfigTest, BadValuesNameTheFlagOrVariable) {
  const std::vector<std::pair<std::vector<const char*>, std::string>> cases = {
      {{"--max-connections", "0"}, "--max-connections must be a positive integer"},
      {{"--max-header-bytes", "-1"}, "--max-header-bytes must be a positive integer"},
      {{"--max-request-line-bytes", "x"}, "--max-request-line-bytes must be a positive integer"},
      {{"--idle-timeout", "0s"}, "--idle-timeout must be a duration"},
      {{"--header-timeout", "soon"}, "--header-timeout must be a duration"},
      {{"--body-timeout", "-5s"}, "--body-timeout must be a duration"},
      {{"--max-queued-commands", "0"}, "--max-queued-commands must be a positive integer"},
  };
  for (const auto& [args, expected] : cases) {
    const auto parsed = Parse(args);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << expected;
    EXPECT_EQ(std::get<std::string>(parsed).rfind(expected, 0), 0u) << std::get<std::string>(parsed);
  }
  const auto bad_env = Parse({}, {{"CONNECTIVITY_MAX_CONNECTIONS", "many"}});
  ASSERT_TRUE(std::holds_alternative<std::string>(bad_env));
  EXPECT_EQ(std::get<std::string>(bad_env).rfind("CONNECTIVITY_MAX_CONNECTIONS must be a positive integer", 0), 0u);
}

TEST(LimitsConfigTest, UsageListsEveryLimitWithItsVariable) {
  const std::string usage = UsageText();
  for (const char* name : {"--max-connections", "CONNECTIVITY_MAX_CONNECTIONS", "--max-header-bytes",
                           "CONNECTIVITY_MAX_HEADER_BYTES", "--max-request-line-bytes",
                           "CONNECTIVITY_MAX_REQUEST_LINE_BYTES", "--idle-timeout", "CONNECTIVITY_IDLE_TIMEOUT",
                           "--header-timeout", "CONNECTIVITY_HEADER_TIMEOUT", "--body-timeout",
                           "CONNECTIVITY_BODY_TIMEOUT", "--max-queued-commands", "CONNECTIVITY_MAX_QUEUED_COMMANDS"}) {
    EXPECT_NE(usage.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace connectivity::daemon
