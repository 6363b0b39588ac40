// EtcdJournal's record of one append in flight, shared by its append path (etcd_journal.cc) and
// its delivery thread (etcd_delivery.cc), which completes the append when the watch brings its
// event back. Private to the etcd journal's sources.
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_PENDING_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_PENDING_H_

#include <chrono>
#include <string>

#include "journal/etcd/etcd_journal.h"

namespace connectivity::journal::etcd {

// One append, from Append() until its callback ran.
struct EtcdJournal::Pending {
  AppendRequest request;
  AppendCallback done;
  CommandId command_id{};
  std::chrono::steady_clock::time_point enqueued;
  std::chrono::steady_clock::time_point deadline;
  // Compare: the head's mod_revision at the expected revision; 0 for a new
  // stream; -1 until known (the head is read first).
  int64_t compare_mod_revision = -1;
  int64_t previous_timestamp_us = 0;
  std::string event_key;
  std::string head_key;
  std::string record;  // encoded once: every try sends the same bytes
  std::string head;
  int attempts = 0;
  bool completed = false;  // guarded by the journal's mutex_
};

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_PENDING_H_
