// connectivityd-faultfs: the server on the fault-injecting file system of
// storage/fault_injection_fs.h, for the crash test and the disk-fault tests.
// A test-only binary: it links storage_testing, which the shipped
// connectivityd never does. Same flags and environment as connectivityd,
// plus what a test uses to hurt it:
//   SIGUSR1      power loss now: every byte not yet fsynced is dropped from
//                the data dir's files, then the process kills itself with
//                SIGKILL (as if the machine had lost power);
//   CONNECTIVITY_FAULTFS_POWER_LOSS_AFTER_WRITES=N
//                the same, by itself, right after its N-th append or sync;
//   SIGUSR2      every fsync of the write-ahead log fails from now on;
//   SIGRTMIN     every append to the write-ahead log fails from now on;
//   SIGRTMIN+1   the disk works again (faults cleared).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "src/daemon/daemon.h"
#include "storage/fault_injection_fs.h"

namespace {

using connectivity::storage::FaultInjectionFileSystem;
using connectivity::storage::Faults;

// Async-signal context is not involved: this runs on an ordinary thread
// (the signal thread, or the thread that made the fatal write).
[[noreturn]] void PowerLoss(FaultInjectionFileSystem& fs, const char* why) {
  fs.SimulateCrash();  // waits for writes in flight; nothing reaches the files after it
  const connectivity::Status dropped = fs.DropUnsyncedData();
  std::fprintf(stderr, "connectivityd-faultfs: power loss (%s): unsynced data dropped%s%s\n", why,
               dropped.ok() ? "" : ": ", dropped.ok() ? "" : dropped.ToString().c_str());
  std::fflush(stderr);
  kill(getpid(), SIGKILL);
  _exit(137);
}

sigset_t FaultSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGUSR1);
  sigaddset(&signals, SIGUSR2);
  sigaddset(&signals, SIGRTMIN);
  sigaddset(&signals, SIGRTMIN + 1);
  return signals;
}

// Thread "faultfs-signals": turns the signals above into faults.
void ServeFaultSignals(FaultInjectionFileSystem& fs) {
  const sigset_t signals = FaultSignals();
  while (true) {
    int received = 0;
    if (sigwait(&signals, &received) != 0) continue;
    if (received == SIGUSR1) PowerLoss(fs, "SIGUSR1");
    if (received == SIGUSR2) {
      fs.SetFaults(Faults{.fail_sync = true, .file_suffix = ".log"});
      std::fprintf(stderr, "connectivityd-faultfs: every WAL fsync fails from now on\n");
    } else if (received == SIGRTMIN) {
      fs.SetFaults(Faults{.fail_append = true, .file_suffix = ".log"});
      std::fprintf(stderr, "connectivityd-faultfs: every WAL append fails from now on\n");
    } else if (received == SIGRTMIN + 1) {
      fs.ClearFaults();
      std::fprintf(stderr, "connectivityd-faultfs: faults cleared\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals = FaultSignals();
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Lives until the process ends: RocksDB's threads use it to the last. Static, so that
  // LeakSanitizer (scripts/test --sanitize address) sees it reachable at exit.
  static auto* fault = new connectivity::storage::FaultInjectionEnv(connectivity::storage::MakeFaultInjectionEnv());
  FaultInjectionFileSystem& fs = *fault->fs;
  if (const char* after = std::getenv("CONNECTIVITY_FAULTFS_POWER_LOSS_AFTER_WRITES")) {
    const unsigned long long writes = std::strtoull(after, nullptr, 10);
    if (writes > 0) fs.PlanPowerLoss(writes, [&fs] { PowerLoss(fs, "planned write"); });
  }
  std::thread(ServeFaultSignals, std::ref(fs)).detach();
  return connectivity::daemon::DaemonMain(argc, argv, fault->env.get());
}
