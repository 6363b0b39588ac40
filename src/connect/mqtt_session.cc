#include "src/connect/mqtt_session.h"

#include <mqtt_protocol.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "src/connect/address.h"

namespace connectivity::connect {
namespace {

void OnConnack(mosquitto*, void* data, int rc, int, const mosquitto_property*) {
  static_cast<MqttSession*>(data)->connack = rc;
}

void OnSubscribe(mosquitto*, void* data, int mid, int count, const int* granted, const mosquitto_property*) {
  for (SubscriptionCheck& check : static_cast<MqttSession*>(data)->subscriptions) {
    if (check.mid == mid && !check.codes) check.codes.emplace(granted, granted + count);
  }
}

void OnDisconnect(mosquitto*, void* data, int rc, const mosquitto_property*) {
  auto* session = static_cast<MqttSession*>(data);
  session->disconnect_errno = errno;  // the cause of MOSQ_ERR_ERRNO, before anything clobbers it
  session->disconnect_rc = rc;
}

bool IsV5(const MqttSession& session) { return session.target.protocol == Protocol::kMqtt5; }

int KeepAliveSeconds(const MqttSession& session) {
  const int configured = session.target.keep_alive_s > 0
                             ? session.target.keep_alive_s
                             : static_cast<int>(session.settings->heartbeat_us / 1'000'000);
  return std::clamp(configured, 5, 65535);  // libmosquitto refuses less than 5 s
}

std::optional<ConnectOutcome> ConfigureTls(MqttSession& session) {
  Result<SslContextPtr> context = NewClientContext(session.target.tls, session.target.endpoint.host);
  if (!context.ok()) return Failure(FailureKind::kTls, session.target, context.status().message());
  session.ssl_context = std::move(*context);
  mosquitto_int_option(session.mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
  mosquitto_void_option(session.mosq, MOSQ_OPT_SSL_CTX, session.ssl_context.get());
  return std::nullopt;
}

}  // namespace

void InitMosquittoOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::optional<ConnectOutcome> StartMosquittoConnect(MqttSession& session) {
  const ConnectTarget& target = session.target;
  const IpAddress address = session.addresses[session.next_address++];
  session.connack.reset();
  session.disconnect_rc.reset();
  session.tcp_connected = false;
  session.mosq = mosquitto_new(target.client_id.c_str(), true, &session);
  if (session.mosq == nullptr) return Failure(FailureKind::kOther, target, "mosquitto_new failed");
  mosquitto_int_option(session.mosq, MOSQ_OPT_PROTOCOL_VERSION,
                       IsV5(session) ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  mosquitto_int_option(session.mosq, MOSQ_OPT_TCP_NODELAY, 1);
  if (target.username) {
    mosquitto_username_pw_set(session.mosq, target.username->c_str(),
                              target.password ? target.password->c_str() : nullptr);
  }
  if (target.tls.enabled) {
    if (std::optional<ConnectOutcome> failure = ConfigureTls(session)) return failure;
  }
  mosquitto_connect_v5_callback_set(session.mosq, &OnConnack);
  mosquitto_subscribe_v5_callback_set(session.mosq, &OnSubscribe);
  mosquitto_disconnect_v5_callback_set(session.mosq, &OnDisconnect);
  errno = 0;
  const int rc = mosquitto_connect_async(session.mosq, address.ToString().c_str(),
                                         ConnectPort(target), KeepAliveSeconds(session));
  if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_CONN_PENDING) return std::nullopt;
  if (rc == MOSQ_ERR_ERRNO) return SocketLostOutcome(session, rc, errno);
  if (rc == MOSQ_ERR_TLS) return TlsFailure(session);
  return Failure(FailureKind::kOther, target, mosquitto_strerror(rc));
}

ConnectOutcome ConnackOutcome(const MqttSession& session) {
  const int rc = session.connack.value_or(-1);
  if (rc == 0) return Success(session.target, "CONNECTED");
  const std::string text =
      "CONNACK " + std::to_string(rc) + " " +
      (IsV5(session) ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
  const bool denied = IsV5(session) ? (rc == MQTT_RC_BAD_USERNAME_OR_PASSWORD ||
                                       rc == MQTT_RC_NOT_AUTHORIZED)
                                    : (rc == CONNACK_REFUSED_BAD_USERNAME_PASSWORD ||
                                       rc == CONNACK_REFUSED_NOT_AUTHORIZED);
  return Failure(denied ? FailureKind::kAuthentication : FailureKind::kProtocol, session.target,
                 text);
}

std::optional<ConnectOutcome> StartSubscriptionChecks(MqttSession& session) {
  session.subscriptions.clear();
  for (const SourceAddresses& source : session.target.sources) {
    SubscriptionCheck check;
    check.qos = std::clamp(source.qos, 0, 2);
    for (const std::string& filter : source.addresses) {
      if (!IsSharedSubscription(filter)) check.filters.push_back(filter);
    }
    if (!check.filters.empty()) session.subscriptions.push_back(std::move(check));
  }
  const int options = IsV5(session) ? MQTT_SUB_OPT_SEND_RETAIN_NEVER : 0;
  for (SubscriptionCheck& check : session.subscriptions) {
    std::vector<char*> filters;
    for (std::string& filter : check.filters) filters.push_back(filter.data());
    const int rc = mosquitto_subscribe_multiple(session.mosq, &check.mid, static_cast<int>(filters.size()),
                                                filters.data(), check.qos, options, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      return Failure(FailureKind::kProtocol, session.target,
                     std::string("cannot subscribe: ") + mosquitto_strerror(rc));
    }
  }
  return std::nullopt;
}

bool SubscriptionChecksDone(const MqttSession& session) {
  return std::all_of(session.subscriptions.begin(), session.subscriptions.end(),
                     [](const SubscriptionCheck& check) { return check.codes.has_value(); });
}

ConnectOutcome ConcludeSubscriptionChecks(MqttSession& session, ConnectOutcome connected) {
  std::vector<AddressCheck> checks;
  std::vector<std::string> granted;
  for (const SubscriptionCheck& check : session.subscriptions) {
    if (check.codes->size() != check.filters.size()) {
      return Failure(FailureKind::kProtocol, session.target,
                     "the SUBACK has " + std::to_string(check.codes->size()) + " codes for " +
                         std::to_string(check.filters.size()) + " topic filters");
    }
    for (size_t i = 0; i < check.filters.size(); ++i) {
      const int code = (*check.codes)[i];
      const std::string status = SubAckStatusText(code, IsV5(session));
      if (IsSubAckError(code)) {
        checks.push_back({true, check.filters[i], false, status});
      } else {
        checks.push_back({true, check.filters[i], true,
                          "Subscribed (SUBACK " + status +
                              ") and unsubscribed again; this service does not consume messages."});
        granted.push_back(check.filters[i]);
      }
    }
  }
  if (!granted.empty()) {
    std::vector<char*> filters;
    for (std::string& filter : granted) filters.push_back(filter.data());
    mosquitto_unsubscribe_multiple(session.mosq, nullptr, static_cast<int>(filters.size()),
                                   filters.data(), nullptr);
  }
  return ConcludeChecks(session.target, std::move(connected), std::move(checks));
}

ConnectOutcome TlsFailure(const MqttSession& session) {
  std::string detail = TakeLastVerifyError();
  const std::string queue = DrainSslErrors();
  if (detail.empty()) {
    detail = queue.empty() ? "TLS handshake failed" : queue;
  } else {
    detail = "certificate verification failed: " + detail;
  }
  return Failure(FailureKind::kTls, session.target, detail);
}

ConnectOutcome SocketLostOutcome(const MqttSession& session, int rc, int errno_value) {
  const bool connecting = session.phase != MqttSession::Phase::kOpen;
  if (rc == MOSQ_ERR_TLS) return TlsFailure(session);
  if (rc == MOSQ_ERR_ERRNO && errno_value != 0) {
    if (connecting && errno_value == ECONNREFUSED) {
      return Failure(FailureKind::kRefused, session.target, kRefusedDetail);
    }
    const FailureKind kind = connecting ? KindForErrno(errno_value) : FailureKind::kOther;
    return Failure(kind, session.target,
                   (connecting ? "" : "connection lost: ") + ErrnoText(errno_value));
  }
  if (connecting) {
    // The peer accepted and then hung up, or sent something that is not MQTT.
    return Failure(FailureKind::kProtocol, session.target,
                   std::string("the peer closed the connection before CONNACK (") +
                       mosquitto_strerror(rc) + ")");
  }
  if (rc == MOSQ_ERR_KEEPALIVE) {
    return Failure(FailureKind::kOther, session.target,
                   "connection lost: no PINGRESP within the keep-alive");
  }
  return Failure(FailureKind::kOther, session.target,
                 std::string("connection lost: ") + mosquitto_strerror(rc));
}

void DestroyMosquitto(MqttSession& session, bool send_disconnect) {
  if (session.mosq == nullptr) return;
  if (send_disconnect && mosquitto_socket(session.mosq) >= 0) {
    mosquitto_disconnect_v5(session.mosq, 0, nullptr);  // written at once (not threaded)
  }
  mosquitto_destroy(session.mosq);
  session.mosq = nullptr;
  session.ssl_context.reset();  // libmosquitto held its own reference
}

uint32_t DesiredEvents(const MqttSession& session) {
  uint32_t events = EPOLLIN;
  if (!session.tcp_connected) return events | EPOLLOUT;
  auto* ssl = static_cast<SSL*>(session.target.tls.enabled ? mosquitto_ssl_get(session.mosq)
                                                           : nullptr);
  if (ssl != nullptr && !SSL_is_init_finished(ssl)) {
    // During the handshake the queued CONNECT cannot go out; only the handshake's own writes.
    return SSL_want_write(ssl) ? events | EPOLLOUT : events;
  }
  if (mosquitto_want_write(session.mosq)) events |= EPOLLOUT;
  return events;
}

}  // namespace connectivity::connect
