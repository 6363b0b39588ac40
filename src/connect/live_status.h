// The live state of supervised connections as REF §7.1 reports it (resource statuses and their
// aggregation) and the in-memory "live" metrics of SPEC §4.5.
#ifndef CONNECTIVITY_CONNECT_LIVE_STATUS_H_
#define CONNECTIVITY_CONNECT_LIVE_STATUS_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace connectivity::connect {

struct ResourceStatus {
  std::string type;     // "client" | "source" | "target" | "ssh"
  std::string client;   // the instance identifier of this service (SPEC §3 --instance)
  std::string address;  // sources and targets
  std::string status;   // open | closed | failed | misconfigured | unknown
  std::string recovery_status;  // clients: ongoing | succeeded | backOffLimitReached | unknown
  std::string status_details;
  int64_t in_state_since_us = 0;
};

// Sliding-window counts of events over the last minute, hour and day, and the time of the last
// event. The newest kExactEventsMax events of the last 24 h are kept as timestamps and counted
// exactly; older ones (a connection flapping faster than one attempt in 85 s on average) are
// folded into per-minute counts, counted at minute granularity. So a counter holds at most
// 1,024 timestamps and 1,441 minute counts (about 31 KiB) whatever the rate. Not thread-safe; the
// Supervisor guards it.
class WindowedCounter {
 public:
  struct Counts {
    int64_t last_minute = 0;
    int64_t last_hour = 0;
    int64_t last_day = 0;
    int64_t last_at_us = 0;  // 0: never
  };

  static constexpr size_t kExactEventsMax = 1024;

  void Record(int64_t now_us);
  // Windows end at `now_us` and exclude their start: an event exactly 60 s old is not counted (a
  // folded minute counts when it starts after the window's start).
  Counts Count(int64_t now_us) const;
  void Reset();
  // Timestamps and minute counts held (at most kExactEventsMax + 1,441).
  size_t stored() const { return times_us_.size() + minutes_.size(); }

 private:
  struct Minute {
    int64_t start_us;
    int64_t events;
  };
  std::deque<int64_t> times_us_;  // ascending; the newest kExactEventsMax of the last 24 h
  std::deque<Minute> minutes_;    // ascending, all older than times_us_; within the last 24 h
  int64_t last_at_us_ = 0;
};

struct LiveMetrics {
  WindowedCounter connect_attempts;
  WindowedCounter connect_successes;
  WindowedCounter connect_failures;  // failed attempts; losses of open connections are not attempts
  int64_t connected_since_us = 0;    // 0: not connected
};

struct LiveStatus {
  std::string live_status;      // aggregated as REF §7.1
  std::string recovery_status;  // aggregated over the clients
  int64_t connected_since_us = 0;  // earliest inStateSince of the open clients; 0 if none
  std::vector<ResourceStatus> client_status;
  std::vector<ResourceStatus> source_status;
  std::vector<ResourceStatus> target_status;
  std::vector<ResourceStatus> ssh_tunnel_status;  // one per client if the SSH tunnel is enabled
  LiveMetrics metrics;
};

// REF §7.1's rules, usable for synthetic answers too.
// One category: all open (or empty) -> open; any failed -> failed; any misconfigured ->
// misconfigured; all closed -> closed; some unknown -> open if `clients_open`, else unknown.
std::string AggregateCategory(const std::vector<ResourceStatus>& resources, bool clients_open);
// Overall: all categories open -> open; any failed -> failed; any misconfigured ->
// misconfigured; all closed -> closed; else unknown. The SSH tunnel is a category of its own.
std::string AggregateLiveStatus(const std::vector<ResourceStatus>& clients,
                                const std::vector<ResourceStatus>& sources,
                                const std::vector<ResourceStatus>& targets,
                                const std::vector<ResourceStatus>& ssh_tunnels = {});
// All succeeded -> succeeded; any backOffLimitReached; any ongoing; else unknown.
std::string AggregateRecoveryStatus(const std::vector<ResourceStatus>& clients);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_LIVE_STATUS_H_
