// A journal in a temp dir plus helpers to append connection events.
#ifndef CONNECTIVITY_TESTS_RECOVERY_RECOVERY_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_RECOVERY_RECOVERY_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>

#include "journal/journal.h"
#include "journal/snapshot_store.h"
#include "src/projector/apply.h"
#include "src/projector/snapshot_codec.h"
#include "storage/temp_dir.h"
#include "tests/projector/projector_test_util.h"

namespace connectivity::recovery::testing {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    journal_.reset();
    auto opened = journal::Journal::Open(dir_.Sub("data"), journal::JournalOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    journal_ = std::move(*opened);
  }
  // Appends an event and folds it into `model_` (the expected states).
  journal::Event Append(const std::string& id, projector::EventType type, const std::string& status = "closed") {
    journal::AppendRequest request;
    request.stream = id;
    request.expected_revision = model_[id].revision;
    request.type = static_cast<uint8_t>(type);
    if (type == projector::EventType::kCreated || type == projector::EventType::kModified) {
      request.payload = projector::testing::CanonicalJson(id, status);
    }
    Result<journal::Event> event = journal_->AppendAndWait(std::move(request));
    EXPECT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_TRUE(projector::Apply(model_[id], *event).ok());
    return *event;
  }
  // Writes the current model states as state rows at the journal's last sequence.
  void WriteStateRows() {
    std::vector<journal::StateRow> rows;
    for (const auto& [id, state] : model_) rows.push_back({id, projector::EncodeSnapshot(state)});
    ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, journal_->last_sequence(), true).ok());
  }

  storage::ScopedTempDir dir_{"recovery-test"};
  std::unique_ptr<journal::Journal> journal_;
  std::map<std::string, projector::ConnectionState> model_;
};

}  // namespace connectivity::recovery::testing

#endif  // CONNECTIVITY_TESTS_RECOVERY_RECOVERY_TEST_UTIL_H_
