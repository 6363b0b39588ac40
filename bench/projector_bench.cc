// Benchmarks of the projector's fold (src/projector/apply.h), the work the
// commit path, recovery and the replay tool do for every event (part of
// build/connectivity-bench).
//
// Workloads (connections of about 1 KiB of canonical JSON, from the
// benchmark data set's generator, bench/dataset.h)
//   BM_ApplyCreated    connectionCreated on a new connection: the canonical
//                      check of the payload and its copy into the state.
//                      States are reset in batches of 4096 outside the timer.
//   BM_ApplyModified   connectionModified on an existing connection (the
//                      payload alternates between two variants).
//   BM_ApplyOpened     connectionOpened / connectionClosed alternately, so the
//                      stored connectionStatus really changes each time (an
//                      edit of the JSON in place).
// items/s = events applied per second; bytes/s = payload bytes.
//
// Conventions: fixed seeds; events and states are made before the timed
// loop; SkipWithError on any non-OK Status.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/dataset.h"
#include "journal/event.h"
#include "src/projector/apply.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector {
namespace {

constexpr size_t kFreshStates = 4096;

// An event of connection 0 of the data set; payload variant `variant` when
// the type carries a connection.
Result<journal::Event> MakeEvent(EventType type, uint64_t revision, uint64_t variant) {
  journal::Event event;
  event.stream = "bench-connection-0";
  event.revision = revision;
  event.sequence = revision;
  event.timestamp_us = 1'764'158'400'000'000 + static_cast<int64_t>(revision);
  event.type = static_cast<uint8_t>(type);
  if (type == EventType::kCreated || type == EventType::kModified) {
    Result<std::string> json = bench::CanonicalConnectionJson(0, variant, bench::kBenchSeed);
    if (!json.ok()) return json.status();
    event.payload = std::move(*json);
  }
  return event;
}

// A created connection, ready for modifies and opens.
Result<ConnectionState> CreatedState() {
  Result<journal::Event> created = MakeEvent(EventType::kCreated, 1, 0);
  if (!created.ok()) return created.status();
  ConnectionState state;
  CONNECTIVITY_RETURN_IF_ERROR(Apply(state, *created));
  return state;
}

void BM_ApplyCreated(benchmark::State& state) {
  Result<journal::Event> event = MakeEvent(EventType::kCreated, 1, 0);
  if (!event.ok()) {
    state.SkipWithError(event.status().ToString().c_str());
    return;
  }
  std::vector<ConnectionState> fresh(kFreshStates);
  size_t next = 0;
  for (auto _ : state) {
    if (next == fresh.size()) {
      state.PauseTiming();
      for (ConnectionState& s : fresh) s = ConnectionState{};
      next = 0;
      state.ResumeTiming();
    }
    const Status applied = Apply(fresh[next++], *event);
    if (!applied.ok()) {
      state.SkipWithError(applied.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * event->payload.size());
  state.counters["payload_bytes"] = static_cast<double>(event->payload.size());
}
BENCHMARK(BM_ApplyCreated);

// Applies `events` round robin to one created connection, each with the
// next revision.
void ApplyRoundRobin(benchmark::State& state, std::vector<journal::Event> events) {
  Result<ConnectionState> connection = CreatedState();
  if (!connection.ok()) {
    state.SkipWithError(connection.status().ToString().c_str());
    return;
  }
  uint64_t bytes = 0;
  size_t next = 0;
  for (auto _ : state) {
    journal::Event& event = events[next];
    next = next + 1 == events.size() ? 0 : next + 1;
    event.revision = connection->revision + 1;
    const Status applied = Apply(*connection, event);
    if (!applied.ok()) {
      state.SkipWithError(applied.ToString().c_str());
      break;
    }
    bytes += event.payload.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_ApplyModified(benchmark::State& state) {
  Result<journal::Event> first = MakeEvent(EventType::kModified, 2, 1);
  Result<journal::Event> second = MakeEvent(EventType::kModified, 2, 2);
  if (!first.ok() || !second.ok()) {
    state.SkipWithError((first.ok() ? second.status() : first.status()).ToString().c_str());
    return;
  }
  ApplyRoundRobin(state, {std::move(*first), std::move(*second)});
}
BENCHMARK(BM_ApplyModified);

void BM_ApplyOpened(benchmark::State& state) {
  Result<journal::Event> opened = MakeEvent(EventType::kOpened, 2, 0);
  Result<journal::Event> closed = MakeEvent(EventType::kClosed, 2, 0);
  if (!opened.ok() || !closed.ok()) {
    state.SkipWithError((opened.ok() ? closed.status() : opened.status()).ToString().c_str());
    return;
  }
  ApplyRoundRobin(state, {std::move(*opened), std::move(*closed)});
}
BENCHMARK(BM_ApplyOpened);

}  // namespace
}  // namespace connectivity::projector
