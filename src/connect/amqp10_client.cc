// AMQP 1.0 with Qpid Proton C++: a container per client on the session thread, connecting to a
// checked address with SASL (PLAIN with a user, else ANONYMOUS/EXTERNAL), optional TLS, and the
// configured host as virtual host (AMQP open hostname, SNI and the TLS peer name). Connected is the
// peer's begin frame for a session opened after its open frame; then every source address gets a
// receiver link with zero credit and every static target a sender link (address.h), one address
// at a time (one round trip each): an attach echoing the terminus passes, a refusal (a null
// terminus and a detach with an error, or the end of the session: RabbitMQ 3.10 ends it) fails
// that address, and the checks go on in a new session. Each check link is detached again. While
// open, the idle timeout (heartbeat) makes Proton detect a silent peer;
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
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/session.hpp>
#include <proton/source.hpp>
#include <proton/target.hpp>
#include <proton/ssl.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <optional>

#include "src/connect/address.h"
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
    if (phase_ == Phase::kConnecting) {
      // RequestClose closes at once instead of at the next tick (work_queue().add is thread-safe).
      context_.SetAbortHook([this] { connection_.work_queue().add(proton::work([this] { BeginClose(); })); });
      const CheckPlan plan = PlanChecks(target_);
      for (const std::string& address : plan.sources) checks_.push_back({true, address, false, ""});
      for (const std::string& address : plan.targets) checks_.push_back({false, address, false, ""});
      phase_ = Phase::kChecking;
    }
    if (phase_ != Phase::kChecking) return;
    session_ = session;  // the first, or a new one after a refusal ended the last
    AttachNext();
  }

  // An attach that echoes the terminus is accepted; a refusal has a null terminus and is
  // followed by a detach carrying the error (or, RabbitMQ 3.10, the end of the session).
  void on_receiver_open(proton::receiver& receiver) override {
    if (!receiver.source().address().empty()) Decide(receiver, true, "");
  }
  void on_sender_open(proton::sender& sender) override {
    if (!sender.target().address().empty()) Decide(sender, true, "");
  }
  void on_receiver_error(proton::receiver& receiver) override { Refused(receiver, receiver.error()); }
  void on_sender_error(proton::sender& sender) override { Refused(sender, sender.error()); }
  void on_receiver_close(proton::receiver& receiver) override { Refused(receiver, receiver.error()); }
  void on_sender_close(proton::sender& sender) override { Refused(sender, sender.error()); }

  void on_session_error(proton::session& session) override {
    if (phase_ == Phase::kChecking && session == session_) {
      const proton::error_condition error = session.error();
      if (next_check_ < checks_.size() && current_) {
        Decide(*current_, false, AmqpLinkErrorText(error.name(), error.description()), /*attach_next=*/false);
      }
      if (phase_ == Phase::kChecking) connection_.open_session();  // the checks go on there
      return;
    }
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
    if (phase_ == Phase::kChecking) {
      Fail(connection.container(), connection.error());
    } else if (phase_ == Phase::kOpen) {
      Finish(connection.container(),
             Failure(FailureKind::kOther, target_, "closed by the broker"));
    } else if (phase_ == Phase::kClosing) {
      Finish(connection.container(), std::nullopt);
    }
  }

  void on_transport_close(proton::transport& transport) override {
    if (phase_ == Phase::kChecking) {
      Fail(transport.connection().container(), transport.error());
    } else if (phase_ == Phase::kOpen) {
      Finish(transport.connection().container(),
             Failure(FailureKind::kOther, target_, "connection lost"));
    } else if (phase_ == Phase::kClosing) {
      Finish(transport.connection().container(), std::nullopt);
    }
  }

 private:
  enum class Phase { kConnecting, kChecking, kOpen, kClosing, kDone };

  // Checks one address at a time: a broker may end the whole session on a refusal (RabbitMQ
  // 3.10 does), which must not hide which address it refused.
  void AttachNext() {
    if (next_check_ == checks_.size()) return Conclude();
    const AddressCheck& check = checks_[next_check_];
    const std::string name = "connectivity-check-" + std::to_string(next_check_);
    if (check.source) {
      proton::receiver_options options;
      options.credit_window(0).name(name);  // no credit: the broker sends nothing
      current_ = session_.open_receiver(check.address, options);
    } else {
      proton::sender_options options;
      options.name(name);
      current_ = session_.open_sender(AmqpNodeOfTarget(check.address), options);
    }
  }

  void Refused(proton::link& link, const proton::error_condition& error) {
    Decide(link, false, AmqpLinkErrorText(error.name(), error.description()));
  }

  // The verdict on the current link; detaches it and goes on with the next address.
  void Decide(proton::link& link, bool ok, const std::string& detail, bool attach_next = true) {
    if (phase_ != Phase::kChecking || !current_ || link.name() != current_->name()) return;
    AddressCheck& check = checks_[next_check_++];
    check.ok = ok;
    check.detail = ok ? (check.source ? "Receiver link attached with zero credit; this service does "
                                        "not consume messages."
                                      : "Sender link attached; this service does not publish messages.")
                      : detail;
    if (current_->active()) current_->close();
    current_.reset();
    if (attach_next) AttachNext();
  }

  void Conclude() {
    ConnectOutcome outcome = ConcludeChecks(target_, Success(target_, "CONNECTED"), std::move(checks_));
    checks_.clear();
    const bool ok = outcome.ok;
    context_.ReportResult(std::move(outcome));
    phase_ = Phase::kOpen;
    if (!ok) BeginClose();  // a refused address fails the attempt: close cleanly
  }

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
                            JoinHostPort(address.ToString(), ConnectPort(target_));
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
    } else if (phase_ == Phase::kChecking) {
      context_.ReportResult(Failure(FailureKind::kProtocol, target_,
                                    "connection lost while attaching links: " + ErrorText(error)));
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
    if (phase_ == Phase::kChecking && now >= context_.deadline_us()) {
      context_.ReportResult(Failure(FailureKind::kTimeout, target_,
                                    "the broker did not answer every link attach, " +
                                        WithinSeconds(context_.timeout_us())));
      Finish(container, std::nullopt);
      return;
    }
    if (context_.stop_requested()) {
      if (phase_ == Phase::kOpen) {
        // The tick runs in the container's context: a change made there is not flushed until the
        // connection wakes, so the close goes through the connection's own work queue.
        connection_.work_queue().add(proton::work([this] { BeginClose(); }));
      } else if (phase_ == Phase::kConnecting || phase_ == Phase::kChecking ||
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
  std::vector<AddressCheck> checks_;  // the address checks, decided up to next_check_
  size_t next_check_ = 0;
  std::optional<proton::link> current_;  // the link of checks_[next_check_] while attaching
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
