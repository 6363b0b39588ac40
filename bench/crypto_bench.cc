// Benchmarks of secrets at rest (src/crypto, issue 13): what encryption
// adds to a create (Seal on the write path, once more in the snapshot pass)
// and to a start-up or a history read (Open).
//
// Workloads (connection 0 of the benchmark data set, bench/dataset.h, about
// 1 KiB of canonical JSON with a password in its URI)
//   BM_SealConnection      ConnectionSecrets::Seal with Ditto's nine pointers.
//   BM_OpenConnection      Open of the sealed JSON (one AES-GCM decryption).
//   BM_OpenPlaintext       Open of JSON without encrypted values (the
//                          memmem that finds nothing).
//   BM_EncryptValue        EncryptWithPrefixIv of a 12-byte password alone.
// items/s = connections (or values) per second.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "bench/dataset.h"
#include "src/crypto/connection_secrets.h"

namespace connectivity::crypto {
namespace {

std::unique_ptr<ConnectionSecrets> EnabledSecrets() {
  EncryptionSettings settings;
  settings.enabled = true;
  settings.key = AesKey::Generate().ToText();
  return std::move(std::get<std::unique_ptr<ConnectionSecrets>>(ConnectionSecrets::Make(settings)));
}

void BM_SealConnection(benchmark::State& state) {
  const auto secrets = EnabledSecrets();
  Result<std::string> json = bench::CanonicalConnectionJson(0, 0, bench::kBenchSeed);
  if (!json.ok()) return state.SkipWithError(json.status().ToString().c_str());
  std::string copy;
  for (auto _ : state) {
    copy = *json;
    const Status sealed = secrets->Seal(copy);
    if (!sealed.ok()) return state.SkipWithError(sealed.ToString().c_str());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SealConnection);

void BM_OpenConnection(benchmark::State& state) {
  const auto secrets = EnabledSecrets();
  Result<std::string> json = bench::CanonicalConnectionJson(0, 0, bench::kBenchSeed);
  if (!json.ok()) return state.SkipWithError(json.status().ToString().c_str());
  std::string sealed = *json;
  if (!secrets->Seal(sealed).ok() || sealed == *json) return state.SkipWithError("nothing sealed");
  std::string copy;
  for (auto _ : state) {
    copy = sealed;
    const Status opened = secrets->Open(copy);
    if (!opened.ok()) return state.SkipWithError(opened.ToString().c_str());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenConnection);

void BM_OpenPlaintext(benchmark::State& state) {
  const auto secrets = EnabledSecrets();
  Result<std::string> json = bench::CanonicalConnectionJson(0, 0, bench::kBenchSeed);
  if (!json.ok()) return state.SkipWithError(json.status().ToString().c_str());
  std::string copy = *json;
  for (auto _ : state) {
    const Status opened = secrets->Open(copy);
    if (!opened.ok()) return state.SkipWithError(opened.ToString().c_str());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenPlaintext);

void BM_EncryptValue(benchmark::State& state) {
  const AesKey key = AesKey::Generate();
  for (auto _ : state) {
    Result<std::string> ciphertext = EncryptWithPrefixIv("s3cr3t-passw", key);
    benchmark::DoNotOptimize(ciphertext);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncryptValue);

}  // namespace
}  // namespace connectivity::crypto
