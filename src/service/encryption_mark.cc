#include "src/service/encryption_mark.h"

#include "journal/codec.h"

namespace connectivity::service {

bool EncryptionMark::IsMarked(journal::Journal& journal) {
  Result<std::optional<std::string>> mark = journal.ReadMetaBlob(journal::kEncryptionMarkKey);
  return !mark.ok() || mark->has_value();
}

Status EncryptionMark::Ensure() {
  if (written_.load(std::memory_order_acquire)) return Status::Ok();
  MutexLock lock(mutex_);
  if (written_.load(std::memory_order_relaxed)) return Status::Ok();
  Result<std::optional<std::string>> mark = journal_.ReadMetaBlob(journal::kEncryptionMarkKey);
  if (!mark.ok()) return mark.status();
  if (!mark->has_value()) {
    CONNECTIVITY_RETURN_IF_ERROR(
        journal_.WriteMetaBlob(journal::kEncryptionMarkKey, std::string_view("1"), /*sync=*/true));
  }
  written_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status EncryptionMark::Remove() {
  MutexLock lock(mutex_);
  CONNECTIVITY_RETURN_IF_ERROR(journal_.WriteMetaBlob(journal::kEncryptionMarkKey, std::nullopt, /*sync=*/true));
  written_.store(false, std::memory_order_release);
  return Status::Ok();
}

}  // namespace connectivity::service
