// Daemon: the connectivityd process from start to exit.
//
// Start-up order (ARCHITECTURE.md): listen first (so /health can say DOWN
// while recovering), open the journal, recover (state rows + replay), start
// the service, attach the API: /health turns UP. Shutdown on SIGTERM/SIGINT:
// stop taking new API requests, let the journal complete what is queued
// (their answers still go out), stop HTTP, write a last snapshot pass,
// exit 0.
#ifndef CONNECTIVITY_DAEMON_DAEMON_H_
#define CONNECTIVITY_DAEMON_DAEMON_H_

#include "src/daemon/config.h"

namespace connectivity::daemon {

// Runs the server until SIGTERM/SIGINT. Returns the process exit status.
// REQUIRES: SIGTERM and SIGINT are blocked in every thread (block them in
// main before any thread starts).
int RunDaemon(const Config& config);

}  // namespace connectivity::daemon

#endif  // CONNECTIVITY_DAEMON_DAEMON_H_
