// Cluster: this instance's membership in the cluster, and the ownership of
// live connections (SPEC §8, ARCHITECTURE.md "Beyond one machine"). Like a
// Kubernetes controller it reconciles desired state (the connections whose
// desired status is open, from the projection) with what runs here.
//
// Keys (under etcd_codec.h's prefix; no checksum: they are not journal)
//   "m/" instance                -> the instance's advertised HOST:PORT, leased
//   "o/" id 0x00 client-index    -> "instance@lease" of the client's owner, leased
//
// Membership: one etcd lease (--cluster-lease-ttl, at least 2 s), renewed
// every third of the TTL; the member key is attached to it, so a dead
// instance leaves the cluster when its lease expires.
// Ownership: client k of connection c belongs to the k-th instance when the
// live instances are ranked by a hash of (c, instance) (rendezvous hashing:
// clientCount > 1 puts the clients on distinct instances; clients beyond the
// number of instances run nowhere). An instance runs a client only while it
// holds the client's claim key, created only if absent and attached to its
// lease. So at most one instance runs a client at any time:
//   * a hand-over (an instance joined, the ranking changed): the old owner
//     closes the client, then deletes its claim; the new owner claims once
//     the key is gone;
//   * a takeover (an owner died): its lease expires, etcd deletes its
//     claims, the new owner claims;
//   * an owner that cannot renew its lease closes every client at a local
//     deadline, two thirds of the TTL after the last renewal it sent, before
//     etcd can expire the lease and let another instance claim.
// Threads: one reconcile thread ("cluster") does all the deciding, fed by
// the lease thread ("cluster-lease"), two watches (members, claims) and
// Desire/Release from any thread; etcd answers come on gRPC's threads and
// are posted to it.
#ifndef CONNECTIVITY_CLUSTER_CLUSTER_H_
#define CONNECTIVITY_CLUSTER_CLUSTER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/base/status.h"
#include "src/cluster/placement.h"
#include "src/connect/supervisor.h"

// gRPC's headers stay out of this one (they bring Abseil's annotation macros,
// which clash with src/base/mutex.h's).
namespace connectivity::journal::etcd {
class EtcdClient;
class EtcdWatch;
struct WatchBatch;
}  // namespace connectivity::journal::etcd

namespace connectivity::cluster {

struct ClusterOptions {
  std::string instance;   // --instance
  std::string advertise;  // HOST:PORT other instances reach this one at
  int64_t lease_ttl_us = 10'000'000;
};

struct Member {
  std::string instance;
  std::string address;
};

struct ClusterStats {
  uint64_t members = 0;
  uint64_t clients_running = 0;  // clients this instance runs
  uint64_t claims_waiting = 0;   // clients this instance should run, claimed by another still
  bool lease_valid = false;
  uint64_t clients_dropped_at_deadline = 0;
};

// The instances ranked for a connection (rendezvous hashing): the owner of
// client k is ranked[k]. Pure; exposed for tests.
std::vector<std::string> RankInstances(std::string_view connection_id, std::vector<std::string> instances);

class Cluster final : public Placement {
 public:
  // Connects to the etcd cluster of `journal_uri` (etcd://...) with its own
  // gRPC channel and starts (Start()).
  static Result<std::unique_ptr<Cluster>> Connect(const std::string& journal_uri, int64_t request_timeout_us,
                                                  ClusterOptions options, connect::Supervisor& supervisor);

  Cluster(std::shared_ptr<journal::etcd::EtcdClient> client, ClusterOptions options,
          connect::Supervisor& supervisor);
  ~Cluster() override;  // Stop()
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Grants the lease, registers (waiting for an earlier process of the same
  // instance id to leave), reads the members and starts the threads.
  Status Start();
  // Closes the clients here, deletes their claims and the member key.
  void Stop();

  void Desire(std::shared_ptr<const model::Connection> connection,
              std::function<void(std::optional<model::DittoError>)> first_attempt) override;
  void Release(std::string_view id) override;

  // The instance that runs client `index` of `id`, if any is live.
  std::optional<Member> OwnerOf(std::string_view id, int index) const;
  std::optional<Member> FindMember(std::string_view instance) const;
  std::vector<Member> members() const;
  // Whether this instance runs (a client of) `id` now.
  bool RunsHere(std::string_view id) const;
  const std::string& instance() const { return options_.instance; }
  ClusterStats stats() const;

 private:
  struct Wanted {
    std::shared_ptr<const model::Connection> connection;
    std::function<void(std::optional<model::DittoError>)> first_attempt;
    // Desired again (a modify, an open of an open one) while its client runs
    // here: the Supervisor gets the configuration again.
    bool reopen = false;
  };
  struct Local {  // a client this instance runs or is claiming
    int index = 0;
    bool running = false;   // claim held and the Supervisor runs it
    bool claiming = false;  // a claim transaction is in flight
  };
  using Task = std::function<void()>;

  void Post(Task task);
  void Run();
  void Reconcile();
  void Claim(const std::string& id, int index);
  void OnClaimed(const std::string& id, int index, bool held);
  void Drop(const std::string& id, int index, bool delete_claim);
  void DeleteClaim(const std::string& id, int index);
  void DropAll(const std::string& why);

  // Lease and member key.
  void RunLease();
  Status GrantAndRegister();
  bool KeepAliveOnce();
  std::string ClaimValue() const;

  void OnMembers(journal::etcd::WatchBatch&& batch);
  void OnClaims(journal::etcd::WatchBatch&& batch);
  Status LoadMembers(int64_t* revision);

  const std::shared_ptr<journal::etcd::EtcdClient> client_;
  const ClusterOptions options_;
  connect::Supervisor& supervisor_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_;                        // guarded by mutex_
  bool stopping_ = false;                         // guarded by mutex_
  std::map<std::string, Member, std::less<>> members_;  // guarded by mutex_
  int64_t lease_ = 0;                             // guarded by mutex_: 0 while none
  // Steady time before which the lease certainly holds (2/3 TTL after the
  // last renewal's request was sent).
  std::chrono::steady_clock::time_point lease_valid_until_{};  // guarded by mutex_
  std::map<std::string, Wanted, std::less<>> wanted_;          // guarded by mutex_
  std::map<std::string, Local, std::less<>> local_;            // guarded by mutex_
  ClusterStats stats_;                                         // guarded by mutex_
  bool dropped_for_lease_ = false;                             // reconcile thread only

  std::unique_ptr<journal::etcd::EtcdWatch> members_watch_;
  std::unique_ptr<journal::etcd::EtcdWatch> claims_watch_;
  std::thread thread_;
  std::thread lease_thread_;
};

}  // namespace connectivity::cluster

#endif  // CONNECTIVITY_CLUSTER_CLUSTER_H_
