// AMQP 0.9.1 with rabbitmq-c: TCP (or TLS) connect to a checked address, connection.start/tune/
// open with SASL PLAIN (EXTERNAL with a client certificate and no user), channel.open, then a
// passive queue.declare of every source address (address.h; it consumes nothing). Then the
// connection waits for frames so that rabbitmq-c exchanges heartbeats, and a broker close
// (connection.close), a heartbeat timeout or a socket error is the loss. Close is channel.close +
// connection.close. A RequestClose during the handshake shuts the socket down to cut it short.
// MakeAmqp091Client runs the session on a thread of its own (test connection); live connections
// run their handshake on a pool and their open phase on the shared loop (amqp091_loop.h).
#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/socket.h>

#include <algorithm>

#include "src/connect/address.h"
#include "src/connect/amqp091_session.h"
#include "src/connect/clients.h"
#include "src/connect/resolver.h"
#include "src/connect/tls.h"

namespace connectivity::connect {
namespace {

constexpr int kPollFramesMax = 64;  // frames one Poll() reads at most (fairness on the loop)

constexpr int64_t kPollSliceUs = 200'000;  // how often the open connection checks for close

timeval ToTimeval(int64_t us) {
  us = std::max<int64_t>(us, 1000);
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

std::string VirtualHost(const std::string& path) {
  if (path.empty() || path == "/") return "/";
  return path.substr(1);
}

std::string CloseText(const amqp_method_t& method) {
  const amqp_bytes_t* text = nullptr;
  int code = 0;
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_connection_close_t*>(method.decoded);
    text = &close->reply_text;
    code = close->reply_code;
  } else if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_channel_close_t*>(method.decoded);
    text = &close->reply_text;
    code = close->reply_code;
  } else {
    return "unexpected method " + std::to_string(method.id);
  }
  return std::to_string(code) + " " +
         std::string(static_cast<const char*>(text->bytes), text->len);
}

}  // namespace

Amqp091Session::Amqp091Session(const ConnectTarget& target, const ClientSettings& settings,
                               SessionContext& context)
    : target_(target), settings_(settings), context_(context) {}

Amqp091Session::~Amqp091Session() { Destroy(); }

ConnectOutcome Amqp091Session::Handshake() {
  auto resolved = ResolveChecked(settings_, target_, target_.endpoint, context_.deadline_us());
  if (auto* failure = std::get_if<ConnectOutcome>(&resolved)) return std::move(*failure);
  ConnectOutcome outcome = Connect(std::get<std::vector<IpAddress>>(resolved));
  // Connected: a RequestClose from now on closes at the protocol level instead.
  if (outcome.ok) context_.ClearAbortHook();
  return outcome;
}

ConnectOutcome Amqp091Session::Connect(const std::vector<IpAddress>& addresses) {
  ConnectOutcome outcome;
  for (const IpAddress& address : addresses) {
    outcome = ConnectTo(address);
    if (outcome.ok || outcome.failure != FailureKind::kRefused) break;
    Destroy();  // try the next address
  }
  return outcome;
}

std::optional<ConnectOutcome> Amqp091Session::Watch() {
  while (!context_.stop_requested()) {
    amqp_frame_t frame;
    timeval slice = ToTimeval(kPollSliceUs);
    const int rc = amqp_simple_wait_frame_noblock(connection_, &frame, &slice);
    if (rc == AMQP_STATUS_TIMEOUT) continue;
    if (rc != AMQP_STATUS_OK) {
      if (context_.stop_requested()) break;  // the abort hook ended the wait
      return Failure(FailureKind::kOther, target_, std::string("connection lost: ") + amqp_error_string2(rc));
    }
    if (std::optional<ConnectOutcome> closed = CloseFrame(frame)) return closed;
  }
  return std::nullopt;
}

std::optional<ConnectOutcome> Amqp091Session::Poll() {
  for (int i = 0; i < kPollFramesMax; ++i) {
    amqp_frame_t frame;
    timeval now{0, 0};  // rabbitmq-c: an immediate deadline, but a due heartbeat goes out first
    const int rc = amqp_simple_wait_frame_noblock(connection_, &frame, &now);
    if (rc == AMQP_STATUS_TIMEOUT) break;
    if (rc != AMQP_STATUS_OK) {
      return Failure(FailureKind::kOther, target_, std::string("connection lost: ") + amqp_error_string2(rc));
    }
    if (std::optional<ConnectOutcome> closed = CloseFrame(frame)) return closed;
  }
  amqp_maybe_release_buffers(connection_);
  return std::nullopt;
}

int Amqp091Session::fd() const { return connection_ != nullptr ? amqp_get_sockfd(connection_) : -1; }

int Amqp091Session::heartbeat_s() const {
  return connection_ != nullptr ? amqp_get_heartbeat(connection_) : 0;
}

std::optional<ConnectOutcome> Amqp091Session::CloseFrame(const amqp_frame_t& frame) const {
  if (frame.frame_type != AMQP_FRAME_METHOD) return std::nullopt;
  const amqp_method_number_t id = frame.payload.method.id;
  if (id != AMQP_CONNECTION_CLOSE_METHOD && id != AMQP_CHANNEL_CLOSE_METHOD) return std::nullopt;
  return Failure(FailureKind::kOther, target_, "closed by the broker: " + CloseText(frame.payload.method));
}

void Amqp091Session::Close() {
  if (connection_ == nullptr) return;
  timeval bound = ToTimeval(1'000'000);
  amqp_set_rpc_timeout(connection_, &bound);
  amqp_channel_close(connection_, channel_, AMQP_REPLY_SUCCESS);
  amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
}

ConnectOutcome Amqp091Session::ConnectTo(const IpAddress& address) {
  connection_ = amqp_new_connection();
  amqp_socket_t* socket = OpenSocket();
  if (socket == nullptr) return tls_failure_;
  timeval left = ToTimeval(context_.deadline_us() - SteadyMicros());
  amqp_set_handshake_timeout(connection_, &left);
  amqp_set_rpc_timeout(connection_, &left);
  const int rc = amqp_socket_open_noblock(socket, address.ToString().c_str(),
                                          ConnectPort(target_), &left);
  if (rc != AMQP_STATUS_OK) return SocketFailure(rc, address);
  const int fd = amqp_get_sockfd(connection_);
  context_.SetAbortHook([fd] { ::shutdown(fd, SHUT_RDWR); });
  ConnectOutcome outcome = Login();
  if (outcome.ok) outcome = OpenChannel();
  if (outcome.ok) outcome = CheckQueues(std::move(outcome));
  return outcome;
}

// RabbitMQClientActor.ensureQueuesExist: a passive declare per source address. A missing queue
// closes the channel (404), so the next declare goes to a new one.
ConnectOutcome Amqp091Session::CheckQueues(ConnectOutcome connected) {
  std::vector<AddressCheck> checks;
  for (const std::string& queue : PlanChecks(target_).sources) {
    amqp_bytes_t name{queue.size(), const_cast<char*>(queue.data())};
    const amqp_queue_declare_ok_t* ok =
        amqp_queue_declare(connection_, channel_, name, /*passive=*/1, 0, 0, 0, amqp_empty_table);
    const amqp_rpc_reply_t reply = amqp_get_rpc_reply(connection_);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL && ok != nullptr) {
      checks.push_back({true, queue, true,
                        "Queue exists (" + std::to_string(ok->message_count) + " messages, " +
                            std::to_string(ok->consumer_count) +
                            " consumers); this service does not consume messages."});
      continue;
    }
    if (reply.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION ||
        reply.reply.id != AMQP_CHANNEL_CLOSE_METHOD) {
      return FromReply(reply, "queue.declare");  // the connection, not the queue, failed
    }
    checks.push_back({true, queue, false, CloseText(reply.reply)});
    if (ConnectOutcome reopened = ReopenChannel(); !reopened.ok) return reopened;
  }
  return ConcludeChecks(target_, std::move(connected), std::move(checks));
}

// Answers the broker's channel.close and opens the next channel.
ConnectOutcome Amqp091Session::ReopenChannel() {
  amqp_channel_close_ok_t close_ok{};
  amqp_send_method(connection_, channel_, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
  ++channel_;
  amqp_channel_open(connection_, channel_);
  return FromReply(amqp_get_rpc_reply(connection_), "channel.open");
}

amqp_socket_t* Amqp091Session::OpenSocket() {
  if (!target_.tls.enabled) return amqp_tcp_socket_new(connection_);
  amqp_socket_t* socket = amqp_ssl_socket_new(connection_);
  if (socket == nullptr) {
    tls_failure_ = Failure(FailureKind::kTls, target_, "cannot create a TLS socket");
    return nullptr;
  }
  // Peer checks run inside the handshake (SSL_VERIFY_PEER with the configured host name);
  // rabbitmq-c's own host-name check would compare against the IP address we connect to.
  amqp_ssl_socket_set_verify_peer(socket, target_.tls.validate_certificates ? 1 : 0);
  amqp_ssl_socket_set_verify_hostname(socket, 0);
  auto* context = static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket));
  Status status = ConfigureClientContext(context, target_.tls, target_.endpoint.host);
  if (!status.ok()) {
    tls_failure_ = Failure(FailureKind::kTls, target_, status.message());
    return nullptr;
  }
  return socket;
}

ConnectOutcome Amqp091Session::SocketFailure(int rc, const IpAddress& address) {
  if (rc == AMQP_STATUS_TIMEOUT) {
    return Failure(FailureKind::kTimeout, target_,
                   "no TCP connection, " + WithinSeconds(context_.timeout_us()));
  }
  if (rc == AMQP_STATUS_SOCKET_ERROR) {
    // rabbitmq-c does not keep the errno: ask the network once more to name the cause.
    const int error = ProbeTcp(address, ConnectPort(target_), context_.deadline_us());
    if (error == ECONNREFUSED) return Failure(FailureKind::kRefused, target_, kRefusedDetail);
    if (error != 0) return Failure(KindForErrno(error), target_, ErrnoText(error));
  }
  if (rc <= AMQP_STATUS_SSL_ERROR && rc >= AMQP_STATUS_SSL_SET_ENGINE_FAILED) {
    std::string detail = amqp_error_string2(rc);
    if (std::string verify = TakeLastVerifyError(); !verify.empty()) {
      detail += ": certificate verification failed: " + verify;
      DrainSslErrors();
    } else if (std::string ssl = DrainSslErrors(); !ssl.empty()) {
      detail += " (" + ssl + ")";
    }
    return Failure(FailureKind::kTls, target_, detail);
  }
  return Failure(FailureKind::kOther, target_, amqp_error_string2(rc));
}

ConnectOutcome Amqp091Session::Login() {
  const int heartbeat_s = static_cast<int>(std::max<int64_t>(1, settings_.heartbeat_us / 1'000'000));
  amqp_table_entry_t name;
  name.key = amqp_cstring_bytes("connection_name");  // shows in rabbitmqctl list_connections
  name.value.kind = AMQP_FIELD_KIND_UTF8;
  name.value.value.bytes = amqp_cstring_bytes(target_.connection_id.c_str());
  amqp_table_t properties{1, &name};
  const std::string vhost = VirtualHost(target_.path);
  amqp_rpc_reply_t reply;
  if (!target_.username && target_.tls.client_cert_pem) {
    reply = amqp_login_with_properties(connection_, vhost.c_str(), 0, 131072, heartbeat_s,
                                       &properties, AMQP_SASL_METHOD_EXTERNAL, "");
  } else {
    // No credentials: guest/guest, as the Java client Ditto uses.
    const std::string user = target_.username.value_or("guest");
    const std::string password = target_.password.value_or("guest");
    reply = amqp_login_with_properties(connection_, vhost.c_str(), 0, 131072, heartbeat_s,
                                       &properties, AMQP_SASL_METHOD_PLAIN, user.c_str(),
                                       password.c_str());
  }
  return FromReply(reply, "login");
}

ConnectOutcome Amqp091Session::OpenChannel() {
  channel_ = 1;
  amqp_channel_open(connection_, channel_);
  ConnectOutcome outcome = FromReply(amqp_get_rpc_reply(connection_), "channel.open");
  if (!outcome.ok) return outcome;
  std::string detail = "CONNECTED";
  const amqp_table_t* server = amqp_get_server_properties(connection_);
  for (int i = 0; server != nullptr && i < server->num_entries; ++i) {
    const amqp_table_entry_t& entry = server->entries[i];
    if (std::string_view(static_cast<const char*>(entry.key.bytes), entry.key.len) == "version" &&
        entry.value.kind == AMQP_FIELD_KIND_UTF8) {
      detail += ", broker version " +
                std::string(static_cast<const char*>(entry.value.value.bytes.bytes),
                            entry.value.value.bytes.len);
    }
  }
  return Success(target_, detail);
}

ConnectOutcome Amqp091Session::FromReply(const amqp_rpc_reply_t& reply, std::string_view stage) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return Success(target_, "");
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      const bool refused = reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD &&
                           static_cast<amqp_connection_close_t*>(reply.reply.decoded)->reply_code ==
                               AMQP_ACCESS_REFUSED;
      return Failure(refused ? FailureKind::kAuthentication : FailureKind::kProtocol, target_,
                     CloseText(reply.reply));
    }
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      if (reply.library_error == AMQP_STATUS_TIMEOUT) {
        return Failure(FailureKind::kTimeout, target_,
                       "the peer accepted TCP but did not complete the AMQP 0.9.1 " +
                           std::string(stage) + ", " + WithinSeconds(context_.timeout_us()));
      }
      return Failure(FailureKind::kProtocol, target_,
                     std::string(stage) + " failed: " + amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_NONE:
      break;
  }
  return Failure(FailureKind::kProtocol, target_, std::string(stage) + " failed");
}

void Amqp091Session::Destroy() {
  context_.ClearAbortHook();
  if (connection_ != nullptr) amqp_destroy_connection(connection_);
  connection_ = nullptr;
}

namespace {

void RunAmqp091(const ConnectTarget& target, const ClientSettings& settings, SessionContext& context) {
  Amqp091Session session(target, settings, context);
  ConnectOutcome outcome = session.Handshake();
  if (!outcome.ok && context.stop_requested()) return;  // reported as closed before connecting
  const bool connected = outcome.ok;
  context.ReportResult(std::move(outcome));
  if (!connected) return;
  // RequestClose ends the wait for frames at once; the close frames can still be written.
  context.SetAbortHook([fd = session.fd()] { ::shutdown(fd, SHUT_RD); });
  if (std::optional<ConnectOutcome> lost = session.Watch()) {
    context.ReportLost(*lost);
  } else {
    session.Close();
  }
}

}  // namespace

std::unique_ptr<Client> MakeAmqp091Client(ConnectTarget target, SharedSettings settings,
                                          ClientCallbacks callbacks) {
  const int64_t timeout_us = settings->timeout_us;
  return MakeThreadedClient(
      [target = std::move(target), settings = std::move(settings)](SessionContext& context) {
        RunAmqp091(target, *settings, context);
      },
      std::move(callbacks), timeout_us);
}

}  // namespace connectivity::connect
