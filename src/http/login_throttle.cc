#include "src/http/login_throttle.h"

#include <algorithm>

namespace connectivity::http {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;

}  // namespace

LoginThrottle::LoginThrottle(uint32_t failures_per_minute, const Clock& clock)
    : failures_per_minute_(failures_per_minute), clock_(clock) {}

void LoginThrottle::Expire(std::deque<int64_t>& failures, int64_t now_us) const {
  while (!failures.empty() && failures.front() <= now_us - kMinuteUs) failures.pop_front();
}

int64_t LoginThrottle::RetryAfterSeconds(const std::string& address) {
  if (failures_per_minute_ == 0) return 0;
  const int64_t now_us = clock_.MonotonicMicros();
  MutexLock lock(mutex_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return 0;
  Expire(it->second, now_us);
  if (it->second.size() < failures_per_minute_) return 0;
  // Allowed again when the failure that makes the count reach the limit is a minute old.
  const int64_t until_us = it->second[it->second.size() - failures_per_minute_] + kMinuteUs;
  return std::max<int64_t>(1, (until_us - now_us + 999'999) / 1'000'000);
}

size_t LoginThrottle::RecordFailure(const std::string& address) {
  const int64_t now_us = clock_.MonotonicMicros();
  MutexLock lock(mutex_);
  std::deque<int64_t>& failures = failures_[address];
  Expire(failures, now_us);
  failures.push_back(now_us);
  const size_t count = failures.size();
  // Past the limit only the newest `failures_per_minute_` matter.
  while (failures_per_minute_ > 0 && failures.size() > failures_per_minute_) failures.pop_front();
  if (failures_.size() >= prune_at_) Prune(now_us);
  return count;
}

void LoginThrottle::Prune(int64_t now_us) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    Expire(it->second, now_us);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  prune_at_ = std::max<size_t>(1024, failures_.size() * 2);
}

}  // namespace connectivity::http
