#include "src/projector/snapshot_codec.h"

#include <cstring>

namespace connectivity::projector {
namespace {

constexpr size_t kStatsBytes = kEventTypeCount * 16;
constexpr size_t kFixedBytes = 1 + 8 + 8 + 1 + 8 + 8 + kStatsBytes + 4 + 4;
static_assert(kFixedBytes == 122, "snapshot layout changed: bump kSnapshotVersion");

template <typename T>
void Put(std::string& out, T value) {
  char buffer[sizeof(T)];
  std::memcpy(buffer, &value, sizeof(T));  // little-endian hosts only (x86_64)
  out.append(buffer, sizeof(T));
}

void PutBytes(std::string& out, std::string_view bytes) {
  Put<uint32_t>(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

// Reads fixed-width values front to back; any overrun sets failed().
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  T Get() {
    T value{};
    if (bytes_.size() < sizeof(T)) {
      failed_ = true;
      return value;
    }
    std::memcpy(&value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return value;
  }

  std::string_view GetBytes() {
    const uint32_t size = Get<uint32_t>();
    if (failed_ || bytes_.size() < size) {
      failed_ = true;
      return {};
    }
    const std::string_view result = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return result;
  }

  bool failed() const { return failed_; }
  bool at_end() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
  bool failed_ = false;
};

}  // namespace

std::string EncodeSnapshot(const ConnectionState& state) { return EncodeSnapshot(state, state.json); }

std::string EncodeSnapshot(const ConnectionState& state, std::string_view json) {
  std::string out;
  out.reserve(kFixedBytes + state.id.size() + json.size());
  Put<uint8_t>(out, kSnapshotVersion);
  Put<uint64_t>(out, state.revision);
  Put<uint64_t>(out, state.connection_revision);
  Put<uint8_t>(out, state.deleted ? 1 : 0);
  Put<int64_t>(out, state.created_us);
  Put<int64_t>(out, state.modified_us);
  for (const EventTypeStats& stats : state.stats) {
    Put<uint64_t>(out, stats.total);
    Put<int64_t>(out, stats.last_us);
  }
  PutBytes(out, state.id);
  PutBytes(out, json);
  return out;
}

Result<ConnectionState> DecodeSnapshot(std::string_view bytes) {
  Reader reader(bytes);
  const uint8_t version = reader.Get<uint8_t>();
  if (reader.failed() || version != kSnapshotVersion) {
    return Status::Corruption("snapshot has unknown version " + std::to_string(version));
  }
  ConnectionState state;
  state.revision = reader.Get<uint64_t>();
  state.connection_revision = reader.Get<uint64_t>();
  const uint8_t deleted = reader.Get<uint8_t>();
  state.deleted = deleted == 1;
  state.created_us = reader.Get<int64_t>();
  state.modified_us = reader.Get<int64_t>();
  for (EventTypeStats& stats : state.stats) {
    stats.total = reader.Get<uint64_t>();
    stats.last_us = reader.Get<int64_t>();
  }
  state.id = std::string(reader.GetBytes());
  state.json = std::string(reader.GetBytes());
  if (reader.failed() || !reader.at_end() || deleted > 1) {
    return Status::Corruption("snapshot is truncated or malformed");
  }
  if (state.id.empty() || state.revision == 0 || state.connection_revision > state.revision) {
    return Status::Corruption("snapshot of '" + state.id + "' has impossible revisions");
  }
  return state;
}

}  // namespace connectivity::projector
