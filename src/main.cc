// connectivityd: the connection management server (SPEC.md).
#include <signal.h>

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
  return connectivity::daemon::DaemonMain(argc, argv);
}
