// AMQP 1.0 with Qpid Proton C++: a container per client on the session thread, connecting to a
// checked address with SASL (PLAIN with a user, else ANONYMOUS/EXTERNAL), optional TLS, and the
// configured host as virtual host (AMQP open hostname, SNI and the TLS peer name). Success is the
// peer's begin frame for a session opened after its open frame. While open, the idle timeout (heartbeat) makes Proton detect a silent peer;
// a transport error or a close from the broker is the loss. Close sends close and waits up to 1 s
// for the broker's answer.
//
// Proton has no connect timeout, and container::stop() does not end run() while a scheduled task
// is pending, so a 20 ms self-rearming tick checks the deadline and RequestClose, and is not
// re-armed once the session is over. Proton throws: every call is inside one try block here.
// Limit: Proton matches the TLS peer name against DNS names only, so verifying an IP-literal
// host fails unless its certificate names the address as a DNS name or CN.
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/error_condition.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/session.hpp>
#include <proton/ssl.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <optional>

#include "src/connect/clients.h"
#include "src/connect/resolver.h"
#include "src/connect/tls.h"

namespace connectivity::connect {
namespace {

constexpr int kTickMs = 20;  // deadline and close checks
constexpr int64_t kCloseGraceUs = 1'000'000;

FailureKind KindFor(const proton::error_condition& error) {
  const std::string name = error.name();
  const std::string text = error.description();
  if (name == "amqp:unauthorized-access") return FailureKind::kAuthentication;
  if (text.find("Connection refused") != std::string::npos) return FailureKind::kRefused;
  if (text.find("SSL") != std::string::npos || text.find("certificate") != std::string::npos ||
      text.find("TLS") != std::string::npos) {
    return FailureKind::kTls;
  }
  return FailureKind::kProtocol;
}

std::string ErrorText(const proton::error_condition& error) {
  std::string text = error.name();
  if (!error.description().empty()) text += ": " + error.description();
  return text;
}

class Amqp10Handler final : public proton::messaging_handler {
 public:
  Amqp10Handler(const ConnectTarget& target, const ClientSettings& settings,
                SessionContext& context, std::vector<IpAddress> addresses)
      : target_(target), settings_(settings), context_(context),
        addresses_(std::move(addresses)) {}

  // Holds the PEM files Proton reads while connecting; must outlive the container's run.
  Status PrepareTls() {
    if (!target_.tls.enabled || !target_.tls.validate_certificates) return Status::Ok();
    if (target_.tls.ca_pem) {
      Result<PemFile> file = PemFile::Write(*target_.tls.ca_pem);
      if (!file.ok()) return file.status();
      ca_file_.emplace(std::move(*file));
    }
    if (target_.tls.client_cert_pem && target_.tls.client_key_pem) {
      Result<PemFile> cert = PemFile::Write(*target_.tls.client_cert_pem);
      Result<PemFile> key = PemFile::Write(*target_.tls.client_key_pem);
      if (!cert.ok()) return cert.status();
      if (!key.ok()) return key.status();
      cert_file_.emplace(std::move(*cert));
      key_file_.emplace(std::move(*key));
    }
    return Status::Ok();
  }

  void on_container_start(proton::container& container) override {
    ConnectNext(container);
    container.schedule(proton::duration(kTickMs), proton::work([this, &container] { Tick(container); }));
  }

  // Open is not enough: RabbitMQ's AMQP 1.0 plugin only sets its connection up (and lists it)
  // once a session begins, and a session proves the broker accepts work on the connection.
  void on_connection_open(proton::connection& connection) override {
    if (phase_ == Phase::kConnecting) connection.open_session();
  }

  void on_session_open(proton::session& session) override {
    if (phase_ != Phase::kConnecting) return;
    phase_ = Phase::kOpen;
    session_ = session;
    context_.ReportResult(Success(target_, "CONNECTED"));
    // RequestClose closes at once instead of at the next tick (work_queue().add is thread-safe).
    context_.SetAbortHook([this] { connection_.work_queue().add(proton::work([this] { BeginClose(); })); });
  }

  void on_session_error(proton::session& session) override {
    Fail(session.connection().container(), session.error());
  }

  void on_transport_error(proton::transport& transport) override {
    Fail(transport.connection().container(), transport.error());
  }
  void on_connection_error(proton::connection& connection) override {
    Fail(connection.container(), connection.error());
  }
  // Every error reaches a specific handler above; the default would throw.
  void on_error(const proton::error_condition&) override {}

  void on_connection_close(proton::connection& connection) override {
    if (phase_ == Phase::kOpen) {
      Finish(connection.container(),
             Failure(FailureKind::kOther, target_, "closed by the broker"));
    } else if (phase_ == Phase::kClosing) {
      Finish(connection.container(), std::nullopt);
    }
  }

  void on_transport_close(proton::transport& transport) override {
    if (phase_ == Phase::kOpen) {
      Finish(transport.connection().container(),
             Failure(FailureKind::kOther, target_, "connection lost"));
    } else if (phase_ == Phase::kClosing) {
      Finish(transport.connection().container(), std::nullopt);
    }
  }

 private:
  enum class Phase { kConnecting, kOpen, kClosing, kDone };

  proton::connection_options Options() const {
    proton::connection_options options;
    options.virtual_host(target_.endpoint.host)
        .container_id(target_.connection_id)
        .idle_timeout(proton::duration(settings_.heartbeat_us / 1000))
        .sasl_enabled(true)
        .sasl_allow_insecure_mechs(true);
    if (target_.username) {
      options.user(*target_.username).password(target_.password.value_or(""));
      options.sasl_allowed_mechs("PLAIN");
    } else {
      options.sasl_allowed_mechs("ANONYMOUS EXTERNAL");
    }
    if (target_.tls.enabled) options.ssl_client_options(SslOptions());
    return options;
  }

  proton::ssl_client_options SslOptions() const {
    if (!target_.tls.validate_certificates) return proton::ssl_client_options(proton::ssl::ANONYMOUS_PEER);
    const std::string trust = ca_file_ ? ca_file_->path() : std::string();
    if (cert_file_ && key_file_) {
      return proton::ssl_client_options(proton::ssl_certificate(cert_file_->path(), key_file_->path()),
                                        trust, proton::ssl::VERIFY_PEER_NAME);
    }
    if (!trust.empty()) return proton::ssl_client_options(trust, proton::ssl::VERIFY_PEER_NAME);
    return proton::ssl_client_options();  // the system trust store, peer name verified
  }

  void ConnectNext(proton::container& container) {
    const IpAddress& address = addresses_[next_address_++];
    const std::string url = std::string(target_.tls.enabled ? "amqps://" : "amqp://") +
                            JoinHostPort(address.ToString(), target_.endpoint.port);
    connection_ = container.connect(url, Options());
  }

  void Fail(proton::container& container, const proton::error_condition& error) {
    const FailureKind kind = KindFor(error);
    if (phase_ == Phase::kConnecting) {
      if (kind == FailureKind::kRefused && next_address_ < addresses_.size()) {
        ConnectNext(container);
        return;
      }
      context_.ReportResult(Failure(kind, target_,
                                    kind == FailureKind::kRefused ? std::string(kRefusedDetail)
                                                                  : ErrorText(error)));
      Finish(container, std::nullopt);
    } else if (phase_ == Phase::kOpen) {
      Finish(container, Failure(FailureKind::kOther, target_, "connection lost: " + ErrorText(error)));
    } else {
      Finish(container, std::nullopt);
    }
  }

  // On the connection's context. The session ends first: RabbitMQ answers a close only after
  // its sessions have ended.
  void BeginClose() {
    if (phase_ != Phase::kOpen) return;
    phase_ = Phase::kClosing;
    close_deadline_us_ = SteadyMicros() + kCloseGraceUs;
    session_.close();
    connection_.close();
  }

  void Finish(proton::container& container, std::optional<ConnectOutcome> lost) {
    if (phase_ == Phase::kDone) return;
    phase_ = Phase::kDone;
    context_.ClearAbortHook();
    if (lost) context_.ReportLost(*lost);
    container.stop();
  }

  void Tick(proton::container& container) {
    if (phase_ == Phase::kDone) return;  // not re-armed: run() can return
    const int64_t now = SteadyMicros();
    if (phase_ == Phase::kConnecting && now >= context_.deadline_us()) {
      context_.ReportResult(Failure(
          FailureKind::kTimeout, target_,
          "the peer did not complete the AMQP 1.0 handshake, " + WithinSeconds(context_.timeout_us())));
      Finish(container, std::nullopt);
      return;
    }
    if (context_.stop_requested()) {
      if (phase_ == Phase::kOpen) {
        // The tick runs in the container's context: a change made there is not flushed until the
        // connection wakes, so the close goes through the connection's own work queue.
        connection_.work_queue().add(proton::work([this] { BeginClose(); }));
      } else if (phase_ == Phase::kConnecting ||
                 (phase_ == Phase::kClosing && now >= close_deadline_us_)) {
        Finish(container, std::nullopt);
        return;
      }
    }
    container.schedule(proton::duration(kTickMs), proton::work([this, &container] { Tick(container); }));
  }

  const ConnectTarget& target_;
  const ClientSettings& settings_;
  SessionContext& context_;
  const std::vector<IpAddress> addresses_;
  size_t next_address_ = 0;
  Phase phase_ = Phase::kConnecting;
  int64_t close_deadline_us_ = 0;
  proton::connection connection_;
  proton::session session_;
  std::optional<PemFile> ca_file_, cert_file_, key_file_;
};

void RunAmqp10(const ConnectTarget& target, const ClientSettings& settings,
               SessionContext& context) {
  auto resolved = ResolveChecked(settings, target, target.endpoint, context.deadline_us());
  if (auto* failure = std::get_if<ConnectOutcome>(&resolved)) {
    context.ReportResult(std::move(*failure));
    return;
  }
  Amqp10Handler handler(target, settings, context,
                        std::move(std::get<std::vector<IpAddress>>(resolved)));
  if (Status status = handler.PrepareTls(); !status.ok()) {
    context.ReportResult(Failure(FailureKind::kTls, target, status.message()));
    return;
  }
  try {
    proton::container container(handler, target.connection_id);
    container.run();
  } catch (const std::exception& e) {
    // Proton reports invalid options and internal failures by throwing.
    const ConnectOutcome failure = Failure(FailureKind::kOther, target, e.what());
    if (!context.result_reported()) {
      context.ReportResult(failure);
    } else {
      context.ReportLost(failure);
    }
  }
}

}  // namespace

std::unique_ptr<Client> MakeAmqp10Client(ConnectTarget target, SharedSettings settings,
                                         ClientCallbacks callbacks) {
  const int64_t timeout_us = settings->timeout_us;
  return MakeThreadedClient(
      [target = std::move(target), settings = std::move(settings)](SessionContext& context) {
        RunAmqp10(target, *settings, context);
      },
      std::move(callbacks), timeout_us);
}

}  // namespace connectivity::connect
