// journal-replay state --benchmark-plain-scan (hidden): the replay speed
// figure of SPEC §6 in one run. Each round times, on the same data dir,
//   1. a plain RocksDB scan: open a secondary instance, iterate every key
//      and value of the events column family, decode nothing;
//   2. the state replay: open the journal, scan with every checksum
//      checked, Apply every event, print every state (to a stream that
//      discards it, as /dev/null would).
// Both include their open (which replays the server's WAL). An untimed
// scan first warms the page cache for both. On a machine shared with other
// work single timings swing, so the figures are the best (lowest) of
// kRounds, in wall-clock and in CPU time.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <streambuf>
#include <string>

#include "src/tools/open.h"
#include "src/tools/plain_scan.h"
#include "src/tools/state.h"

namespace connectivity::tools {
namespace {

constexpr int kRounds = 3;

// Discards everything written to it.
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize count) override { return count; }
};

Result<ScanFigures> TimePlainScan(const std::string& data_dir) {
  const Stopwatch stopwatch;
  Result<std::unique_ptr<OpenedStore>> store = OpenStoreForReading(data_dir);
  if (!store.ok()) return store.status();
  Result<ScanFigures> figures = PlainScanEvents(*(*store)->store);
  if (!figures.ok()) return figures.status();
  figures->duration_us = stopwatch.WallMicros();
  figures->cpu_us = stopwatch.CpuMicros();
  return figures;
}

Result<ScanFigures> TimeReplay(const Invocation& invocation, Output& output) {
  NullBuffer null_buffer;
  std::ostream discard(&null_buffer);
  Output quiet{discard, output.err, /*progress=*/false};
  const Stopwatch stopwatch;
  const StateRun run = PrintStates(invocation, discard, quiet);
  if (!run.status.ok()) return run.status;
  return ScanFigures{run.events, 0, stopwatch.WallMicros(), stopwatch.CpuMicros()};
}

// The lowest wall and the lowest CPU time seen.
void KeepBest(const ScanFigures& figures, ScanFigures& best) {
  best.keys = figures.keys;
  best.duration_us =
      best.duration_us == 0 ? figures.duration_us : std::min(best.duration_us, figures.duration_us);
  best.cpu_us = best.cpu_us == 0 ? figures.cpu_us : std::min(best.cpu_us, figures.cpu_us);
}

std::string FiguresLine(const char* what, const ScanFigures& figures, const char* unit) {
  char text[256];
  std::snprintf(text, sizeof(text), "benchmark: %-20s %llu %s in %.3f s = %.0f %s/s (cpu %.3f s)",
                what, static_cast<unsigned long long>(figures.keys), unit,
                figures.duration_us / 1e6, PerSecond(figures.keys, figures.duration_us), unit,
                figures.cpu_us / 1e6);
  return text;
}

void PrintBest(Output& output, const ScanFigures& plain, const ScanFigures& replay) {
  const double wall_ratio = PerSecond(replay.keys, replay.duration_us) /
                            std::max(PerSecond(plain.keys, plain.duration_us), 1.0);
  const double cpu_ratio =
      PerSecond(replay.keys, replay.cpu_us) / std::max(PerSecond(plain.keys, plain.cpu_us), 1.0);
  char ratios[160];
  std::snprintf(ratios, sizeof(ratios),
                "benchmark: best of %d: state replay = %.2fx the plain scan (cpu: %.2fx)", kRounds,
                wall_ratio, cpu_ratio);
  output.err << FiguresLine("best plain scan", plain, "keys") << "\n"
             << FiguresLine("best state replay", replay, "events") << "\n"
             << ratios << "\n";
}

}  // namespace

ExitCode RunStateBenchmark(const Invocation& invocation, Output& output) {
  Result<ScanFigures> warm_up = TimePlainScan(invocation.data_dir);
  if (!warm_up.ok()) return FailOpen(output, invocation.data_dir, warm_up.status());
  ScanFigures plain_best;
  ScanFigures replay_best;
  for (int round = 0; round < kRounds; ++round) {
    Result<ScanFigures> plain = TimePlainScan(invocation.data_dir);
    if (!plain.ok()) return FailStatus(output, plain.status());
    Result<ScanFigures> replay = TimeReplay(invocation, output);
    if (!replay.ok()) return FailStatus(output, replay.status());
    output.err << FiguresLine("plain RocksDB scan", *plain, "keys") << "\n"
               << FiguresLine("state replay", *replay, "events") << "\n";
    KeepBest(*plain, plain_best);
    KeepBest(*replay, replay_best);
  }
  PrintBest(output, plain_best, replay_best);
  return ExitCode::kOk;
}

}  // namespace connectivity::tools
