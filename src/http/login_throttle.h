// LoginThrottle: slows down repeated failed logins from one client address
// (issue 13 item 5).
//
// Each failed DevOps login (credentials supplied and wrong) is counted for
// its client address over a sliding minute. Once an address has
// `failures_per_minute` failures in the last minute, every request from it
// that needs authentication is answered 429 with Retry-After (Ditto's
// too.many.requests), without looking at its credentials, until its oldest
// counted failure is a minute old. Successful logins do not reset the
// count (a guesser who knows one password learns nothing more).
//
// Memory: one entry per address that failed in the last minute, at most
// `failures_per_minute` timestamps each; entries older than a minute are
// dropped as the table grows.
//
// Threads: called from the HTTP worker threads; thread-safe.
#ifndef CONNECTIVITY_HTTP_LOGIN_THROTTLE_H_
#define CONNECTIVITY_HTTP_LOGIN_THROTTLE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "src/base/clock.h"
#include "src/base/mutex.h"

namespace connectivity::http {

class LoginThrottle {
 public:
  // `failures_per_minute` 0: never throttles. `clock` must outlive it.
  LoginThrottle(uint32_t failures_per_minute, const Clock& clock);

  // 0 if `address` may try to log in; else the seconds until it may again
  // (Retry-After, at least 1).
  int64_t RetryAfterSeconds(const std::string& address) EXCLUDES(mutex_);
  // Counts a failed login from `address`; returns the failures in the last
  // minute, this one included (at most failures_per_minute + 1).
  size_t RecordFailure(const std::string& address) EXCLUDES(mutex_);

 private:
  // Drops the timestamps of `failures` older than a minute.
  void Expire(std::deque<int64_t>& failures, int64_t now_us) const;
  // Drops the addresses without a failure in the last minute.
  void Prune(int64_t now_us) REQUIRES(mutex_);

  const uint32_t failures_per_minute_;
  const Clock& clock_;
  Mutex mutex_;
  // Failure times (monotonic µs), oldest first, per client address.
  std::unordered_map<std::string, std::deque<int64_t>> failures_ GUARDED_BY(mutex_);
  size_t prune_at_ GUARDED_BY(mutex_) = 1024;  // table size that triggers the next Prune
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_LOGIN_THROTTLE_H_
