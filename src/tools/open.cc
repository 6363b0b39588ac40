#include "src/tools/open.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "journal/codec.h"
#include "journal/open.h"

namespace connectivity::tools {
namespace {

namespace fs = std::filesystem;

// True if `path` is `dir` or lies inside it.
bool IsInside(const fs::path& path, const fs::path& dir) {
  std::error_code error;
  const fs::path canonical_path = fs::weakly_canonical(path, error);
  const fs::path canonical_dir = fs::weakly_canonical(dir, error);
  const std::string path_text = canonical_path.string();
  const std::string dir_text = canonical_dir.string();
  return path_text == dir_text || path_text.starts_with(dir_text + "/");
}

journal::JournalOptions ReadingOptions(const std::string& secondary_path) {
  journal::JournalOptions options;
  options.mode = journal::OpenMode::kSecondary;
  options.secondary_path = secondary_path;
  return options;
}

}  // namespace

Status CheckJournalDir(const std::string& data_dir) {
  std::error_code error;
  if (!fs::is_directory(data_dir, error)) {
    return Status::NotFound(data_dir + " is not a directory");
  }
  if (!fs::exists(fs::path(data_dir) / "CURRENT", error)) {
    return Status::NotFound(data_dir + " holds no journal (no RocksDB CURRENT file)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<SecondaryDir>> SecondaryDir::Make(const std::string& data_dir) {
  const char* tmpdir = std::getenv("TMPDIR");
  fs::path root = tmpdir != nullptr && tmpdir[0] != '\0' ? fs::path(tmpdir) : fs::path("/tmp");
  // SPEC §6: the secondary's files never go into the data dir.
  if (IsInside(root, data_dir)) root = "/tmp";
  if (IsInside(root, data_dir)) {
    return Status::InvalidArgument("no place for the secondary instance's files outside " +
                                   data_dir + " (set TMPDIR)");
  }
  std::string pattern = (root / "journal-replay-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("cannot create a directory under " + root.string() +
                           " for the secondary instance");
  }
  return std::unique_ptr<SecondaryDir>(new SecondaryDir(pattern));
}

SecondaryDir::~SecondaryDir() {
  std::error_code error;
  fs::remove_all(path_, error);
}

Result<std::unique_ptr<OpenedJournal>> OpenJournalForReading(const std::string& data_dir,
                                                             const std::string& journal_uri) {
  if (!journal_uri.empty()) {
    auto opened = std::make_unique<OpenedJournal>();
    journal::JournalOptions options;
    options.mode = journal::OpenMode::kReadOnly;
    options.uri = journal_uri;
    if (!data_dir.empty()) {
      Result<std::unique_ptr<SecondaryDir>> secondary = SecondaryDir::Make(data_dir);
      if (!secondary.ok()) return secondary.status();
      opened->secondary_dir = std::move(*secondary);
      options.mode = journal::OpenMode::kSecondary;
      options.secondary_path = opened->secondary_dir->path();
    }
    Result<std::unique_ptr<journal::Journal>> journal = journal::OpenJournal(data_dir, options);
    if (!journal.ok()) return journal.status();
    opened->journal = std::move(*journal);
    return opened;
  }
  CONNECTIVITY_RETURN_IF_ERROR(CheckJournalDir(data_dir));
  auto opened = std::make_unique<OpenedJournal>();
  Result<std::unique_ptr<SecondaryDir>> secondary = SecondaryDir::Make(data_dir);
  if (!secondary.ok()) return secondary.status();
  opened->secondary_dir = std::move(*secondary);
  Result<std::unique_ptr<journal::Journal>> journal =
      journal::Journal::Open(data_dir, ReadingOptions(opened->secondary_dir->path()));
  if (!journal.ok()) return journal.status();
  opened->journal = std::move(*journal);
  return opened;
}

Result<std::unique_ptr<OpenedJournal>> OpenJournalForWriting(const std::string& data_dir,
                                                             const Clock* clock) {
  journal::JournalOptions options;
  options.mode = journal::OpenMode::kReadWrite;
  options.clock = clock;
  Result<std::unique_ptr<journal::Journal>> journal = journal::Journal::Open(data_dir, options);
  if (!journal.ok()) return journal.status();
  auto opened = std::make_unique<OpenedJournal>();
  opened->journal = std::move(*journal);
  return opened;
}

Result<std::unique_ptr<OpenedJournal>> OpenEtcdJournalForWriting(const std::string& journal_uri, const Clock* clock) {
  journal::JournalOptions options;
  options.mode = journal::OpenMode::kReadWrite;
  options.uri = journal_uri;
  options.clock = clock;
  Result<std::unique_ptr<journal::Journal>> journal = journal::OpenJournal("", options);
  if (!journal.ok()) return journal.status();
  auto opened = std::make_unique<OpenedJournal>();
  opened->journal = std::move(*journal);
  return opened;
}

Result<std::unique_ptr<OpenedStore>> OpenStoreForReading(const std::string& data_dir) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckJournalDir(data_dir));
  auto opened = std::make_unique<OpenedStore>();
  Result<std::unique_ptr<SecondaryDir>> secondary = SecondaryDir::Make(data_dir);
  if (!secondary.ok()) return secondary.status();
  opened->secondary_dir = std::move(*secondary);
  storage::StoreOptions options;
  options.mode = storage::OpenMode::kSecondary;
  options.secondary_path = opened->secondary_dir->path();
  // Every family of the journal's layout, in index order (codec.h); a
  // secondary must name them all.
  for (size_t family = 1; family < journal::kColumnFamilyNames.size(); ++family) {
    options.column_families.push_back({std::string(journal::kColumnFamilyNames[family]), false});
  }
  Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(data_dir, options);
  if (!store.ok()) return store.status();
  opened->store = std::move(*store);
  return opened;
}

}  // namespace connectivity::tools
