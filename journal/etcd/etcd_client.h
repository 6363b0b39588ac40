// EtcdClient: one gRPC channel to an etcd cluster (every endpoint, round
// robin, so a dead member is skipped), the stubs generated from Debian's
// protocol files, and the few calls the etcd journal and src/cluster make.
//
// Limits
//   gRPC receives at most 4 MiB per message (its default, kept): every range
//   is paged (RangeAll), halving the page after a RESOURCE_EXHAUSTED answer
//   down to one key, which always fits (an event is at most etcd's
//   --max-request-bytes, 1.5 MiB by default); watches ask for fragments.
//   Every call has the request timeout as its deadline.
// Errors (ToStatus)
//   kNoSpace: etcd's NOSPACE alarm (storage quota exhausted);
//   kInvalidArgument: the request is larger than --max-request-bytes;
//   kNotFound: the revision asked for was compacted;
//   kUnavailable: anything else (no quorum, deadline, member gone): for a
//   transaction this means its outcome is unknown.
// Thread-safe (gRPC stubs are).
#ifndef CONNECTIVITY_JOURNAL_ETCD_ETCD_CLIENT_H_
#define CONNECTIVITY_JOURNAL_ETCD_ETCD_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "src/base/status.h"

namespace connectivity::journal::etcd {

struct EtcdClientOptions {
  // host:port of every member.
  std::vector<std::string> endpoints;
  // Deadline of every call (and of an append's retries).
  int64_t request_timeout_us = 5'000'000;
};

// Parses "etcd://HOST:PORT[,HOST:PORT...]" (a trailing '/' allowed).
Result<std::vector<std::string>> ParseEtcdUri(std::string_view uri);
bool IsEtcdUri(std::string_view uri);

// What a failed call means for us (see the header comment).
Status ToStatus(const grpc::Status& status, std::string_view what);
// True for a transaction whose outcome is unknown (it may have been applied).
bool OutcomeUnknown(const grpc::Status& status);

class EtcdClient {
 public:
  static Result<std::shared_ptr<EtcdClient>> Connect(const EtcdClientOptions& options);

  etcdserverpb::KV::Stub& kv() { return *kv_; }
  etcdserverpb::Watch::Stub& watch() { return *watch_; }
  etcdserverpb::Lease::Stub& lease() { return *lease_; }
  etcdserverpb::Maintenance::Stub& maintenance() { return *maintenance_; }
  etcdserverpb::Cluster::Stub& cluster() { return *cluster_; }
  const EtcdClientOptions& options() const { return options_; }

  // A context whose deadline is the request timeout (or `timeout_us`).
  std::unique_ptr<grpc::ClientContext> NewContext(int64_t timeout_us = 0) const;

  Result<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& request);
  Result<etcdserverpb::TxnResponse> Txn(const etcdserverpb::TxnRequest& request);
  Result<etcdserverpb::PutResponse> Put(const etcdserverpb::PutRequest& request);

  // The cluster's current revision, by a linearizable (quorum) read.
  Result<int64_t> CurrentRevision();

  // Every key in [key, range_end) at `revision` (0: now; the revision read
  // is stored in *revision_read), in key order, page by page. `request`
  // sets the rest (keys_only, min_mod_revision, ...). Stops at the first
  // non-OK status `visit` returns.
  using KeyValueVisitor = std::function<Status(const mvccpb::KeyValue& kv)>;
  Status RangeAll(etcdserverpb::RangeRequest request, int64_t revision, const KeyValueVisitor& visit,
                  int64_t* revision_read = nullptr);

 private:
  explicit EtcdClient(const EtcdClientOptions& options);

  const EtcdClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance_;
  std::unique_ptr<etcdserverpb::Cluster::Stub> cluster_;
};

}  // namespace connectivity::journal::etcd

#endif  // CONNECTIVITY_JOURNAL_ETCD_ETCD_CLIENT_H_
