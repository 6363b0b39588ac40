#include "src/tools/output.h"

#include <signal.h>

#include <atomic>

#include "src/base/clock.h"

namespace connectivity::tools {

ExitCode Fail(Output& output, ExitCode code, std::string_view message) {
  output.err << "journal-replay: " << message << '\n';
  output.err.flush();
  return code;
}

namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "stored from a signal handler");

extern "C" void OnInterruptSignal(int) { g_interrupted.store(true); }

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnInterruptSignal;
  action.sa_flags = SA_RESETHAND;  // a second signal takes the default action: exit now
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool Interrupted() { return g_interrupted.load(); }

Status InterruptedStatus() { return Status::Unavailable("interrupted"); }

void RequestInterruptForTesting(bool interrupted) { g_interrupted.store(interrupted); }

ExitCode FailStatus(Output& output, const Status& status) {
  if (Interrupted()) return Fail(output, ExitCode::kInterrupted, "interrupted");
  return Fail(output, ExitCode::kProblems, status.message());
}

ExitCode FailOpen(Output& output, const std::string& data_dir, const Status& status) {
  if (status.code() == ErrorCode::kBusy) {
    return Fail(output, ExitCode::kUsage,
                "the data directory " + data_dir +
                    " is in use (a running connectivityd holds its lock); stop the server "
                    "first, this command must be the only writer");
  }
  return Fail(output, ExitCode::kUsage,
              "cannot open the journal in " + data_dir + ": " + status.message());
}

Progress::Progress(Output& output, std::string label, uint64_t total)
    : err_(output.err), enabled_(output.progress), label_(std::move(label)), total_(total) {
  if (enabled_) start_us_ = SystemClock::Instance()->MonotonicMicros();
}

void Progress::Redraw() {
  const int64_t now_us = SystemClock::Instance()->MonotonicMicros();
  if (now_us - start_us_ < kQuietUs) return;
  if (drawn_ && now_us - drawn_us_ < kRedrawIntervalUs) return;
  err_ << '\r' << Line(label_, done_, total_) << "\x1b[K";
  err_.flush();
  drawn_ = true;
  drawn_us_ = now_us;
}

void Progress::Finish() {
  if (!drawn_) return;
  err_ << "\r\x1b[K";
  err_.flush();
  drawn_ = false;
}

std::string Progress::Line(std::string_view label, uint64_t done, uint64_t total) {
  std::string line(label);
  line += ": " + GroupDigits(done);
  if (total > 0) {
    // Floor division: 100% only when everything is done.
    const uint64_t percent = done >= total ? 100 : done * 100 / total;
    line += " of " + GroupDigits(total) + " events (" + std::to_string(percent) + "%)";
  } else {
    line += " events";
  }
  return line;
}

std::string GroupDigits(uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string grouped;
  grouped.reserve(digits.size() + digits.size() / 3);
  for (size_t index = 0; index < digits.size(); ++index) {
    if (index > 0 && (digits.size() - index) % 3 == 0) grouped += ',';
    grouped += digits[index];
  }
  return grouped;
}

}  // namespace connectivity::tools
