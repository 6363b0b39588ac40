#include "src/cluster/cluster.h"

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "journal/etcd/etcd_client.h"
#include "journal/etcd/etcd_codec.h"
#include "journal/etcd/etcd_watch.h"
#include "src/base/log.h"
#include "src/model/connection_id.h"

namespace connectivity::cluster {
namespace {

using SteadyClock = std::chrono::steady_clock;
namespace etcd = journal::etcd;

constexpr std::string_view kClaimsInfix = "o/";
// How often waiting claims are tried again, and the lease deadline checked.
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr auto kClaimRetry = std::chrono::seconds(1);

std::string MemberKey(std::string_view instance) { return etcd::InfixBegin(etcd::kMembersInfix) + std::string(instance); }

std::string ClaimKey(std::string_view id, int index) {
  std::string key = etcd::InfixBegin(kClaimsInfix);
  key.append(id);
  key.push_back('\0');
  key += std::to_string(index);
  return key;
}

uint64_t Mix(uint64_t value) {  // splitmix64's finaliser
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// FNV-1a over (connection id, 0x00, instance): the same on every instance
// and every build.
uint64_t Score(std::string_view connection_id, std::string_view instance) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  const auto add = [&hash](std::string_view bytes) {
    for (const char c : bytes) {
      hash ^= static_cast<uint8_t>(c);
      hash *= 0x100000001b3ULL;
    }
  };
  add(connection_id);
  add(std::string_view("\0", 1));
  add(instance);
  return Mix(hash);
}

// A copy of the connection for client `index`: with clientCount > 1 every
// client but the first gets its own MQTT client id (base + "_" + index), so
// the broker sees distinct clients.
model::Connection ForClient(const model::Connection& connection, int index) {
  model::Connection copy = connection;
  if (index == 0) return copy;
  const std::string* configured = model::FindInStringMap(copy.specific_config, "clientId");
  const std::string base = configured != nullptr && !configured->empty() ? *configured : copy.id;
  bool replaced = false;
  for (auto& [key, value] : copy.specific_config) {
    if (key == "clientId") {
      value = base + "_" + std::to_string(index);
      replaced = true;
    }
  }
  if (!replaced) copy.specific_config.emplace_back("clientId", base + "_" + std::to_string(index));
  return copy;
}

}  // namespace

std::vector<std::string> RankInstances(std::string_view connection_id, std::vector<std::string> instances) {
  std::sort(instances.begin(), instances.end(), [connection_id](const std::string& a, const std::string& b) {
    const uint64_t score_a = Score(connection_id, a);
    const uint64_t score_b = Score(connection_id, b);
    return score_a != score_b ? score_a > score_b : a < b;
  });
  return instances;
}

Result<std::unique_ptr<Cluster>> Cluster::Connect(const std::string& journal_uri, int64_t request_timeout_us,
                                                  ClusterOptions options, connect::Supervisor& supervisor) {
  Result<std::vector<std::string>> endpoints = etcd::ParseEtcdUri(journal_uri);
  if (!endpoints.ok()) return endpoints.status();
  etcd::EtcdClientOptions client_options;
  client_options.endpoints = std::move(*endpoints);
  client_options.request_timeout_us = request_timeout_us;
  Result<std::shared_ptr<etcd::EtcdClient>> client = etcd::EtcdClient::Connect(client_options);
  if (!client.ok()) return client.status();
  auto cluster = std::make_unique<Cluster>(std::move(*client), std::move(options), supervisor);
  CONNECTIVITY_RETURN_IF_ERROR(cluster->Start());
  return cluster;
}

Cluster::Cluster(std::shared_ptr<etcd::EtcdClient> client, ClusterOptions options, connect::Supervisor& supervisor)
    : client_(std::move(client)), options_(std::move(options)), supervisor_(supervisor) {}

Cluster::~Cluster() { Stop(); }

Status Cluster::Start() {
  int64_t revision = 0;
  CONNECTIVITY_RETURN_IF_ERROR(LoadMembers(&revision));
  members_watch_ = std::make_unique<etcd::EtcdWatch>(
      client_, etcd::InfixBegin(etcd::kMembersInfix), etcd::InfixEnd(etcd::kMembersInfix), revision + 1,
      [this](etcd::WatchBatch&& batch) { OnMembers(std::move(batch)); });
  claims_watch_ = std::make_unique<etcd::EtcdWatch>(
      client_, etcd::InfixBegin(kClaimsInfix), etcd::InfixEnd(kClaimsInfix), revision + 1,
      [this](etcd::WatchBatch&& batch) { OnClaims(std::move(batch)); });
  members_watch_->Start();
  claims_watch_->Start();
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "cluster");
  lease_thread_ = std::thread([this] { RunLease(); });
  pthread_setname_np(lease_thread_.native_handle(), "cluster-lease");
  return Status::Ok();
}

void Cluster::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  if (thread_.joinable()) thread_.join();
  if (members_watch_) members_watch_->Stop();
  if (claims_watch_) claims_watch_->Stop();
  // Close every client here first, then give their claims and our member
  // key back at once by revoking the lease: the others take over now
  // rather than after the TTL.
  std::map<std::string, Local, std::less<>> local;
  int64_t lease = 0;
  {
    std::lock_guard lock(mutex_);
    local.swap(local_);
    lease = lease_;
    lease_ = 0;
  }
  std::mutex closed_mutex;
  std::condition_variable closed_wake;
  size_t open = local.size();
  for (const auto& [id, entry] : local) {
    supervisor_.Close(id, [&] {
      std::lock_guard lock(closed_mutex);
      --open;
      closed_wake.notify_all();
    });
  }
  {
    std::unique_lock lock(closed_mutex);
    closed_wake.wait_for(lock, std::chrono::seconds(10), [&] { return open == 0; });
  }
  if (lease != 0) {
    etcdserverpb::LeaseRevokeRequest request;
    request.set_id(lease);
    etcdserverpb::LeaseRevokeResponse response;
    const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
    (void)client_->lease().LeaseRevoke(context.get(), request, &response);
  }
}

// --- placement ------------------------------------------------------------------

void Cluster::Desire(std::shared_ptr<const model::Connection> connection,
                     std::function<void(std::optional<model::DittoError>)> first_attempt) {
  const std::string id = connection->id;
  std::function<void(std::optional<model::DittoError>)> answer_now;
  {
    std::lock_guard lock(mutex_);
    Wanted& wanted = wanted_[id];
    if (wanted.first_attempt) answer_now = std::move(wanted.first_attempt);
    wanted.connection = std::move(connection);
    wanted.first_attempt = std::move(first_attempt);
    wanted.reopen = true;
  }
  if (answer_now) answer_now(std::nullopt);
  Post([this] { Reconcile(); });
}

void Cluster::Release(std::string_view id) {
  std::function<void(std::optional<model::DittoError>)> answer_now;
  {
    std::lock_guard lock(mutex_);
    const auto it = wanted_.find(id);
    if (it == wanted_.end()) return;
    answer_now = std::move(it->second.first_attempt);
    wanted_.erase(it);
  }
  if (answer_now) answer_now(std::nullopt);
  Post([this] { Reconcile(); });
}

// --- the reconcile thread ----------------------------------------------------------

void Cluster::Post(Task task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_all();
}

void Cluster::Run() {
  auto next_retry = SteadyClock::now() + kClaimRetry;
  while (true) {
    std::deque<Task> tasks;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kTick, [this] { return !tasks_.empty() || stopping_; });
      if (stopping_) return;
      tasks.swap(tasks_);
    }
    for (Task& task : tasks) task();
    // The lease deadline, and claims another instance still held.
    if (tasks.empty() || SteadyClock::now() >= next_retry) {
      Reconcile();
      next_retry = SteadyClock::now() + kClaimRetry;
    }
  }
}

void Cluster::Reconcile() {
  std::map<std::string, int, std::less<>> target;  // id -> the client index to run here
  std::vector<std::tuple<std::string, int, bool>> drop;  // id, index, whether a claim is held
  std::vector<std::pair<std::string, int>> claim;
  std::vector<std::pair<model::Connection, std::function<void(std::optional<model::DittoError>)>>> reopen;
  std::string drop_all;
  // Commands waiting for a first connect that will not happen here now:
  // answered at once (the owner connects when it can, as after a restart).
  std::vector<std::function<void(std::optional<model::DittoError>)>> answer_now;
  const auto answer_waiting = [&answer_now](Wanted& wanted) {
    if (wanted.first_attempt) answer_now.push_back(std::move(wanted.first_attempt));
    wanted.first_attempt = nullptr;
  };
  {
    std::lock_guard lock(mutex_);
    if (lease_ == 0 || SteadyClock::now() >= lease_valid_until_) {
      if (!local_.empty()) {
        drop_all = lease_ == 0 ? "this instance has no lease (etcd unreachable or the lease expired)"
                               : "the etcd lease could not be renewed in time";
      }
      for (auto& [id, wanted] : wanted_) answer_waiting(wanted);
    }
  }
  for (auto& answer : answer_now) answer(std::nullopt);
  answer_now.clear();
  if (!drop_all.empty()) return DropAll(drop_all);
  {
    std::lock_guard lock(mutex_);
    if (lease_ == 0 || SteadyClock::now() >= lease_valid_until_) return;
    std::vector<std::string> instances;
    for (const auto& [name, member] : members_) instances.push_back(name);
    if (!members_.count(options_.instance)) instances.push_back(options_.instance);
    for (const auto& [id, wanted] : wanted_) {
      const int count = static_cast<int>(std::max<int64_t>(1, wanted.connection->client_count));
      const std::vector<std::string> ranked = RankInstances(id, instances);
      for (int k = 0; k < count && k < static_cast<int>(ranked.size()); ++k) {
        if (ranked[k] == options_.instance) {
          target.emplace(id, k);
          break;
        }
      }
    }
    for (auto it = local_.begin(); it != local_.end();) {
      const auto wanted = target.find(it->first);
      if (wanted == target.end() || wanted->second != it->second.index) {
        if (!it->second.claiming) {
          drop.emplace_back(it->first, it->second.index, it->second.running);
          it = local_.erase(it);
          continue;
        }
      }
      ++it;
    }
    for (auto& [id, wanted] : wanted_) {
      const auto mine = target.find(id);
      if (mine == target.end() || mine->second != 0) answer_waiting(wanted);  // client 1 runs elsewhere
    }
    for (const auto& [id, index] : target) {
      auto [it, inserted] = local_.try_emplace(id);
      Local& local = it->second;
      Wanted& wanted = wanted_.find(id)->second;
      if (!inserted && local.running && local.index == index && wanted.reopen) {
        reopen.push_back({ForClient(*wanted.connection, index), std::move(wanted.first_attempt)});
        wanted.first_attempt = nullptr;
      }
      wanted.reopen = false;
      if (!inserted && (local.running || local.claiming || local.index != index)) continue;
      local.index = index;
      local.claiming = true;
      claim.emplace_back(id, index);
    }
    stats_.clients_running = 0;
    stats_.claims_waiting = 0;
    for (const auto& [id, local] : local_) {
      if (local.running) ++stats_.clients_running;
      else ++stats_.claims_waiting;
    }
  }
  for (auto& answer : answer_now) answer(std::nullopt);
  for (auto& [connection, first_attempt] : reopen) {
    const std::string id = connection.id;
    supervisor_.Open(connection, [id, first_attempt = std::move(first_attempt)](const connect::ConnectOutcome& outcome) {
      if (!first_attempt) return;
      if (outcome.ok) return first_attempt(std::nullopt);
      first_attempt(model::ConnectionFailed(id, outcome.description));
    });
  }
  for (const auto& [id, index, held] : drop) Drop(id, index, held);
  for (const auto& [id, index] : claim) Claim(id, index);
}

// Creates the claim if absent, attached to our lease (ours already counts).
void Cluster::Claim(const std::string& id, int index) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::TxnRequest request;
    etcdserverpb::TxnResponse response;
  };
  auto call = std::make_shared<Call>();
  const std::string key = ClaimKey(id, index);
  std::string value;
  int64_t lease = 0;
  {
    std::lock_guard lock(mutex_);
    lease = lease_;
  }
  value = ClaimValue();
  etcdserverpb::Compare* absent = call->request.add_compare();
  absent->set_key(key);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_create_revision(0);
  etcdserverpb::PutRequest* put = call->request.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(value);
  put->set_lease(lease);
  call->request.add_failure()->mutable_request_range()->set_key(key);
  call->context = client_->NewContext();
  client_->kv().async()->Txn(call->context.get(), &call->request, &call->response,
                             [this, call, id, index, value](grpc::Status status) {
    bool held = false;
    if (status.ok()) {
      if (call->response.succeeded()) {
        held = true;
      } else {
        const auto& kvs = call->response.responses(0).response_range().kvs();
        held = !kvs.empty() && kvs[0].value() == value;
      }
    }
    Post([this, id, index, held] { OnClaimed(id, index, held); });
  });
}

void Cluster::OnClaimed(const std::string& id, int index, bool held) {
  std::shared_ptr<const model::Connection> connection;
  std::function<void(std::optional<model::DittoError>)> first_attempt;
  bool release = false;
  {
    std::lock_guard lock(mutex_);
    const auto local = local_.find(id);
    const auto wanted = wanted_.find(id);
    if (local == local_.end() || local->second.index != index || wanted == wanted_.end()) {
      release = held;  // no longer ours to run
      if (local != local_.end() && local->second.index == index) local_.erase(local);
    } else {
      local->second.claiming = false;
      if (!held) {
        // Another instance still holds the claim: answer now, connect later.
        first_attempt = std::move(wanted->second.first_attempt);
        wanted->second.first_attempt = nullptr;
      }
      if (held) {
        local->second.running = true;
        connection = wanted->second.connection;
        if (index == 0) first_attempt = std::move(wanted->second.first_attempt);
        wanted->second.first_attempt = nullptr;
      }
    }
  }
  if (release) return DeleteClaim(id, index);
  if (connection == nullptr) {
    if (first_attempt) first_attempt(std::nullopt);
    return;
  }
  log::Debug("cluster", "running client " + std::to_string(index) + " of '" + id + "'");
  supervisor_.Open(ForClient(*connection, index), [id, first_attempt = std::move(first_attempt)](
                                                      const connect::ConnectOutcome& outcome) {
    if (!first_attempt) return;
    if (outcome.ok) return first_attempt(std::nullopt);
    first_attempt(model::ConnectionFailed(id, outcome.description));
  });
}

// Closes the client here; once it is closed (the broker saw it go), gives
// its claim back, so that the next owner connects only then.
void Cluster::Drop(const std::string& id, int index, bool delete_claim) {
  log::Debug("cluster", "handing over client " + std::to_string(index) + " of '" + id + "'");
  supervisor_.Close(id, [this, id, index, delete_claim] {
    if (delete_claim) DeleteClaim(id, index);
  });
}

void Cluster::DeleteClaim(const std::string& id, int index) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    etcdserverpb::TxnRequest request;
    etcdserverpb::TxnResponse response;
  };
  auto call = std::make_shared<Call>();
  const std::string key = ClaimKey(id, index);
  etcdserverpb::Compare* mine = call->request.add_compare();
  mine->set_key(key);
  mine->set_target(etcdserverpb::Compare::VALUE);
  mine->set_result(etcdserverpb::Compare::EQUAL);
  mine->set_value(ClaimValue());
  etcdserverpb::DeleteRangeRequest* remove = call->request.add_success()->mutable_request_delete_range();
  remove->set_key(key);
  call->context = client_->NewContext();
  client_->kv().async()->Txn(call->context.get(), &call->request, &call->response, [call](grpc::Status) {});
}

void Cluster::DropAll(const std::string& why) {
  std::map<std::string, Local, std::less<>> local;
  {
    std::lock_guard lock(mutex_);
    local.swap(local_);
    stats_.clients_dropped_at_deadline += local.size();
  }
  if (local.empty()) return;
  log::Warn("cluster", "closing the " + std::to_string(local.size()) + " clients of this instance: " + why +
                           "; other instances take them over once the lease expires");
  // The claims stay: they expire with the lease, and another instance
  // claims only then, after these clients are closed.
  for (const auto& [id, entry] : local) supervisor_.Close(id);
}

// --- lease and members ------------------------------------------------------------------

std::string Cluster::ClaimValue() const {
  std::lock_guard lock(mutex_);
  char lease[32];
  std::snprintf(lease, sizeof(lease), "%llx", static_cast<unsigned long long>(lease_));
  return options_.instance + "@" + lease;
}

void Cluster::RunLease() {
  const auto third = std::chrono::microseconds(options_.lease_ttl_us / 3);
  bool told_busy = false;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    int64_t lease = 0;
    {
      std::lock_guard lock(mutex_);
      lease = lease_;
    }
    auto pause = third;
    if (lease == 0) {
      const Status registered = GrantAndRegister();
      if (!registered.ok()) {
        if (!told_busy || !registered.IsConflict()) log::Warn("cluster", registered.message());
        told_busy = registered.IsConflict();
        pause = std::chrono::milliseconds(500);
      } else {
        told_busy = false;
        log::Info("cluster", "instance '" + options_.instance + "' joined the cluster as " + options_.advertise);
        Post([this] { Reconcile(); });
      }
    } else if (!KeepAliveOnce()) {
      pause = std::chrono::milliseconds(500);
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, pause, [this] { return stopping_; });
  }
}

Status Cluster::GrantAndRegister() {
  const int64_t ttl_s = std::max<int64_t>(2, (options_.lease_ttl_us + 999'999) / 1'000'000);
  etcdserverpb::LeaseGrantRequest grant;
  grant.set_ttl(ttl_s);
  etcdserverpb::LeaseGrantResponse granted;
  const auto sent = SteadyClock::now();
  {
    const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
    const grpc::Status status = client_->lease().LeaseGrant(context.get(), grant, &granted);
    if (!status.ok()) return journal::etcd::ToStatus(status, "granting the cluster lease");
  }
  const std::string key = MemberKey(options_.instance);
  etcdserverpb::TxnRequest request;
  etcdserverpb::Compare* absent = request.add_compare();
  absent->set_key(key);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_create_revision(0);
  etcdserverpb::PutRequest* put = request.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(options_.advertise);
  put->set_lease(granted.id());
  Result<etcdserverpb::TxnResponse> response = client_->Txn(request);
  if (!response.ok() || !response->succeeded()) {
    etcdserverpb::LeaseRevokeRequest revoke;
    revoke.set_id(granted.id());
    etcdserverpb::LeaseRevokeResponse revoked;
    const std::unique_ptr<grpc::ClientContext> context = client_->NewContext();
    (void)client_->lease().LeaseRevoke(context.get(), revoke, &revoked);
    if (!response.ok()) return response.status();
    return Status::Conflict("instance id '" + options_.instance +
                            "' is a live member already (an earlier process whose lease has not expired yet, "
                            "or another process with the same --instance); waiting for it to leave");
  }
  std::lock_guard lock(mutex_);
  lease_ = granted.id();
  lease_valid_until_ = sent + std::chrono::microseconds(granted.ttl() * 1'000'000 * 2 / 3);
  stats_.lease_valid = true;
  return Status::Ok();
}

// One renewal; false if etcd did not answer. A lease etcd no longer knows
// (it expired) means joining again with a new one.
bool Cluster::KeepAliveOnce() {
  int64_t lease = 0;
  {
    std::lock_guard lock(mutex_);
    lease = lease_;
  }
  const auto sent = SteadyClock::now();
  const std::unique_ptr<grpc::ClientContext> context = client_->NewContext(options_.lease_ttl_us / 3);
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::LeaseKeepAliveRequest, etcdserverpb::LeaseKeepAliveResponse>>
      stream = client_->lease().LeaseKeepAlive(context.get());
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseKeepAliveResponse response;
  const bool answered = stream->Write(request) && stream->Read(&response);
  stream->WritesDone();
  context->TryCancel();
  (void)stream->Finish();
  if (!answered) return false;
  std::lock_guard lock(mutex_);
  if (lease_ != lease) return true;
  if (response.ttl() <= 0) {
    log::Warn("cluster", "the etcd lease of this instance expired; joining again");
    lease_ = 0;
    stats_.lease_valid = false;
    return true;
  }
  const bool was_invalid = sent >= lease_valid_until_;
  lease_valid_until_ = sent + std::chrono::microseconds(response.ttl() * 1'000'000 * 2 / 3);
  stats_.lease_valid = true;
  if (was_invalid) tasks_.push_back([this] { Reconcile(); });
  return true;
}

Status Cluster::LoadMembers(int64_t* revision) {
  etcdserverpb::RangeRequest request;
  request.set_key(etcd::InfixBegin(etcd::kMembersInfix));
  request.set_range_end(etcd::InfixEnd(etcd::kMembersInfix));
  std::map<std::string, Member, std::less<>> members;
  const size_t prefix = etcd::InfixBegin(etcd::kMembersInfix).size();
  CONNECTIVITY_RETURN_IF_ERROR(client_->RangeAll(
      request, 0,
      [&members, prefix](const mvccpb::KeyValue& kv) {
        const std::string instance = kv.key().substr(prefix);
        members[instance] = Member{instance, kv.value()};
        return Status::Ok();
      },
      revision));
  std::lock_guard lock(mutex_);
  members_ = std::move(members);
  stats_.members = members_.size();
  return Status::Ok();
}

void Cluster::OnMembers(etcd::WatchBatch&& batch) {
  const size_t prefix = etcd::InfixBegin(etcd::kMembersInfix).size();
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    for (const mvccpb::Event& event : batch.events) {
      const std::string instance = event.kv().key().substr(prefix);
      if (event.type() == mvccpb::Event::PUT) {
        members_[instance] = Member{instance, event.kv().value()};
      } else {
        members_.erase(instance);
      }
      changed = true;
    }
    stats_.members = members_.size();
  }
  if (batch.compacted_revision != 0) {
    // Missed changes: read the members again (a new watch follows from there).
    log::Warn("cluster", "the members watch was compacted; reading the members again");
  }
  if (changed) Post([this] { Reconcile(); });
}

void Cluster::OnClaims(etcd::WatchBatch&& batch) {
  bool released = false;
  for (const mvccpb::Event& event : batch.events) released = released || event.type() == mvccpb::Event::DELETE;
  if (released) Post([this] { Reconcile(); });
}

// --- queries ---------------------------------------------------------------------

std::optional<Member> Cluster::OwnerOf(std::string_view id, int index) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> instances;
  for (const auto& [name, member] : members_) instances.push_back(name);
  const std::vector<std::string> ranked = RankInstances(id, instances);
  if (index < 0 || index >= static_cast<int>(ranked.size())) return std::nullopt;
  return members_.find(ranked[index])->second;
}

std::optional<Member> Cluster::FindMember(std::string_view instance) const {
  std::lock_guard lock(mutex_);
  const auto it = members_.find(instance);
  if (it == members_.end()) return std::nullopt;
  return it->second;
}

std::vector<Member> Cluster::members() const {
  std::lock_guard lock(mutex_);
  std::vector<Member> members;
  for (const auto& [name, member] : members_) members.push_back(member);
  return members;
}

bool Cluster::RunsHere(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = local_.find(id);
  return it != local_.end() && it->second.running;
}

ClusterStats Cluster::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace connectivity::cluster
