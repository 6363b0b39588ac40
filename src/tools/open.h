// Opening a data directory for journal-replay.
//
// Reading commands open the journal as a RocksDB secondary instance: it
// takes no lock, so it works next to a running server, and it cannot write
// the data dir. A secondary keeps files of its own (an info log, its view of
// the MANIFEST); those go to a fresh directory under $TMPDIR (else /tmp),
// never inside the data dir, which is removed when the handle closes.
//
// Writing commands (import, rebuild-snapshots) open read-write, which takes
// RocksDB's LOCK: a running server's data dir is refused with kBusy.
//
// Handles are not thread-safe and must not be moved while in use.
#ifndef CONNECTIVITY_SRC_TOOLS_OPEN_H_
#define CONNECTIVITY_SRC_TOOLS_OPEN_H_

#include <memory>
#include <string>

#include "journal/journal.h"
#include "src/base/clock.h"
#include "src/base/status.h"
#include "storage/store.h"

namespace connectivity::tools {

// A directory made by mkdtemp under $TMPDIR (else /tmp), removed with its
// contents on destruction.
class SecondaryDir {
 public:
  static Result<std::unique_ptr<SecondaryDir>> Make(const std::string& data_dir);
  ~SecondaryDir();
  SecondaryDir(const SecondaryDir&) = delete;
  SecondaryDir& operator=(const SecondaryDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit SecondaryDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A journal opened for one command. Destruction closes the journal, then
// removes the secondary's directory (in that order).
struct OpenedJournal {
  std::unique_ptr<SecondaryDir> secondary_dir;  // null for read-write opens
  std::unique_ptr<journal::Journal> journal;

  ~OpenedJournal() { journal.reset(); }
  journal::Journal& operator*() { return *journal; }
  journal::Journal* operator->() { return journal.get(); }
};

// kNotFound unless `data_dir` is a directory holding a RocksDB database.
Status CheckJournalDir(const std::string& data_dir);

// Read-only view (secondary instance). kNotFound if `data_dir` does not
// exist or holds no journal. With `journal_uri` (etcd://...), the cluster's
// etcd journal, read-only (`data_dir`, if given, is an instance's local
// snapshots, read as a secondary; else a private temporary store).
Result<std::unique_ptr<OpenedJournal>> OpenJournalForReading(const std::string& data_dir,
                                                             const std::string& journal_uri = "");

// Read-write (takes the lock), creating the journal if the dir holds none.
// kBusy if a server holds the dir. `clock`
// (may be null: the system clock) stamps appended events; it must outlive
// the journal.
Result<std::unique_ptr<OpenedJournal>> OpenJournalForWriting(const std::string& data_dir,
                                                             const Clock* clock);
// The cluster's etcd journal for writing (import), with its local
// snapshots in a private temporary store.
Result<std::unique_ptr<OpenedJournal>> OpenEtcdJournalForWriting(const std::string& journal_uri, const Clock* clock);

// The journal's RocksDB without the journal on top: every column family of
// journal/codec.h, as raw keys and values (verify reads every key with it;
// the plain-scan benchmark iterates it). Secondary instance, as above.
struct OpenedStore {
  std::unique_ptr<SecondaryDir> secondary_dir;
  std::unique_ptr<storage::Store> store;

  ~OpenedStore() { store.reset(); }
};
Result<std::unique_ptr<OpenedStore>> OpenStoreForReading(const std::string& data_dir);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_OPEN_H_
