// Recovery and history with encrypted secrets: the journal holds the sealed
// form, the recovered states the plaintext (src/projector/secret_codec.h).
#include <gtest/gtest.h>

#include "src/crypto/connection_secrets.h"
#include "src/recovery/history.h"
#include "src/recovery/recovery.h"
#include "tests/recovery/recovery_test_util.h"

namespace connectivity::recovery::testing {
namespace {

using projector::EventType;

constexpr std::string_view kPassword = "pa55-w0rd";

std::string WithPassword(std::string json) {
  const std::string from = "tcp://127.0.0.1:1883";
  json.replace(json.find(from), from.size(), "tcp://user:" + std::string(kPassword) + "@127.0.0.1:1883");
  return json;
}

std::unique_ptr<crypto::ConnectionSecrets> Secrets(const std::string& key, const std::string& old_key = "") {
  crypto::EncryptionSettings settings;
  settings.enabled = !key.empty();
  settings.key = key;
  settings.old_key = old_key;
  auto made = crypto::ConnectionSecrets::Make(settings);
  EXPECT_TRUE(std::holds_alternative<std::unique_ptr<crypto::ConnectionSecrets>>(made));
  return std::move(std::get<std::unique_ptr<crypto::ConnectionSecrets>>(made));
}

class EncryptedRecoveryTest : public JournalTest {
 protected:
  // Appends a create/modify whose stored payload is sealed; the model folds plaintext.
  void AppendSealed(const std::string& id, EventType type) {
    journal::AppendRequest request;
    request.stream = id;
    request.expected_revision = model_[id].revision;
    request.type = static_cast<uint8_t>(type);
    const std::string plain = WithPassword(projector::testing::CanonicalJson(id, "closed"));
    request.payload = plain;
    ASSERT_TRUE(secrets_->Seal(request.payload).ok());
    ASSERT_EQ(request.payload.find(kPassword), std::string::npos);
    Result<journal::Event> event = journal_->AppendAndWait(std::move(request));
    ASSERT_TRUE(event.ok());
    event->payload = plain;
    ASSERT_TRUE(projector::Apply(model_[id], *event).ok());
  }
  void WriteSealedRows() {
    std::vector<journal::StateRow> rows;
    for (const auto& [id, state] : model_) {
      Result<std::string> blob = projector::EncodeSealedSnapshot(state, *secrets_);
      ASSERT_TRUE(blob.ok());
      ASSERT_EQ(blob->find(kPassword), std::string::npos);
      rows.push_back({id, *blob});
    }
    ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, journal_->last_sequence(), true).ok());
  }
  void ExpectRecoveredEqualsModel(const projector::SecretCodec& secrets) {
    Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance(), secrets);
    ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
    ASSERT_EQ(recovered->states.size(), model_.size());
    for (const projector::ConnectionState& state : recovered->states) EXPECT_EQ(state, model_[state.id]) << state.id;
  }

  const std::string key_ = crypto::AesKey::Generate().ToText();
  std::unique_ptr<crypto::ConnectionSecrets> secrets_ = Secrets(key_);
};

TEST_F(EncryptedRecoveryTest, RowsAndTailAreOpenedIntoPlaintext) {
  AppendSealed("a", EventType::kCreated);
  AppendSealed("b", EventType::kCreated);
  WriteSealedRows();
  AppendSealed("a", EventType::kModified);  // the tail after the watermark
  Append("b", EventType::kOpened);
  ExpectRecoveredEqualsModel(*secrets_);
}

TEST_F(EncryptedRecoveryTest, ARebuildFromTheJournalOpensTheEventsToo) {
  AppendSealed("a", EventType::kCreated);
  AppendSealed("a", EventType::kModified);
  // Rows that disagree with the journal (a stale row at a later watermark).
  std::vector<journal::StateRow> rows = {{"a", *projector::EncodeSealedSnapshot(model_["a"], *secrets_)}};
  ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, journal_->last_sequence() + 0, true).ok());
  AppendSealed("b", EventType::kCreated);
  rows = {{"b", *projector::EncodeSealedSnapshot(model_["b"], *secrets_)}};
  ASSERT_TRUE(journal_->snapshots().WriteStateRows(rows, journal_->last_sequence() + 5, true).ok());
  Result<Recovered> recovered = Recover(*journal_, *SystemClock::Instance(), *secrets_);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->report.rebuilt);
  ASSERT_EQ(recovered->states.size(), 2u);
  for (const projector::ConnectionState& state : recovered->states) EXPECT_EQ(state, model_[state.id]);
}

TEST_F(EncryptedRecoveryTest, TheOldKeyReadsDuringARotation) {
  AppendSealed("a", EventType::kCreated);
  WriteSealedRows();
  AppendSealed("a", EventType::kModified);
  ExpectRecoveredEqualsModel(*Secrets(crypto::AesKey::Generate().ToText(), key_));
}

TEST_F(EncryptedRecoveryTest, WithoutAKeyTheStoredFormIsFoldedAndAWrongKeyStops) {
  AppendSealed("a", EventType::kCreated);
  WriteSealedRows();
  Result<Recovered> keyless = Recover(*journal_, *SystemClock::Instance(), *Secrets(""));
  ASSERT_TRUE(keyless.ok());
  EXPECT_NE(keyless->states[0].json, model_["a"].json);
  EXPECT_NE(keyless->states[0].json.find("tcp://user:encrypted_"), std::string::npos);
  Result<Recovered> wrong = Recover(*journal_, *SystemClock::Instance(), *Secrets(crypto::AesKey::Generate().ToText()));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find(crypto::kDecryptionFailedMessage), std::string::npos);
  EXPECT_EQ(wrong.status().message().find(kPassword), std::string::npos);
}

TEST_F(EncryptedRecoveryTest, HistoryOpensSnapshotsAndEvents) {
  AppendSealed("a", EventType::kCreated);
  const projector::ConnectionState at_one = model_["a"];
  std::vector<journal::HistoricalSnapshot> historical = {
      {"a", 1, *projector::EncodeSealedSnapshot(at_one, *secrets_)}};
  ASSERT_TRUE(journal_->snapshots().PutHistorical(historical, true).ok());
  AppendSealed("a", EventType::kModified);
  for (uint64_t revision : {1, 2}) {
    Result<std::optional<projector::ConnectionState>> state = StateAtRevision(*journal_, "a", revision, *secrets_);
    ASSERT_TRUE(state.ok() && state->has_value());
    EXPECT_NE((*state)->json.find(kPassword), std::string::npos);
  }
  EXPECT_EQ((*StateAtRevision(*journal_, "a", 2, *secrets_))->json, model_["a"].json);
}

}  // namespace
}  // namespace connectivity::recovery::testing
