// Clock: the one source of time, so tests can control it (log expiry,
// metrics windows, backoff, event timestamps).
#ifndef CONNECTIVITY_BASE_CLOCK_H_
#define CONNECTIVITY_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace connectivity {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  // Monotonic time in microseconds, for measuring durations.
  virtual int64_t MonotonicMicros() const = 0;
};

// The real clock (CLOCK_REALTIME / CLOCK_MONOTONIC).
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  int64_t MonotonicMicros() const override;
  static SystemClock* Instance();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_us) : now_us_(now_us) {}
  int64_t NowMicros() const override { return now_us_.load(); }
  int64_t MonotonicMicros() const override { return now_us_.load(); }
  void AdvanceMicros(int64_t delta_us) { now_us_.fetch_add(delta_us); }
  void SetMicros(int64_t now_us) { now_us_.store(now_us); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_CLOCK_H_
