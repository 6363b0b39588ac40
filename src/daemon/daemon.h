// Daemon: the connectivityd process from start to exit.
//
// Start-up order (ARCHITECTURE.md): listen first (so /health can say DOWN
// while recovering), open the journal, recover (state rows + replay), start
// the service, attach the API: /health turns UP. Shutdown on SIGTERM/SIGINT:
// stop taking new API requests, let the journal complete what is queued
// (their answers still go out), stop HTTP, write a last snapshot pass,
// flush the memtables if the disk has room, exit 0.
// A start with less free disk than --disk-headroom (plus the WAL to replay)
// opens the journal read-only: reads are served, writes answer 503, and the
// disk watcher reopens it for writing once space returns.
#ifndef CONNECTIVITY_DAEMON_DAEMON_H_
#define CONNECTIVITY_DAEMON_DAEMON_H_

#include "src/daemon/config.h"

namespace rocksdb {
class Env;
}

namespace connectivity::daemon {

// Runs the server until SIGTERM/SIGINT. Returns the process exit status.
// REQUIRES: SIGTERM and SIGINT are blocked in every thread (block them in
// main before any thread starts).
// `env`: the journal's RocksDB Env; null for the real file system. Only the
// test binary connectivityd-faultfs passes one (a fault-injecting Env).
int RunDaemon(const Config& config, rocksdb::Env* env = nullptr);

// connectivityd's main after the signal mask is set: parses the flags and
// environment (--help, bad flags: exit 2), then RunDaemon.
int DaemonMain(int argc, char** argv, rocksdb::Env* env = nullptr);

}  // namespace connectivity::daemon

#endif  // CONNECTIVITY_DAEMON_DAEMON_H_
