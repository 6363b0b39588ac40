// connectivity-datagen: writes the benchmark data set into a data directory.
//   connectivity-datagen --data-dir DIR [--connections N] [--events M] [--seed S] [--no-state-rows]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/dataset.h"

int main(int argc, char** argv) {
  connectivity::bench::DatasetSpec spec;
  std::string data_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--data-dir" && has_value) data_dir = argv[++i];
    else if (arg == "--connections" && has_value) spec.connections = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--events" && has_value) spec.events_per_connection = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--seed" && has_value) spec.seed = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    else if (arg == "--no-state-rows") spec.write_state_rows = false;
    else {
      std::fprintf(stderr, "usage: connectivity-datagen --data-dir DIR [--connections N] [--events M] [--seed S] [--no-state-rows]\n");
      return 2;
    }
  }
  if (data_dir.empty() || spec.connections == 0 || spec.events_per_connection == 0) {
    std::fprintf(stderr, "connectivity-datagen: --data-dir, and positive --connections/--events, are required\n");
    return 2;
  }
  const connectivity::Status status = connectivity::bench::GenerateDataset(data_dir, spec);
  if (!status.ok()) {
    std::fprintf(stderr, "connectivity-datagen: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("dataset v%d: %llu connections x %llu events in %s\n", connectivity::bench::kDatasetVersion,
              static_cast<unsigned long long>(spec.connections),
              static_cast<unsigned long long>(spec.events_per_connection), data_dir.c_str());
  return 0;
}
