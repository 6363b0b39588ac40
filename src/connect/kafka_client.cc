// Kafka with librdkafka: a producer handle whose metadata request proves the cluster reachable
// (and, with SASL, the credentials accepted); then the metadata of every source topic and static
// target topic, one request each (address.h). The producer is configured with
// allow.auto.create.topics=false (a producer's default is true, and brokers, the mock cluster
// too, create a topic that a metadata request allows), so a check never creates what it reports
// missing. rd_kafka_metadata blocks for its whole timeout when
// the broker is down, so the request is made in growing slices (100 ms .. 1 s) with
// rd_kafka_poll in between, and the first decisive error_cb (all brokers down, authentication,
// TLS) ends the attempt at once. While open: a failed metadata request (on a fresh handle, see
// KafkaCheckSession) every recheck interval is the loss.
//
// Outbound safety: librdkafka resolves every broker it learns from metadata itself, so the
// resolve_cb hands it only addresses that passed the outbound rules (through our HostResolver),
// and connect_cb refuses any address that did not come from there. Host names stay names, so TLS
// verifies them. The mock cluster used in tests has no SASL and no TLS.
#include <librdkafka/rdkafka.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <variant>

#include "src/base/mutex.h"
#include "src/connect/address.h"
#include "src/connect/clients.h"
#include "src/connect/pooled_client.h"
#include "src/connect/resolver.h"

namespace connectivity::connect {
namespace {

struct AddrInfoBlock {  // one resolve_cb result entry and its address, freed together
  addrinfo info;
  sockaddr_storage address;
};

class KafkaSession {
 public:
  KafkaSession(const ConnectTarget& target, const ClientSettings& settings,
               SessionContext& context)
      : target_(target), settings_(settings), context_(context) {}
  ~KafkaSession() {
    if (handle_ != nullptr) rd_kafka_destroy_flags(handle_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  // The first check: the cluster, then every source and static target topic.
  ConnectOutcome Connect() {
    ConnectOutcome connected = Reach(context_.deadline_us());
    if (!connected.ok) return connected;
    return CheckTopics(std::move(connected));
  }

  // A producer handle and a metadata request within `deadline_us`.
  ConnectOutcome Reach(int64_t deadline_us) {
    for (const HostPort& server : target_.bootstrap) {  // fail fast on a blocked bootstrap host
      CheckedAddresses checked = CheckedResolve(settings_, server.host, deadline_us);
      if (checked.failure != FailureKind::kNone) return Failure(checked.failure, target_, checked.detail);
    }
    char error[512] = {};
    rd_kafka_conf_t* conf = MakeConf(error, sizeof(error));
    if (conf == nullptr) return Failure(FailureKind::kOther, target_, error);
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
    if (handle_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Failure(FailureKind::kOther, target_, error);
    }
    return Probe(deadline_us, /*fail_fast=*/true);
  }

 private:
  rd_kafka_conf_t* MakeConf(char* error, size_t size) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::string servers;
    for (const HostPort& server : target_.bootstrap) {
      servers += (servers.empty() ? "" : ",") + JoinHostPort(server.host, server.port);
    }
    const std::string timeout_ms = std::to_string(std::max<int64_t>(1000, settings_.timeout_us / 1000));
    const bool sasl = target_.username.has_value();
    const char* protocol = target_.tls.enabled ? (sasl ? "SASL_SSL" : "SSL")
                                               : (sasl ? "SASL_PLAINTEXT" : "PLAINTEXT");
    std::vector<std::pair<std::string, std::string>> settings = {
        {"bootstrap.servers", servers},
        {"client.id", target_.connection_id},
        {"socket.connection.setup.timeout.ms", timeout_ms},
        {"reconnect.backoff.ms", "100"},
        {"reconnect.backoff.max.ms", "1000"},
        {"security.protocol", protocol},
        {"allow.auto.create.topics", "false"},
    };
    if (sasl) {
      settings.push_back({"sasl.mechanisms", target_.sasl_mechanism});
      settings.push_back({"sasl.username", *target_.username});
      settings.push_back({"sasl.password", target_.password.value_or("")});
    }
    AppendTls(settings);
    for (const auto& [name, value] : settings) {
      if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return nullptr;
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_error_cb(conf, &OnError);
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    rd_kafka_conf_set_resolve_cb(conf, &OnResolve);
    rd_kafka_conf_set_connect_cb(conf, &OnConnect);
    return conf;
  }

  void AppendTls(std::vector<std::pair<std::string, std::string>>& settings) const {
    const TlsOptions& tls = target_.tls;
    if (!tls.enabled) return;
    settings.push_back({"enable.ssl.certificate.verification", tls.validate_certificates ? "true" : "false"});
    settings.push_back({"ssl.endpoint.identification.algorithm", tls.validate_certificates ? "https" : "none"});
    if (tls.ca_pem) settings.push_back({"ssl.ca.pem", *tls.ca_pem});
    if (tls.client_cert_pem) settings.push_back({"ssl.certificate.pem", *tls.client_cert_pem});
    if (tls.client_key_pem) settings.push_back({"ssl.key.pem", *tls.client_key_pem});
  }

  // The metadata of each topic (of sources, then static targets; each topic asked once).
  ConnectOutcome CheckTopics(ConnectOutcome connected) {
    const CheckPlan plan = PlanChecks(target_);
    std::map<std::string, AddressCheck> by_topic;
    std::vector<AddressCheck> checks;
    auto check = [&](bool source, const std::string& address, const std::string& topic) -> std::optional<ConnectOutcome> {
      auto it = by_topic.find(topic);
      if (it == by_topic.end()) {
        std::variant<AddressCheck, ConnectOutcome> result = TopicMetadata(topic);
        if (auto* failure = std::get_if<ConnectOutcome>(&result)) return std::move(*failure);
        it = by_topic.emplace(topic, std::get<AddressCheck>(result)).first;
      }
      checks.push_back({source, address, it->second.ok, it->second.detail});
      return std::nullopt;
    };
    for (const std::string& topic : plan.sources) {
      if (std::optional<ConnectOutcome> failure = check(true, topic, topic)) return *failure;
    }
    for (const std::string& address : plan.targets) {
      if (std::optional<ConnectOutcome> failure = check(false, address, KafkaTopicOfTarget(address))) {
        return *failure;
      }
    }
    return ConcludeChecks(target_, std::move(connected), std::move(checks));
  }

  // One metadata request for `topic`: the check, or the failure of the request itself.
  std::variant<AddressCheck, ConnectOutcome> TopicMetadata(const std::string& topic) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(handle_, topic.c_str(), nullptr);
    if (handle == nullptr) {
      return AddressCheck{true, topic, false, rd_kafka_err2str(rd_kafka_last_error())};
    }
    const int64_t left_ms = std::max<int64_t>(1, (context_.deadline_us() - SteadyMicros()) / 1000);
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(handle_, 0, handle, &metadata, static_cast<int>(left_ms));
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const FailureKind kind = err == RD_KAFKA_RESP_ERR__TIMED_OUT ? FailureKind::kTimeout : FailureKind::kProtocol;
      return Failure(kind, target_, "metadata of topic '" + topic + "': " + rd_kafka_err2str(err));
    }
    AddressCheck result{true, topic, false, "not in the broker's metadata"};
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& entry = metadata->topics[i];
      if (entry.topic == nullptr || topic != entry.topic) continue;
      if (entry.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        result.ok = true;
        result.detail = "Topic exists (" + std::to_string(entry.partition_cnt) +
                        " partitions); this service does not consume or publish messages.";
      } else {
        result.detail = rd_kafka_err2str(entry.err);
      }
    }
    rd_kafka_metadata_destroy(metadata);
    return result;
  }

  // A metadata request in slices until `deadline_us`, failing at the first decisive error.
  ConnectOutcome Probe(int64_t deadline_us, bool fail_fast) {
    int64_t slice_ms = 10;  // short first: error_cb is only served between slices
    for (;;) {
      rd_kafka_poll(handle_, 0);
      if (fail_fast) {
        if (std::optional<ConnectOutcome> failure = TakeFailure()) return *failure;
      }
      const int64_t left_ms = (deadline_us - SteadyMicros()) / 1000;
      if (left_ms <= 0) {
        return Failure(FailureKind::kTimeout, target_,
                       "no metadata from the cluster, " + WithinSeconds(settings_.timeout_us));
      }
      if (context_.stop_requested()) return Failure(FailureKind::kOther, target_, "closed");
      const rd_kafka_metadata_t* metadata = nullptr;
      const rd_kafka_resp_err_t err = rd_kafka_metadata(
          handle_, 0, nullptr, &metadata, static_cast<int>(std::min(slice_ms, left_ms)));
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const int brokers = metadata->broker_cnt;
        rd_kafka_metadata_destroy(metadata);
        return Success(target_, "CONNECTED, " + std::to_string(brokers) + " broker(s) in metadata");
      }
      slice_ms = std::min<int64_t>(slice_ms * 2, 1000);
    }
  }

  std::optional<ConnectOutcome> TakeFailure() {
    MutexLock lock(mutex_);
    std::optional<ConnectOutcome> failure = std::move(failure_);
    failure_.reset();
    return failure;
  }

  // error_cb: the first error of a broker is kept; it becomes decisive when all brokers are down.
  // Authentication, TLS and fatal errors are decisive at once.
  void RecordError(rd_kafka_resp_err_t err, const char* reason) {
    MutexLock lock(mutex_);
    FailureKind kind = FailureKind::kProtocol;
    std::string detail = reason;
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) {
      kind = FailureKind::kAuthentication;
    } else if (err == RD_KAFKA_RESP_ERR__SSL) {
      kind = FailureKind::kTls;
    } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      kind = KindOfFirstError();
      if (kind == FailureKind::kBlockedHost) {
        detail = blocked_;
      } else if (kind == FailureKind::kRefused) {
        detail = std::string(kRefusedDetail) + " (" + first_error_ + ")";
      } else if (!first_error_.empty()) {
        detail = first_error_;
      }
    } else if (!rd_kafka_fatal_error(handle_, nullptr, 0)) {
      if (first_error_.empty()) {
        first_error_ = reason;
        first_error_code_ = err;
      }
      return;  // one broker; decisive only when all are down
    }
    first_error_.clear();
    if (!failure_) failure_ = Failure(kind, target_, detail);
  }

  FailureKind KindOfFirstError() const REQUIRES(mutex_) {
    if (!blocked_.empty()) return FailureKind::kBlockedHost;
    if (first_error_code_ == RD_KAFKA_RESP_ERR__RESOLVE) return FailureKind::kUnresolvable;
    if (first_error_code_ == RD_KAFKA_RESP_ERR__TRANSPORT) {
      if (first_error_.find("Connection refused") != std::string::npos) return FailureKind::kRefused;
      if (first_error_.find("timed out") != std::string::npos) return FailureKind::kTimeout;
      return FailureKind::kOther;
    }
    return first_error_.empty() ? FailureKind::kOther : FailureKind::kProtocol;
  }

  static void OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<KafkaSession*>(opaque)->RecordError(static_cast<rd_kafka_resp_err_t>(err), reason);
  }

  static int OnResolve(const char* node, const char* service, const addrinfo* hints,
                       addrinfo** result, void* opaque) {
    if (node == nullptr && service == nullptr && hints == nullptr) {
      for (addrinfo* next; *result != nullptr; *result = next) {
        next = (*result)->ai_next;
        std::free(*result);  // the address lives in the same block
      }
      return 0;
    }
    return static_cast<KafkaSession*>(opaque)->Resolve(node, service, result);
  }

  int Resolve(const char* node, const char* service, addrinfo** result) {
    CheckedAddresses checked =
        CheckedResolve(settings_, node, SteadyMicros() + settings_.timeout_us);
    if (checked.failure != FailureKind::kNone) {
      MutexLock lock(mutex_);
      if (checked.failure == FailureKind::kBlockedHost) blocked_ = checked.detail;
      return EAI_NONAME;
    }
    const int port = service != nullptr ? std::atoi(service) : 0;
    addrinfo* head = nullptr;
    for (auto it = checked.addresses.rbegin(); it != checked.addresses.rend(); ++it) {
      auto* block = static_cast<AddrInfoBlock*>(std::calloc(1, sizeof(AddrInfoBlock)));
      block->info.ai_family = it->is_v6 ? AF_INET6 : AF_INET;
      block->info.ai_socktype = SOCK_STREAM;
      block->info.ai_protocol = IPPROTO_TCP;
      block->info.ai_addrlen = ToSockaddr(*it, port, &block->address);
      block->info.ai_addr = reinterpret_cast<sockaddr*>(&block->address);
      block->info.ai_next = head;
      head = &block->info;
      MutexLock lock(mutex_);
      checked_.push_back(*it);
    }
    *result = head;
    return 0;
  }

  static int OnConnect(int fd, const sockaddr* address, int length, const char*, void* opaque) {
    auto* session = static_cast<KafkaSession*>(opaque);
    const std::optional<IpAddress> ip = model::IpAddressFromSockaddr(address);
    {
      MutexLock lock(session->mutex_);
      if (!ip || std::find(session->checked_.begin(), session->checked_.end(), *ip) ==
                     session->checked_.end()) {
        return EACCES;  // never reached: every address comes from Resolve
      }
    }
    if (::connect(fd, address, static_cast<socklen_t>(length)) != 0 && errno != EINPROGRESS) {
      return errno;
    }
    return 0;
  }

  const ConnectTarget& target_;
  const ClientSettings& settings_;
  SessionContext& context_;
  rd_kafka_t* handle_ = nullptr;
  Mutex mutex_;  // error_cb, resolve_cb and connect_cb run on librdkafka's threads
  std::optional<ConnectOutcome> failure_ GUARDED_BY(mutex_);
  std::string first_error_ GUARDED_BY(mutex_);
  rd_kafka_resp_err_t first_error_code_ GUARDED_BY(mutex_) = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string blocked_ GUARDED_BY(mutex_);
  std::vector<IpAddress> checked_ GUARDED_BY(mutex_);
};

// librdkafka starts threads for every handle (its main thread and one per broker): no handle is
// kept between checks. Each check, the first and every recheck, makes a fresh handle and destroys
// it (a few milliseconds against the local mock), so an open connection costs no thread at all.
class KafkaCheckSession final : public CheckSession {
 public:
  KafkaCheckSession(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context)
      : target_(target), settings_(settings), context_(context) {}

  ConnectOutcome Connect() override { return KafkaSession(target_, settings_, context_).Connect(); }

  std::optional<ConnectOutcome> Recheck() override {
    ConnectOutcome again = KafkaSession(target_, settings_, context_).Reach(SteadyMicros() + settings_.timeout_us);
    if (again.ok) return std::nullopt;
    again.description = "connection lost: " + again.description;
    return again;
  }

 private:
  const ConnectTarget& target_;
  const ClientSettings& settings_;
  SessionContext& context_;
};

}  // namespace

std::unique_ptr<CheckSession> MakeKafkaCheckSession(const ConnectTarget& target, const ClientSettings& settings,
                                                    SessionContext& context) {
  return std::make_unique<KafkaCheckSession>(target, settings, context);
}

std::unique_ptr<Client> MakeKafkaClient(ConnectTarget target, SharedSettings settings,
                                        ClientCallbacks callbacks) {
  return MakeThreadedCheckClient(std::move(target), std::move(settings), &MakeKafkaCheckSession,
                                 std::move(callbacks));
}

}  // namespace connectivity::connect
