#include "journal/etcd/etcd_client.h"

#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <mutex>

#include <algorithm>
#include <chrono>

namespace connectivity::journal::etcd {
namespace {

constexpr std::string_view kScheme = "etcd://";
// Keys per page of a range; halved while an answer exceeds gRPC's 4 MiB.
constexpr int64_t kPageKeysMax = 512;

bool IsNumericIpv4(std::string_view host) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// gRPC's channel target for the endpoints: every address of a numeric list
// (round robin over the members), else the first name through DNS.
std::string ChannelTarget(const std::vector<std::string>& endpoints) {
  bool numeric = true;
  for (const std::string& endpoint : endpoints) {
    numeric = numeric && IsNumericIpv4(std::string_view(endpoint).substr(0, endpoint.rfind(':')));
  }
  if (!numeric) return "dns:///" + endpoints.front();
  std::string target = "ipv4:";
  for (size_t i = 0; i < endpoints.size(); ++i) target += (i ? "," : "") + endpoints[i];
  return target;
}

}  // namespace

bool IsEtcdUri(std::string_view uri) { return uri.substr(0, kScheme.size()) == kScheme; }

Result<std::vector<std::string>> ParseEtcdUri(std::string_view uri) {
  if (!IsEtcdUri(uri)) return Status::InvalidArgument("'" + std::string(uri) + "' is not an etcd:// URI");
  std::string_view rest = uri.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::vector<std::string> endpoints;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view endpoint = rest.substr(0, comma);
    const size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == endpoint.size() ||
        endpoint.find_first_not_of("0123456789", colon + 1) != std::string_view::npos) {
      return Status::InvalidArgument("'" + std::string(endpoint) + "' in '" + std::string(uri) +
                                     "' is not HOST:PORT");
    }
    endpoints.emplace_back(endpoint);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (endpoints.empty()) return Status::InvalidArgument("'" + std::string(uri) + "' names no endpoint");
  return endpoints;
}

Status ToStatus(const grpc::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  const std::string& message = status.error_message();
  const std::string context = std::string(what) + ": ";
  if (message.find("database space exceeded") != std::string::npos) {
    return Status::NoSpace(context +
                           "etcd's storage quota is exhausted (NOSPACE alarm): no change was made; an "
                           "operator must compact, defragment and disarm the alarm (README, Running a cluster)");
  }
  if (message.find("request is too large") != std::string::npos) {
    return Status::InvalidArgument(context + "the request is larger than etcd's --max-request-bytes");
  }
  if (message.find("required revision has been compacted") != std::string::npos) {
    return Status::NotFound(context + "etcd compacted the revision asked for");
  }
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return Status::InvalidArgument(context + "an answer was larger than gRPC accepts: " + message);
  }
  return Status::Unavailable(context + "etcd did not answer (" + message +
                             "); without a quorum of members the journal cannot be read or written");
}

bool OutcomeUnknown(const grpc::Status& status) {
  if (status.ok()) return false;
  const Status mapped = ToStatus(status, "");
  return mapped.IsUnavailable();
}

EtcdClient::EtcdClient(const EtcdClientOptions& options) : options_(options) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A member that comes back is used again within a second.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  channel_ = grpc::CreateCustomChannel(ChannelTarget(options.endpoints),
                                       grpc::InsecureChannelCredentials(), args);
  kv_ = etcdserverpb::KV::NewStub(channel_);
  watch_ = etcdserverpb::Watch::NewStub(channel_);
  lease_ = etcdserverpb::Lease::NewStub(channel_);
  maintenance_ = etcdserverpb::Maintenance::NewStub(channel_);
  cluster_ = etcdserverpb::Cluster::NewStub(channel_);
}

Result<std::shared_ptr<EtcdClient>> EtcdClient::Connect(const EtcdClientOptions& options) {
  if (options.endpoints.empty()) return Status::InvalidArgument("no etcd endpoint given");
  // Debian's Abseil keeps absl::Mutex's deadlock detection on, so every lock
  // gRPC takes updated a global lock graph (GraphCycles showed in profiles
  // of the append path); gRPC's locking is not ours to check.
  static std::once_flag quiet;
  std::call_once(quiet, [] { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); });
  std::shared_ptr<EtcdClient> client(new EtcdClient(options));
  return client;
}

std::unique_ptr<grpc::ClientContext> EtcdClient::NewContext(int64_t timeout_us) const {
  auto context = std::make_unique<grpc::ClientContext>();
  const int64_t micros = timeout_us > 0 ? timeout_us : options_.request_timeout_us;
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(micros));
  // Wait for a member that is starting (or for the channel to connect)
  // instead of failing at once; the deadline still bounds the call.
  context->set_wait_for_ready(true);
  return context;
}

Result<etcdserverpb::RangeResponse> EtcdClient::Range(const etcdserverpb::RangeRequest& request) {
  etcdserverpb::RangeResponse response;
  const std::unique_ptr<grpc::ClientContext> context = NewContext();
  const grpc::Status status = kv_->Range(context.get(), request, &response);
  if (!status.ok()) return ToStatus(status, "etcd range");
  return response;
}

Result<etcdserverpb::TxnResponse> EtcdClient::Txn(const etcdserverpb::TxnRequest& request) {
  etcdserverpb::TxnResponse response;
  const std::unique_ptr<grpc::ClientContext> context = NewContext();
  const grpc::Status status = kv_->Txn(context.get(), request, &response);
  if (!status.ok()) return ToStatus(status, "etcd transaction");
  return response;
}

Result<etcdserverpb::PutResponse> EtcdClient::Put(const etcdserverpb::PutRequest& request) {
  etcdserverpb::PutResponse response;
  const std::unique_ptr<grpc::ClientContext> context = NewContext();
  const grpc::Status status = kv_->Put(context.get(), request, &response);
  if (!status.ok()) return ToStatus(status, "etcd put");
  return response;
}

Result<int64_t> EtcdClient::CurrentRevision() {
  etcdserverpb::RangeRequest request;
  request.set_key("connectivity/format");
  request.set_count_only(true);
  Result<etcdserverpb::RangeResponse> response = Range(request);
  if (!response.ok()) return response.status();
  return response->header().revision();
}

Status EtcdClient::RangeAll(etcdserverpb::RangeRequest request, int64_t revision,
                            const KeyValueVisitor& visit, int64_t* revision_read) {
  int64_t page = kPageKeysMax;
  request.set_revision(revision);
  while (true) {
    request.set_limit(page);
    etcdserverpb::RangeResponse response;
    const std::unique_ptr<grpc::ClientContext> context = NewContext();
    const grpc::Status status = kv_->Range(context.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && page > 1 &&
        status.error_message().find("space exceeded") == std::string::npos) {
      page /= 2;  // the answer was over 4 MiB: ask for fewer keys
      continue;
    }
    if (!status.ok()) return ToStatus(status, "etcd range");
    if (request.revision() == 0) {
      // Every later page reads the same revision as the first.
      request.set_revision(response.header().revision());
      if (revision_read != nullptr) *revision_read = response.header().revision();
    }
    for (const mvccpb::KeyValue& kv : response.kvs()) CONNECTIVITY_RETURN_IF_ERROR(visit(kv));
    if (!response.more() || response.kvs_size() == 0) return Status::Ok();
    // The next page starts right after the last key.
    std::string next = response.kvs(response.kvs_size() - 1).key();
    next.push_back('\0');
    request.set_key(next);
    page = std::min(page * 2, kPageKeysMax);
  }
}

}  // namespace connectivity::journal::etcd
