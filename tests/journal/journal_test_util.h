// Helpers for the journal tests: open a journal, build requests, drain a
// cursor into a vector.
#ifndef CONNECTIVITY_TESTS_JOURNAL_JOURNAL_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_JOURNAL_JOURNAL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "tests/storage/test_util.h"

namespace connectivity::journal {

// Opens `dir`; on failure records a test failure and returns null.
inline std::unique_ptr<Journal> OpenJournal(const std::string& dir,
                                            const JournalOptions& options = {}) {
  Result<std::unique_ptr<Journal>> journal = Journal::Open(dir, options);
  EXPECT_TRUE(journal.ok()) << journal.status().ToString();
  return journal.ok() ? std::move(*journal) : nullptr;
}

inline AppendRequest Request(std::string stream, uint64_t expected_revision,
                             std::string payload = "payload", uint8_t type = 1) {
  return AppendRequest{std::move(stream), expected_revision, type, std::move(payload)};
}

// Every event up to the clean end, or the first error.
inline Result<std::vector<Event>> Drain(EventCursor& cursor) {
  std::vector<Event> events;
  while (true) {
    Result<std::optional<Event>> next = cursor.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return events;
    events.push_back(std::move(**next));
  }
}

inline void ExpectSameEvent(const Event& actual, const Event& expected) {
  EXPECT_EQ(actual.stream, expected.stream);
  EXPECT_EQ(actual.revision, expected.revision);
  EXPECT_EQ(actual.sequence, expected.sequence);
  EXPECT_EQ(actual.timestamp_us, expected.timestamp_us);
  EXPECT_EQ(actual.type, expected.type);
  EXPECT_EQ(actual.payload, expected.payload);
}

}  // namespace connectivity::journal

#endif  // CONNECTIVITY_TESTS_JOURNAL_JOURNAL_TEST_UTIL_H_
