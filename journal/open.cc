#include "journal/open.h"

#include "journal/etcd/etcd_client.h"
#include "journal/etcd/etcd_journal.h"

namespace connectivity::journal {

Result<std::unique_ptr<Journal>> OpenJournal(const std::string& dir, const JournalOptions& options) {
  if (options.uri.empty()) return Journal::Open(dir, options);
  CONNECTIVITY_RETURN_IF_ERROR(ValidateJournalUri(options.uri));
  return etcd::EtcdJournal::Open(dir, options);
}

Status ValidateJournalUri(std::string_view uri) {
  if (uri.empty()) return Status::Ok();
  if (!etcd::IsEtcdUri(uri)) {
    return Status::InvalidArgument("must be etcd://HOST:PORT[,HOST:PORT...] (or unset for the RocksDB journal in --data-dir), got '" +
                                   std::string(uri) + "'");
  }
  Result<std::vector<std::string>> endpoints = etcd::ParseEtcdUri(uri);
  return endpoints.ok() ? Status::Ok() : endpoints.status();
}

}  // namespace connectivity::journal
