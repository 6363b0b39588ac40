// Output of the journal-replay commands: where results, errors and the
// progress line go, and the exit codes.
//
// Every command writes its result to `out` and its errors (and the progress
// line) to `err`, never to stdout/stderr directly, so that tests run the
// commands against string streams. main() binds them to std::cout/std::cerr
// and turns the progress line on only when stderr is a terminal.
//
// Not thread-safe: one command runs on one thread.
#ifndef CONNECTIVITY_SRC_TOOLS_OUTPUT_H_
#define CONNECTIVITY_SRC_TOOLS_OUTPUT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace connectivity::tools {

// The process exit status of every command (SPEC §6).
enum class ExitCode : int {
  kOk = 0,        // done; for verify: no problem found
  kProblems = 1,  // problems found: corruption, a connection or revision that is not there
  kUsage = 2,     // bad command line, or the data dir cannot be opened (missing, busy, not empty)
  kInterrupted = 130,  // SIGINT / SIGTERM (128 + SIGINT, as shells report it)
};

// Interruption. main() installs handlers for SIGINT and SIGTERM that only
// set a flag (async-signal-safe); long loops see it at their next progress
// tick and stop with InterruptedStatus(), so that the command unwinds
// normally: the journal closes and the secondary instance's directory under
// $TMPDIR is removed, which a default kill would leave behind. A second
// signal kills at once (the handlers reset themselves).
void InstallInterruptHandlers();
bool Interrupted();
Status InterruptedStatus();
// Sets the flag as a signal would (tests).
void RequestInterruptForTesting(bool interrupted);

struct Output {
  std::ostream& out;
  std::ostream& err;
  // Draw a progress line on `err` during long runs (a terminal only).
  bool progress = false;
};

// Prints "journal-replay: <message>" on output.err and returns `code`.
ExitCode Fail(Output& output, ExitCode code, std::string_view message);
// The same for a Status: kProblems; kInterrupted after a signal. Failures
// to open go through FailOpen instead.
ExitCode FailStatus(Output& output, const Status& status);
ExitCode FailOpen(Output& output, const std::string& data_dir, const Status& status);

// A progress line for long runs: "\r<label>: 523,000 of 1,000,000 events (52%)".
// Drawn at most every kRedrawIntervalUs and only after the run has taken
// kQuietUs (short runs stay silent); Finish() erases it. Checking the clock
// on every event would cost more than the event, so Tick() looks at it, and
// at the interrupt flag, every kTicksPerClockRead events.
class Progress {
 public:
  static constexpr int64_t kQuietUs = 1'000'000;
  static constexpr int64_t kRedrawIntervalUs = 250'000;
  static constexpr uint64_t kTicksPerClockRead = 8192;

  // `total` may be 0 (unknown): the line then shows the count only.
  Progress(Output& output, std::string label, uint64_t total);
  ~Progress() { Finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Counts one event. False once the run was interrupted: the caller stops
  // with InterruptedStatus().
  [[nodiscard]] bool Tick() {
    ++done_;
    if (done_ % kTicksPerClockRead != 0) return true;
    if (enabled_) Redraw();
    return !Interrupted();
  }
  // Erases the line if one was drawn. Idempotent.
  void Finish();
  uint64_t done() const { return done_; }

  // The line's text (without "\r"), for tests.
  static std::string Line(std::string_view label, uint64_t done, uint64_t total);

 private:
  void Redraw();

  std::ostream& err_;
  const bool enabled_;
  const std::string label_;
  const uint64_t total_;
  uint64_t done_ = 0;
  int64_t start_us_ = 0;
  int64_t drawn_us_ = 0;
  bool drawn_ = false;
};

// Collects output and hands it to the stream in large pieces. A
// std::filebuf passes every piece of 1 KiB or more straight to a system
// call, so writing a state of 100,000 connections (a ~1 KiB line each) line
// by line would cost 100,000 writes.
class BufferedOut {
 public:
  static constexpr size_t kFlushBytes = 1u << 20;

  explicit BufferedOut(std::ostream& out) : out_(out) { text_.reserve(kFlushBytes); }
  ~BufferedOut() { Flush(); }
  BufferedOut(const BufferedOut&) = delete;
  BufferedOut& operator=(const BufferedOut&) = delete;

  // Append to this; call EndLine() after each whole line.
  std::string& text() { return text_; }
  void EndLine() {
    text_.push_back('\n');
    if (text_.size() >= kFlushBytes) Flush();
  }
  void Flush() {
    out_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    out_.flush();
    text_.clear();
  }

 private:
  std::ostream& out_;
  std::string text_;
};

// 1234567 -> "1,234,567" (human output).
std::string GroupDigits(uint64_t value);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_OUTPUT_H_
