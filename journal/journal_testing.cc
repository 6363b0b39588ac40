#include "journal/journal_testing.h"

#include "journal/codec.h"
#include "journal/journal_impl.h"

namespace connectivity::journal {
namespace {

Result<storage::Store*> StoreOf(Journal& journal) {
  auto* impl = dynamic_cast<JournalImpl*>(&journal);
  if (impl == nullptr) {
    return Status::InvalidArgument("TEST_ functions need a journal from Journal::Open");
  }
  return &impl->store();
}

Status CheckColumnFamily(size_t column_family) {
  if (column_family < kColumnFamilyNames.size()) return Status::Ok();
  return Status::InvalidArgument("no column family " + std::to_string(column_family));
}

}  // namespace

Status TEST_PutRaw(Journal& journal, size_t column_family, std::string_view key,
                   std::string_view value) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckColumnFamily(column_family));
  Result<storage::Store*> store = StoreOf(journal);
  if (!store.ok()) return store.status();
  return (*store)->Put(column_family, key, value, /*sync=*/true);
}

Status TEST_DeleteRaw(Journal& journal, size_t column_family, std::string_view key) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckColumnFamily(column_family));
  Result<storage::Store*> store = StoreOf(journal);
  if (!store.ok()) return store.status();
  return (*store)->Delete(column_family, key, /*sync=*/true);
}

Result<std::optional<std::string>> TEST_ReadRaw(Journal& journal, size_t column_family,
                                                std::string_view key) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckColumnFamily(column_family));
  Result<storage::Store*> store = StoreOf(journal);
  if (!store.ok()) return store.status();
  std::string value;
  Result<bool> found = (*store)->Get(column_family, key, &value);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(value));
}

Status TEST_PutRawEvent(Journal& journal, std::string_view stream, uint64_t revision,
                        std::string_view raw_value) {
  return TEST_PutRaw(journal, kEventsColumnFamily, StreamKey(stream, revision), raw_value);
}

Result<std::optional<std::string>> TEST_ReadRawEvent(Journal& journal, std::string_view stream,
                                                     uint64_t revision) {
  return TEST_ReadRaw(journal, kEventsColumnFamily, StreamKey(stream, revision));
}

Status TEST_DeleteEvent(Journal& journal, std::string_view stream, uint64_t revision) {
  return TEST_DeleteRaw(journal, kEventsColumnFamily, StreamKey(stream, revision));
}

Status TEST_PutRawStateRow(Journal& journal, std::string_view stream, std::string_view raw_value) {
  return TEST_PutRaw(journal, kStateColumnFamily, stream, raw_value);
}

Status TEST_PutRawHistorical(Journal& journal, std::string_view stream, uint64_t revision,
                             std::string_view raw_value) {
  return TEST_PutRaw(journal, kHistoryColumnFamily, StreamKey(stream, revision), raw_value);
}

Status TEST_Flush(Journal& journal) {
  Result<storage::Store*> store = StoreOf(journal);
  if (!store.ok()) return store.status();
  return (*store)->Flush();
}

uint64_t TEST_WalSyncs(Journal& journal) {
  auto* impl = dynamic_cast<JournalImpl*>(&journal);
  return impl != nullptr ? impl->store().wal_syncs() : 0;
}

}  // namespace connectivity::journal
