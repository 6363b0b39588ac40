#include "tests/simulation/sim_journal.h"

#include <algorithm>
#include <utility>

#include "journal/codec.h"

namespace connectivity::simulation {
namespace {

using journal::Event;

// Hands out a copy taken when the cursor was made: the journal's cursors
// read a consistent snapshot too.
template <typename Base, typename T>
class VectorCursor final : public Base {
 public:
  explicit VectorCursor(std::vector<T> items) : items_(std::move(items)) {}
  Result<std::optional<T>> Next() override {
    if (next_ >= items_.size()) return std::optional<T>();
    return std::optional<T>(items_[next_++]);
  }

 private:
  std::vector<T> items_;
  size_t next_ = 0;
};

using EventVectorCursor = VectorCursor<journal::EventCursor, Event>;

Event StreamOnly(std::string stream) {
  Event event;
  event.stream = std::move(stream);
  return event;
}

}  // namespace

void SimJournal::Append(journal::AppendRequest request, journal::AppendCallback done) {
  if (closed_) {
    done(Status::Unavailable("the journal is closed"), StreamOnly(std::move(request.stream)));
    return;
  }
  queue_.push_back(Pending{std::move(request), std::move(done)});
}

Result<Event> SimJournal::AppendAndWait(journal::AppendRequest) {
  return Status::InvalidArgument("the simulated journal answers through Commit() only");
}

Status SimJournal::Admit(const journal::AppendRequest& request,
                         std::map<std::string, uint64_t>& batch_revisions,
                         uint64_t* revision) const {
  if (Status valid = journal::ValidateStream(request.stream); !valid.ok()) return valid;
  if (request.type == 0) return Status::InvalidArgument("event type 0 is invalid");
  uint64_t last = 0;
  if (auto it = batch_revisions.find(request.stream); it != batch_revisions.end()) {
    last = it->second;
  } else {
    Result<uint64_t> stored = const_cast<SimJournal*>(this)->LastRevision(request.stream);
    last = *stored;
  }
  if (request.expected_revision != last) {
    return Status::Conflict("stream '" + request.stream + "' is at revision " +
                            std::to_string(last) + ", the append expected revision " +
                            std::to_string(request.expected_revision));
  }
  *revision = last + 1;
  batch_revisions[request.stream] = *revision;
  return Status::Ok();
}

void SimJournal::Commit(size_t count) {
  count = std::clamp<size_t>(count, 1, queue_.size());
  if (queue_.empty()) return;
  std::vector<Pending> batch;
  for (size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  std::vector<Status> statuses(batch.size());
  std::vector<Event> events(batch.size());
  Status refused = sticky_;
  if (refused.ok()) {
    const SimImage& image = disk_.current();
    uint64_t sequence = image.last_sequence();
    int64_t timestamp = sequence == 0 ? 0 : image.events.at(image.order.at(sequence)).timestamp_us;
    const int64_t now = clock_.NowMicros();
    std::map<std::string, uint64_t> batch_revisions;
    for (size_t i = 0; i < batch.size(); ++i) {
      uint64_t revision = 0;
      statuses[i] = Admit(batch[i].request, batch_revisions, &revision);
      if (!statuses[i].ok()) continue;
      timestamp = std::max(now, timestamp + 1);
      events[i] = Event{batch[i].request.stream, revision, ++sequence, timestamp,
                        batch[i].request.type, batch[i].request.payload};
    }
    std::vector<Event> admitted;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (statuses[i].ok()) admitted.push_back(events[i]);
    }
    if (!admitted.empty()) {
      refused = WriteGuarded(
          [admitted](SimImage& target) {
            for (const Event& event : admitted) {
              target.order[event.sequence] = {event.stream, event.revision};
              target.events[{event.stream, event.revision}] = event;
            }
          },
          /*sync=*/true);
      if (!refused.ok() && !refused.IsNoSpace()) {
        sticky_ = Status::Unavailable("the journal refuses writes after a failed write: " +
                                      refused.ToString());
        refused = sticky_;
      }
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (statuses[i].ok() && !refused.ok()) statuses[i] = refused;
    if (statuses[i].ok()) {
      batch[i].done(statuses[i], events[i]);
    } else {
      batch[i].done(statuses[i], StreamOnly(batch[i].request.stream));
    }
  }
}

Status SimJournal::WriteGuarded(const SimDisk::Mutation& mutation, bool sync) {
  if (disk_.full()) return Status::NoSpace("simulated full disk: below the headroom");
  return disk_.Write(mutation, sync);
}

void SimJournal::Close() {
  while (!queue_.empty()) Commit(queue_.size());
  closed_ = true;
}

Result<uint64_t> SimJournal::LastRevision(std::string_view stream) {
  const auto& events = disk_.current().events;
  auto it = events.lower_bound({std::string(stream) + '\0', 0});
  if (it == events.begin()) return uint64_t{0};
  --it;
  return it->first.first == stream ? it->first.second : 0;
}

Result<std::optional<Event>> SimJournal::ReadEvent(std::string_view stream, uint64_t revision) {
  const auto& events = disk_.current().events;
  auto it = events.find({std::string(stream), revision});
  if (it == events.end()) return std::optional<Event>();
  return std::optional<Event>(it->second);
}

std::unique_ptr<journal::EventCursor> SimJournal::ReadStream(std::string_view stream,
                                                             uint64_t from_revision,
                                                             uint64_t to_revision) {
  std::vector<Event> found;
  const auto& events = disk_.current().events;
  for (auto it = events.lower_bound({std::string(stream), from_revision});
       it != events.end() && it->first.first == stream && it->first.second <= to_revision; ++it) {
    found.push_back(it->second);
  }
  return std::make_unique<EventVectorCursor>(std::move(found));
}

std::unique_ptr<journal::EventCursor> SimJournal::ReadGlobal(uint64_t from_sequence) {
  std::vector<Event> found;
  const SimImage& image = disk_.current();
  for (auto it = image.order.lower_bound(from_sequence); it != image.order.end(); ++it) {
    found.push_back(image.events.at(it->second));
  }
  return std::make_unique<EventVectorCursor>(std::move(found));
}

std::unique_ptr<journal::EventCursor> SimJournal::ScanAll() {
  std::vector<Event> found;
  for (const auto& [key, event] : disk_.current().events) found.push_back(event);
  return std::make_unique<EventVectorCursor>(std::move(found));
}

Result<uint64_t> SimJournal::FirstSequenceAtOrAfter(int64_t timestamp_us) {
  const SimImage& image = disk_.current();
  for (const auto& [sequence, key] : image.order) {
    if (image.events.at(key).timestamp_us >= timestamp_us) return sequence;
  }
  return image.last_sequence() + 1;
}

Status SimJournal::WriteStateRows(const std::vector<journal::StateRow>& rows, uint64_t watermark,
                                  bool sync) {
  return WriteGuarded(
      [rows, watermark](SimImage& target) {
        for (const journal::StateRow& row : rows) target.state_rows[row.stream] = row.blob;
        target.watermark = watermark;
      },
      sync);
}

std::unique_ptr<journal::StateRowCursor> SimJournal::ReadStateRows() {
  std::vector<journal::StateRow> rows;
  for (const auto& [stream, blob] : disk_.current().state_rows) rows.push_back({stream, blob});
  return std::make_unique<VectorCursor<journal::StateRowCursor, journal::StateRow>>(std::move(rows));
}

Status SimJournal::ForEachStateRow(const StateRowVisitor& visit) {
  for (const auto& [stream, blob] : disk_.current().state_rows) {
    if (Status status = visit(stream, blob); !status.ok()) return status;
  }
  return Status::Ok();
}

Result<std::optional<std::string>> SimJournal::ReadStateRow(std::string_view stream) {
  const auto& rows = disk_.current().state_rows;
  auto it = rows.find(std::string(stream));
  if (it == rows.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status SimJournal::PutHistorical(const std::vector<journal::HistoricalSnapshot>& snapshots,
                                 bool sync) {
  if (snapshots.empty()) return Status::Ok();
  return WriteGuarded(
      [snapshots](SimImage& target) {
        for (const journal::HistoricalSnapshot& snapshot : snapshots) {
          target.historical[{snapshot.stream, snapshot.revision}] = snapshot.blob;
        }
      },
      sync);
}

Result<std::optional<journal::HistoricalSnapshot>> SimJournal::FindHistoricalAtOrBefore(
    std::string_view stream, uint64_t revision) {
  const auto& historical = disk_.current().historical;
  auto it = historical.upper_bound({std::string(stream), revision});
  if (it == historical.begin()) return std::optional<journal::HistoricalSnapshot>();
  --it;
  if (it->first.first != stream) return std::optional<journal::HistoricalSnapshot>();
  return std::optional<journal::HistoricalSnapshot>(
      journal::HistoricalSnapshot{it->first.first, it->first.second, it->second});
}

std::unique_ptr<journal::HistoricalCursor> SimJournal::ScanHistorical() {
  std::vector<journal::HistoricalSnapshot> found;
  for (const auto& [key, blob] : disk_.current().historical) found.push_back({key.first, key.second, blob});
  return std::make_unique<VectorCursor<journal::HistoricalCursor, journal::HistoricalSnapshot>>(
      std::move(found));
}

Status SimJournal::Clear() {
  return WriteGuarded(
      [](SimImage& target) {
        target.state_rows.clear();
        target.historical.clear();
        target.watermark = 0;
      },
      /*sync=*/true);
}

}  // namespace connectivity::simulation
