#include "src/connect/live_status.h"

#include <algorithm>

namespace connectivity::connect {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

bool Any(const std::vector<std::string>& statuses, const char* value) {
  return std::find(statuses.begin(), statuses.end(), value) != statuses.end();
}

bool All(const std::vector<std::string>& statuses, const char* value) {
  return std::all_of(statuses.begin(), statuses.end(),
                     [value](const std::string& s) { return s == value; });
}

}  // namespace

void WindowedCounter::Record(int64_t now_us) {
  // Keep the deque sorted even if the wall clock steps back.
  const int64_t at = times_us_.empty() ? now_us : std::max(now_us, times_us_.back());
  times_us_.push_back(at);
  last_at_us_ = now_us;
  while (!times_us_.empty() && times_us_.front() <= at - kDayUs) times_us_.pop_front();
  while (times_us_.size() > kExactEventsMax) {  // fold the oldest into its minute
    const int64_t oldest = times_us_.front();
    times_us_.pop_front();
    const int64_t minute = oldest - ((oldest % kMinuteUs) + kMinuteUs) % kMinuteUs;
    if (!minutes_.empty() && minutes_.back().start_us == minute) {
      ++minutes_.back().events;
    } else {
      minutes_.push_back(Minute{minute, 1});
    }
  }
  while (!minutes_.empty() && minutes_.front().start_us + kMinuteUs <= at - kDayUs) minutes_.pop_front();
}

WindowedCounter::Counts WindowedCounter::Count(int64_t now_us) const {
  auto newer_than = [this](int64_t bound) {
    int64_t folded = 0;
    for (auto it = minutes_.rbegin(); it != minutes_.rend() && it->start_us > bound; ++it) folded += it->events;
    return folded + static_cast<int64_t>(times_us_.end() -
                                         std::upper_bound(times_us_.begin(), times_us_.end(), bound));
  };
  Counts counts;
  counts.last_minute = newer_than(now_us - kMinuteUs);
  counts.last_hour = newer_than(now_us - kHourUs);
  counts.last_day = newer_than(now_us - kDayUs);
  counts.last_at_us = last_at_us_;
  return counts;
}

void WindowedCounter::Reset() {
  times_us_.clear();
  minutes_.clear();
  last_at_us_ = 0;
}

std::string AggregateCategory(const std::vector<ResourceStatus>& resources, bool clients_open) {
  std::vector<std::string> statuses;
  for (const ResourceStatus& r : resources) statuses.push_back(r.status);
  if (All(statuses, "open")) return "open";
  if (Any(statuses, "failed")) return "failed";
  if (Any(statuses, "misconfigured")) return "misconfigured";
  if (All(statuses, "closed")) return "closed";
  if (Any(statuses, "unknown")) return clients_open ? "open" : "unknown";
  return "unknown";
}

std::string AggregateLiveStatus(const std::vector<ResourceStatus>& clients,
                                const std::vector<ResourceStatus>& sources,
                                const std::vector<ResourceStatus>& targets,
                                const std::vector<ResourceStatus>& ssh_tunnels) {
  const std::string client = AggregateCategory(clients, false);
  const bool clients_open = client == "open";
  std::vector<std::string> categories = {client, AggregateCategory(sources, clients_open),
                                         AggregateCategory(targets, clients_open)};
  // Only a connection with a tunnel has this category (an empty one would count as open).
  if (!ssh_tunnels.empty()) categories.push_back(AggregateCategory(ssh_tunnels, clients_open));
  if (All(categories, "open")) return "open";
  if (Any(categories, "failed")) return "failed";
  if (Any(categories, "misconfigured")) return "misconfigured";
  if (All(categories, "closed")) return "closed";
  return "unknown";
}

std::string AggregateRecoveryStatus(const std::vector<ResourceStatus>& clients) {
  std::vector<std::string> statuses;
  for (const ResourceStatus& r : clients) statuses.push_back(r.recovery_status);
  if (!statuses.empty() && All(statuses, "succeeded")) return "succeeded";
  if (Any(statuses, "backOffLimitReached")) return "backOffLimitReached";
  if (Any(statuses, "ongoing")) return "ongoing";
  return "unknown";
}

}  // namespace connectivity::connect
