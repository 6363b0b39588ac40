// Reconnect backoff: exponential from `min` doubling up to `max`, with jitter so that many
// connections lost together (a broker restart) do not reconnect in lock-step. Each delay is drawn
// uniformly from [d/2, d] for the current step d, and always lies within [min, max].
// Not thread-safe.
#ifndef CONNECTIVITY_CONNECT_BACKOFF_H_
#define CONNECTIVITY_CONNECT_BACKOFF_H_

#include <algorithm>
#include <cstdint>
#include <random>

namespace connectivity::connect {

class Backoff {
 public:
  Backoff(int64_t min_us, int64_t max_us) : min_us_(min_us), max_us_(std::max(min_us, max_us)) {}

  // The delay before the next attempt; advances the step.
  int64_t NextDelay(std::mt19937_64& random) {
    const int64_t step = StepDelay();
    limit_reached_ = step >= max_us_;
    if (!limit_reached_) ++steps_;
    std::uniform_int_distribution<int64_t> jitter(step / 2, step);
    return std::clamp(jitter(random), min_us_, max_us_);
  }
  // True if the last delay came from the `max` step (recoveryStatus backOffLimitReached).
  bool at_limit() const { return limit_reached_; }
  int steps() const { return steps_; }
  void Reset() {
    steps_ = 0;
    limit_reached_ = false;
  }

 private:
  int64_t StepDelay() const {
    int64_t delay = min_us_;
    for (int i = 0; i < steps_ && delay < max_us_; ++i) delay *= 2;
    return std::min(delay, max_us_);
  }

  int64_t min_us_;
  int64_t max_us_;
  int steps_ = 0;
  bool limit_reached_ = false;
};

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_BACKOFF_H_
