// connectivityd: the connection management server (SPEC.md).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <variant>

#include "src/daemon/config.h"
#include "src/daemon/daemon.h"

int main(int argc, char** argv) {
  // Block the stop signals before any thread exists, so every thread
  // inherits the mask and only sigwait() in RunDaemon sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  using connectivity::daemon::Config;
  auto parsed = connectivity::daemon::ParseConfig(argc, argv, [](const char* name) {
    const char* value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (std::holds_alternative<connectivity::daemon::HelpRequested>(parsed)) {
    std::fputs(connectivity::daemon::UsageText().c_str(), stdout);
    return 0;
  }
  if (const std::string* error = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "connectivityd: %s\n", error->c_str());
    return 2;
  }
  try {
    return connectivity::daemon::RunDaemon(std::get<Config>(parsed));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "connectivityd: fatal: %s\n", e.what());
    return 1;
  }
}
