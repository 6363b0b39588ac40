// connectivity-simulate: runs the deterministic simulation (simulation.h)
// over many seeds and reports the seeds per minute and every failing seed.
//
//   connectivity-simulate [--seeds N] [--first-seed S] [--seconds T] [--steps K]
//   connectivity-simulate --seed S --trace      replays one seed, printing every step
//
// Exit status: 0 if every seed ran clean, 1 if one failed, 2 on bad flags.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "src/base/log.h"
#include "tests/simulation/simulation.h"

namespace {

struct Flags {
  uint64_t seeds = 0;  // 0: until --seconds
  uint64_t first_seed = 1;
  double seconds = 0;
  int steps = 300;
  bool trace = false;
};

void Usage() {
  std::fputs(
      "usage: connectivity-simulate [--seeds N] [--first-seed S] [--seconds T] [--steps K]\n"
      "       connectivity-simulate --seed S [--trace]\n"
      "Runs seeds S, S+1, ... until N seeds ran or T seconds passed (default: 1000 seeds).\n"
      "A failing seed prints itself, the violated property and the steps before it.\n",
      stdout);
}

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* text = nullptr;
    if (flag == "--trace") {
      flags->trace = true;
    } else if (flag == "--help" || flag == "-h") {
      Usage();
      std::exit(0);
    } else if ((text = value()) == nullptr) {
      std::fprintf(stderr, "connectivity-simulate: %s needs a value\n", flag.c_str());
      return false;
    } else if (flag == "--seeds") {
      flags->seeds = std::strtoull(text, nullptr, 10);
    } else if (flag == "--first-seed") {
      flags->first_seed = std::strtoull(text, nullptr, 10);
    } else if (flag == "--seed") {
      flags->first_seed = std::strtoull(text, nullptr, 10);
      flags->seeds = 1;
    } else if (flag == "--seconds") {
      flags->seconds = std::strtod(text, nullptr);
    } else if (flag == "--steps") {
      flags->steps = std::atoi(text);
    } else {
      std::fprintf(stderr, "connectivity-simulate: unknown flag %s\n", flag.c_str());
      return false;
    }
  }
  if (flags->seeds == 0 && flags->seconds <= 0) flags->seeds = 1000;
  return true;
}

void PrintFailure(const connectivity::simulation::SimulationResult& result) {
  std::printf("seed %llu FAILED: %s\n", static_cast<unsigned long long>(result.seed), result.failure.c_str());
  std::printf("  the last steps before it:\n");
  for (const std::string& line : result.recent) std::printf("    %s\n", line.c_str());
  std::printf("  replay: build/connectivity-simulate --seed %llu --trace\n",
              static_cast<unsigned long long>(result.seed));
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
  // Faults are the point here; the service's log lines about them are noise.
  connectivity::log::SetMinimumLevel(connectivity::log::Level::kOff);
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  uint64_t ran = 0, failed = 0, acknowledged = 0, restarts = 0, power_losses = 0, faults = 0;
  for (uint64_t seed = flags.first_seed;; ++seed) {
    if (flags.seeds > 0 && ran >= flags.seeds) break;
    if (flags.seconds > 0 && elapsed() >= flags.seconds) break;
    connectivity::simulation::SimulationOptions options;
    options.seed = seed;
    options.steps = flags.steps;
    options.trace = flags.trace;
    const connectivity::simulation::SimulationResult result = connectivity::simulation::RunSimulation(options);
    ++ran;
    acknowledged += result.acknowledged;
    restarts += result.restarts;
    power_losses += result.power_losses;
    faults += result.faults;
    if (!result.ok) {
      ++failed;
      PrintFailure(result);
      if (failed >= 5) break;
    }
  }
  const double seconds = elapsed();
  std::printf("seeds run: %llu (from %llu), failed: %llu; %.0f seeds/minute; acknowledged commands: %llu, "
              "restarts: %llu (power losses: %llu), injected faults: %llu; %.1f s\n",
              static_cast<unsigned long long>(ran), static_cast<unsigned long long>(flags.first_seed),
              static_cast<unsigned long long>(failed), seconds > 0 ? ran * 60.0 / seconds : 0.0,
              static_cast<unsigned long long>(acknowledged), static_cast<unsigned long long>(restarts),
              static_cast<unsigned long long>(power_losses), static_cast<unsigned long long>(faults), seconds);
  return failed == 0 ? 0 : 1;
}
