// Helpers for the journal-replay tests: run the real build/journal-replay
// binary and capture its exit status and output; split and parse its JSON
// lines.
#ifndef CONNECTIVITY_TESTS_TOOLS_TOOLS_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_TOOLS_TOOLS_TEST_UTIL_H_

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/json_util.h"
#include "tests/integration/server_process.h"

namespace connectivity::tools::testing {

struct ToolRun {
  int exit_code = -1;  // 128 + signal if killed
  std::string out;
  std::string err;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs build/journal-replay with `args`; stdout and stderr go to files (not
// pipes, so that large outputs cannot block the child), stdin is /dev/null
// unless `stdin_path` names a file. `env` adds environment variables.
inline ToolRun RunTool(const std::vector<std::string>& args, const std::string& stdin_path = "",
                       const std::map<std::string, std::string>& env = {}) {
  static int counter = 0;
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = std::string(tmp != nullptr ? tmp : "/tmp") + "/journal-replay-test-" +
                           std::to_string(getpid()) + "-" + std::to_string(counter++);
  const std::string out_path = base + ".out";
  const std::string err_path = base + ".err";
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> argv_strings = {std::string(CONNECTIVITY_BINARY_DIR) +
                                             "/journal-replay"};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ToolRun run;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid) {
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  run.out = ReadWholeFile(out_path);
  run.err = ReadWholeFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return run;
}

// The tool with `--data-dir dir` in front of `args`.
inline ToolRun RunOn(const std::string& data_dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"--data-dir", data_dir});
  return RunTool(args);
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `state --json` output: id -> the line's parsed fields.
struct StateLine {
  uint64_t revision = 0;
  std::string lifecycle;
  std::string connection;  // minified
};
inline std::map<std::string, StateLine> ParseStateLines(const std::string& out) {
  std::map<std::string, StateLine> states;
  for (const std::string& line : Lines(out)) {
    const ::connectivity::testing::Json json(line);
    StateLine state;
    state.revision = static_cast<uint64_t>(json.Int("/revision").value_or(0));
    state.lifecycle = json.String("/lifecycle").value_or("");
    state.connection = json.Raw("/connection");
    states[json.String("/id").value_or("?")] = state;
  }
  return states;
}

// How a ToolRun looks in a failure message.
inline std::string Describe(const ToolRun& run) {
  return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out.substr(0, 4000) +
         "\nstderr:\n" + run.err.substr(0, 4000);
}

}  // namespace connectivity::tools::testing

#endif  // CONNECTIVITY_TESTS_TOOLS_TOOLS_TEST_UTIL_H_
