#include "journal/cursors.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "journal/codec.h"

namespace connectivity::journal {
namespace {

using NextResult = Result<std::optional<Event>>;

Status RevisionGap(std::string_view key, uint64_t expected) {
  return Status::Corruption(DescribeKey(kEventsColumnFamily, key) +
                            ": revision gap in its stream (expected revision " +
                            std::to_string(expected) + ")");
}

// Checks, along a scan in key order, that each stream starts at revision 1
// and has no gaps. Keeps the current stream's name in a reused buffer.
class StreamContiguity {
 public:
  // For a scan that starts inside a stream: its next event is revision + 1.
  void Seed(std::string_view stream, uint64_t revision) {
    stream_.assign(stream);
    revision_ = revision;
  }

  Status Check(std::string_view key, std::string_view stream, uint64_t revision) {
    const uint64_t expected = stream == stream_ ? revision_ + 1 : 1;
    if (revision != expected) return RevisionGap(key, expected);
    if (expected == 1) stream_.assign(stream);
    revision_ = revision;
    return Status::Ok();
  }

 private:
  std::string stream_;
  uint64_t revision_ = 0;
};

// The moving part every iterator-backed cursor shares: the first call
// seeks, later calls step; end and error are remembered.
// Events beyond `visible_through` (cursors.h) end the cursor, or with
// `skip_invisible` are stepped over.
class IteratorCursor : public EventCursor {
 public:
  IteratorCursor(std::unique_ptr<storage::Iterator> iterator, uint64_t visible_through,
                 bool skip_invisible)
      : iterator_(std::move(iterator)),
        visible_through_(visible_through),
        skip_invisible_(skip_invisible) {}

  NextResult Next() final {
    if (!error_.ok()) return error_;
    if (ended_) return std::optional<Event>();
    while (true) {
      if (started_) {
        iterator_->Next();
      } else {
        Start(*iterator_);
        started_ = true;
      }
      if (!iterator_->Valid()) {
        error_ = iterator_->status();
        ended_ = error_.ok();
        if (!error_.ok()) return error_;
        return std::optional<Event>();
      }
      Event event;
      error_ = Decode(iterator_->key(), iterator_->value(), &event);
      if (!error_.ok()) return error_;
      if (event.sequence <= visible_through_) return std::optional<Event>(std::move(event));
      if (!skip_invisible_) {
        ended_ = true;  // not yet synced: neither it nor anything after it is shown
        return std::optional<Event>();
      }
    }
  }

 protected:
  virtual void Start(storage::Iterator& iterator) = 0;
  virtual Status Decode(std::string_view key, std::string_view value, Event* event) = 0;

 private:
  std::unique_ptr<storage::Iterator> iterator_;
  const uint64_t visible_through_;
  const bool skip_invisible_;
  bool started_ = false;
  bool ended_ = false;
  Status error_;
};

class StreamCursor final : public IteratorCursor {
 public:
  StreamCursor(std::unique_ptr<storage::Iterator> iterator, uint64_t first_revision,
             uint64_t visible_through)
      : IteratorCursor(std::move(iterator), visible_through, /*skip_invisible=*/false),
        expected_(first_revision) {}

 private:
  void Start(storage::Iterator& iterator) override { iterator.SeekToFirst(); }

  Status Decode(std::string_view key, std::string_view value, Event* event) override {
    CONNECTIVITY_RETURN_IF_ERROR(DecodeEvent(key, value, event));
    if (event->revision != expected_) return RevisionGap(key, expected_);
    ++expected_;
    return Status::Ok();
  }

  uint64_t expected_;
};

class ScanCursor final : public IteratorCursor {
 public:
  ScanCursor(std::unique_ptr<storage::Iterator> iterator, uint64_t visible_through)
      : IteratorCursor(std::move(iterator), visible_through, /*skip_invisible=*/true) {}
  // Starts at the first key >= StreamKey(stream, revision).
  ScanCursor(std::unique_ptr<storage::Iterator> iterator, std::string_view stream, uint64_t revision,
             uint64_t visible_through)
      : IteratorCursor(std::move(iterator), visible_through, /*skip_invisible=*/true),
        start_(StreamKey(stream, revision)) {
    contiguity_.Seed(stream, revision - 1);
  }

 private:
  void Start(storage::Iterator& iterator) override {
    if (start_.empty()) {
      iterator.SeekToFirst();
    } else {
      iterator.Seek(start_);
    }
  }

  Status Decode(std::string_view key, std::string_view value, Event* event) override {
    CONNECTIVITY_RETURN_IF_ERROR(DecodeEvent(key, value, event));
    return contiguity_.Check(key, event->stream, event->revision);
  }

  std::string start_;  // empty: the first key
  StreamContiguity contiguity_;
};

// Walks the order column family and looks up each event's record.
class GlobalCursor final : public IteratorCursor {
 public:
  GlobalCursor(const storage::Store& store, std::unique_ptr<storage::Iterator> iterator,
               uint64_t first_sequence, uint64_t visible_through)
      : IteratorCursor(std::move(iterator), visible_through, /*skip_invisible=*/false),
        store_(store),
        expected_(first_sequence) {}

 private:
  void Start(storage::Iterator& iterator) override { iterator.Seek(SequenceKey(expected_)); }

  Status Decode(std::string_view key, std::string_view value, Event* event) override {
    uint64_t sequence = 0;
    if (!ParseSequenceKey(key, &sequence)) {
      return Status::Corruption(DescribeKey(kOrderColumnFamily, key) + ": malformed order key");
    }
    if (sequence != expected_) {
      return Status::Corruption(DescribeKey(kOrderColumnFamily, key) +
                                ": sequence gap (expected sequence " +
                                std::to_string(expected_) + ")");
    }
    OrderEntry entry;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeOrderEntry(key, value, &entry));
    CONNECTIVITY_RETURN_IF_ERROR(ReadRecord(key, entry, event));
    ++expected_;
    return Status::Ok();
  }

  Status ReadRecord(std::string_view order_key, const OrderEntry& entry, Event* event) {
    event_key_.clear();
    AppendStreamKey(&event_key_, entry.stream, entry.revision);
    Result<bool> found = store_.Get(kEventsColumnFamily, event_key_, &record_);
    if (!found.ok()) return found.status();
    if (!*found) return Mismatch(order_key, "is missing");
    CONNECTIVITY_RETURN_IF_ERROR(DecodeEvent(event_key_, record_, event));
    if (event->sequence != expected_ || event->timestamp_us != entry.timestamp_us ||
        event->type != entry.type) {
      return Mismatch(order_key, "disagrees with it (sequence, timestamp or type)");
    }
    return Status::Ok();
  }

  Status Mismatch(std::string_view order_key, const char* what) const {
    return Status::Corruption(DescribeKey(kOrderColumnFamily, order_key) + ": its event " +
                              DescribeKey(kEventsColumnFamily, event_key_) + " " + what);
  }

  const storage::Store& store_;
  uint64_t expected_;
  std::string event_key_;  // reused buffers
  std::string record_;
};

class ErrorCursor final : public EventCursor {
 public:
  explicit ErrorCursor(Status status) : status_(std::move(status)) {}
  NextResult Next() override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<EventCursor> NewStreamCursor(const storage::Store& store, std::string_view stream,
                                             uint64_t from_revision, uint64_t to_revision,
                                             uint64_t visible_through) {
  const Status valid = ValidateStream(stream);
  if (!valid.ok()) return NewErrorCursor(valid);
  const uint64_t first = std::max<uint64_t>(from_revision, 1);
  storage::ScanOptions scan;
  scan.lower_bound = StreamKey(stream, first);
  scan.upper_bound = to_revision == std::numeric_limits<uint64_t>::max()
                         ? StreamEnd(stream)
                         : StreamKey(stream, to_revision + 1);
  if (to_revision < first) scan.upper_bound = scan.lower_bound;  // empty range
  return std::make_unique<StreamCursor>(store.NewIterator(kEventsColumnFamily, scan), first,
                                        visible_through);
}

std::unique_ptr<EventCursor> NewGlobalCursor(const storage::Store& store, uint64_t from_sequence,
                                             uint64_t visible_through) {
  const uint64_t first = std::max<uint64_t>(from_sequence, 1);
  return std::make_unique<GlobalCursor>(
      store, store.NewIterator(kOrderColumnFamily, storage::ScanOptions{}), first, visible_through);
}

std::unique_ptr<EventCursor> NewScanCursor(const storage::Store& store, uint64_t visible_through) {
  storage::ScanOptions scan;
  scan.full_scan = true;
  return std::make_unique<ScanCursor>(store.NewIterator(kEventsColumnFamily, scan),
                                      visible_through);
}

std::unique_ptr<EventCursor> NewScanCursorFrom(const storage::Store& store, std::string_view stream,
                                               uint64_t revision, uint64_t visible_through) {
  const Status valid = ValidateStream(stream);
  if (!valid.ok()) return NewErrorCursor(valid);
  storage::ScanOptions scan;
  scan.full_scan = true;
  return std::make_unique<ScanCursor>(store.NewIterator(kEventsColumnFamily, scan), stream,
                                      std::max<uint64_t>(revision, 1), visible_through);
}

Status ScanEvents(const storage::Store& store, const EventVisitor& visit,
                  uint64_t visible_through) {
  storage::ScanOptions scan;
  scan.full_scan = true;
  const std::unique_ptr<storage::Iterator> iterator =
      store.NewIterator(kEventsColumnFamily, scan);
  StreamContiguity contiguity;
  RecordFields fields;
  EventView view;
  for (iterator->SeekToFirst(); iterator->Valid(); iterator->Next()) {
    const std::string_view key = iterator->key();
    if (!ParseStreamKey(key, &view.stream, &view.revision)) {
      return Status::Corruption(DescribeKey(kEventsColumnFamily, key) + ": malformed events key");
    }
    CONNECTIVITY_RETURN_IF_ERROR(DecodeRecord(key, iterator->value(), &fields));
    CONNECTIVITY_RETURN_IF_ERROR(contiguity.Check(key, view.stream, view.revision));
    if (fields.sequence > visible_through) continue;  // not yet synced (cursors.h)
    view.sequence = fields.sequence;
    view.timestamp_us = fields.timestamp_us;
    view.type = fields.type;
    view.payload = fields.payload;
    CONNECTIVITY_RETURN_IF_ERROR(visit(view));
  }
  return iterator->status();
}

Result<uint64_t> ReadLastRevision(const storage::Store& store, std::string_view stream,
                                  uint64_t visible_through) {
  CONNECTIVITY_RETURN_IF_ERROR(ValidateStream(stream));
  storage::ScanOptions scan;
  scan.lower_bound = StreamBegin(stream);
  scan.upper_bound = StreamEnd(stream);
  const std::unique_ptr<storage::Iterator> iterator = store.NewIterator(kEventsColumnFamily, scan);
  for (iterator->SeekToLast(); iterator->Valid(); iterator->Prev()) {
    std::string_view name;
    uint64_t revision = 0;
    if (!ParseStreamKey(iterator->key(), &name, &revision) || name != stream) {
      return Status::Corruption(DescribeKey(kEventsColumnFamily, iterator->key()) +
                                ": malformed events key");
    }
    if (visible_through == kAllVisible) return revision;
    RecordFields fields;
    CONNECTIVITY_RETURN_IF_ERROR(DecodeRecord(iterator->key(), iterator->value(), &fields));
    // A stream's sequences grow with its revisions: the events beyond the
    // watermark are its last ones, and are stepped over.
    if (fields.sequence <= visible_through) return revision;
  }
  CONNECTIVITY_RETURN_IF_ERROR(iterator->status());
  return uint64_t{0};
}

std::unique_ptr<EventCursor> NewErrorCursor(Status status) {
  return std::make_unique<ErrorCursor>(std::move(status));
}

}  // namespace connectivity::journal
