// The Supervisor's per-connection state and status assembly (internal to supervisor*.cc).
#ifndef CONNECTIVITY_CONNECT_SUPERVISOR_INTERNAL_H_
#define CONNECTIVITY_CONNECT_SUPERVISOR_INTERNAL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/connect/backoff.h"
#include "src/connect/client.h"
#include "src/connect/live_status.h"
#include "src/model/connection.h"

namespace connectivity::connect {

struct SupervisedEntry {
  enum class Phase { kWaiting, kConnecting, kOpen, kMisconfigured };

  SupervisedEntry(int64_t backoff_min_us, int64_t backoff_max_us)
      : backoff(backoff_min_us, backoff_max_us) {}

  std::string id;
  model::Connection connection;
  uint64_t generation = 0;  // bumped by every Open; callbacks of older clients are ignored
  Phase phase = Phase::kWaiting;
  bool queued = false;      // in the Supervisor's queue of attempts waiting for a slot
  std::unique_ptr<Client> client;
  std::function<void(const ConnectOutcome&)> first_attempt;

  // The client's resource status.
  std::string status = "unknown";
  std::string recovery_status = "unknown";
  std::string status_details = "CONNECTING";
  int64_t in_state_since_us = 0;
  int64_t open_since_steady_us = 0;

  // The address checks of the last attempt that got as far as checking (address.h), and whether
  // they still describe the addresses: while the client is open, or after it failed on them.
  std::vector<AddressCheck> address_checks;
  bool checks_current = false;
  int64_t checks_at_us = 0;

  // The SSH tunnel as the last attempt or loss left it (none: no attempt reached it yet).
  std::optional<TunnelReport> tunnel;
  int64_t tunnel_since_us = 0;

  Backoff backoff;
  LiveMetrics metrics;
};

// Moves the client's resource status to `status` (keeping inStateSince when it does not change).
void SetClientStatus(SupervisedEntry& entry, std::string status, std::string details,
                     int64_t now_us);

// REF §7.1 for one supervised connection.
LiveStatus BuildLiveStatus(const SupervisedEntry& entry, const std::string& instance, bool single_instance = true);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_SUPERVISOR_INTERNAL_H_
