#include "src/http/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string_view>

#include "src/base/log.h"
#include "src/http/http_errors.h"
#include "src/http/request_framing.h"

namespace connectivity::http {
namespace {

using namespace Pistache;

// Pistache hands us the query already split (and decoded) into a map; the
// raw resource keeps it out. We re-read it from the map.
void CopyQuery(const Http::Request& request, HttpRequest& out) {
  const Http::Uri::Query& query = request.query();
  for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
    out.query.emplace_back(PercentDecode(it->first, true), PercentDecode(it->second, true));
  }
}

void CopyHeaders(const Http::Request& request, HttpRequest& out) {
  for (const auto& [name, raw] : request.headers().rawList()) {
    out.headers[AsciiLower(raw.name())] = raw.value();
  }
  for (const std::shared_ptr<Http::Header::Header>& header : request.headers().list()) {
    std::ostringstream value;
    header->write(value);
    out.headers[AsciiLower(header->name())] = value.str();
  }
}

// The last entry of X-Forwarded-For (the one the TLS front appended).
std::string LastForwardedFor(std::string_view header) {
  const size_t comma = header.rfind(',');
  std::string_view last = comma == std::string_view::npos ? header : header.substr(comma + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  return std::string(last);
}

HttpRequest Convert(const Http::Request& request, bool trust_forwarded_for) {
  HttpRequest out;
  out.method = Http::methodString(request.method());
  out.path = request.resource();
  CopyQuery(request, out);
  CopyHeaders(request, out);
  out.body = request.body();
  out.client_address = request.address().host();
  if (trust_forwarded_for) {
    if (std::optional<std::string_view> forwarded = out.Header("x-forwarded-for")) {
      out.client_address = LastForwardedFor(*forwarded);
    }
  }
  return out;
}

// A response header with any name. Pistache 0.0.5 writes only typed headers
// (its raw ones are dropped on the way out), so every header we add is one.
class NamedHeader : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& stream) const override { stream << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return std::hash<std::string>()(name_); }
#endif

 private:
  std::string name_;
  std::string value_;
};

// Runs the write that completes an answer for the client (AnswerTo: under the connection's lock).
using LastWrite = std::function<void(const std::function<void()>& write)>;

// Sends a streamed answer with chunked transfer encoding, piece by piece.
void SendStream(Http::ResponseWriter& writer, HttpAnswer&& answer, const LastWrite& last) {
  writer.headers().add<Http::Header::ContentType>(Http::Mime::MediaType::fromString(answer.content_type));
  Http::ResponseStream stream = writer.stream(static_cast<Http::Code>(answer.status));
  std::string chunk;
  bool more = true;
  while (more) {
    more = answer.stream(chunk);
    if (chunk.empty()) continue;
    stream.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    stream.flush();
  }
  last([&stream] { stream.ends(); });
}

// Queues `answer` on `writer`'s peer (Pistache writes it on the peer's worker, in queue order);
// its last write through `last`.
void Send(Http::ResponseWriter& writer, HttpAnswer&& answer, const LastWrite& last) {
  for (auto& [name, value] : answer.headers) {
    writer.headers().add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
  }
  if (answer.stream) return SendStream(writer, std::move(answer), last);
  const auto code = static_cast<Http::Code>(answer.status);
  if (answer.body.empty() && (answer.status == 204 || answer.status == 304 || answer.status == 202 ||
                              answer.content_type.empty())) {
    return last([&writer, code] { writer.send(code); });
  }
  last([&writer, &answer, code] {
    writer.send(code, answer.body, Http::Mime::MediaType::fromString(answer.content_type));
  });
}

Http::Version ToPistache(HttpVersion version) {
  return version == HttpVersion::kHttp10 ? Http::Version::Http10 : Http::Version::Http11;
}

// Pistache's own header, body and keep-alive timeouts, out of reach: ConnectionTable enforces
// ours, and a peer that Pistache closes by itself would skip onDisconnection.
constexpr auto kPistacheTimeoutNever = std::chrono::hours(24 * 365);
// Where each Pistache peer keeps its HttpConnection.
// Short enough for std::string's inline buffer: Pistache looks it up by value on every input.
const char* const kConnectionData = "cx.connection";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Calls `written` once everything queued on `peer` so far is written (or failed): Pistache writes
// a peer's buffers in order, so an empty write behind them completes last.
void AfterWritten(const std::shared_ptr<Tcp::Peer>& peer, std::function<void()> written) {
  if (!peer) return written();
  peer->send(RawBuffer()).then([written](ssize_t) { written(); },
                               [written](std::exception_ptr) { written(); });
}

// Answers `error` with `Connection: close`, then shuts the write side down once it is written.
void SendErrorAndClose(Tcp::Transport* transport, Http::Handler* handler, const std::weak_ptr<Tcp::Peer>& peer,
                       HttpVersion version, const std::shared_ptr<HttpConnection>& connection,
                       const model::DittoError& error) {
  try {
    Http::ResponseWriter writer(ToPistache(version), transport, handler, peer);
    writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
    writer.send(static_cast<Http::Code>(error.status), error.ToJson(), MIME(Application, Json))
        .then([connection](ssize_t) { connection->ShutdownWrite(); },
              [connection](std::exception_ptr) { connection->ShutdownWrite(); });
  } catch (const std::exception& e) {
    log::Error("http", std::string("sending an error answer failed: ") + e.what());
    connection->ShutdownWrite();
  }
}

// The handler every Pistache worker clones. It replaces Http::Handler::onInput (private in
// Pistache 0.0.5, so it cannot be called, only replaced) with the framer in front of Pistache's
// public parser API, and keeps ConnectionTable informed of every connection.
class FramingHandler final : public Http::Handler {
 public:
  HTTP_PROTOTYPE(FramingHandler)

  FramingHandler(std::shared_ptr<const Router> router, std::shared_ptr<ConnectionTable> table,
                 bool trust_forwarded_for)
      : router_(std::move(router)), table_(std::move(table)), trust_forwarded_for_(trust_forwarded_for) {}

  // Pistache calls this only from its own onInput, which this class replaces; Serve routes.
  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    Route(nullptr, request, std::move(response));
  }

 private:
  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t size, const std::shared_ptr<Tcp::Peer>& peer) override;
  void onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) override;

  static std::shared_ptr<HttpConnection> ConnectionOf(const std::shared_ptr<Tcp::Peer>& peer) {
    return std::static_pointer_cast<HttpConnection>(peer->tryGetData(kConnectionData));
  }
  void AnswerErrorAndClose(const std::shared_ptr<HttpConnection>& connection,
                           const std::shared_ptr<Tcp::Peer>& peer, HttpVersion version,
                           const model::DittoError& error);
  // A complete request from the framer: Pistache parses it, the router answers it.
  void Serve(const std::shared_ptr<HttpConnection>& connection, const std::shared_ptr<Tcp::Peer>& peer);
  // Hands the request to the router; the answer decides keep-alive (null connection: Pistache's).
  void Route(const std::shared_ptr<HttpConnection>& connection, const Http::Request& request,
             Http::ResponseWriter response);

  std::shared_ptr<const Router> router_;
  std::shared_ptr<ConnectionTable> table_;
  bool trust_forwarded_for_;
};

void FramingHandler::onConnection(const std::shared_ptr<Tcp::Peer>& peer) {
  // What Http::Handler::onConnection does (it is private): the peer's request parser.
  peer->putData(Http::Handler::ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
  std::shared_ptr<HttpConnection> connection = table_->Open(peer->fd());
  // Weak: the connection holds this answer, and the answer must not keep it alive.
  std::weak_ptr<HttpConnection> weak_connection = connection;
  std::weak_ptr<Tcp::Peer> weak_peer = peer;
  Tcp::Transport* transport = this->transport();
  connection->set_error_answer([weak_connection, weak_peer, transport, this](const model::DittoError& error) {
    if (std::shared_ptr<HttpConnection> live = weak_connection.lock()) {
      SendErrorAndClose(transport, this, weak_peer, HttpVersion::kHttp11, live, error);
    }
  });
  peer->putData(kConnectionData, connection);
  if (!connection->admitted()) {
    AnswerErrorAndClose(connection, peer, HttpVersion::kHttp11, TooManyConnections(table_->limits().connections_max));
  }
}

void FramingHandler::onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) {
  if (std::shared_ptr<HttpConnection> connection = ConnectionOf(peer)) table_->Close(connection);
}

void FramingHandler::AnswerErrorAndClose(const std::shared_ptr<HttpConnection>& connection,
                                         const std::shared_ptr<Tcp::Peer>& peer, HttpVersion version,
                                         const model::DittoError& error) {
  if (!connection->StartClosing(MonotonicMicros())) return;
  SendErrorAndClose(transport(), this, peer, version, connection, error);
}

void FramingHandler::onInput(const char* buffer, size_t size, const std::shared_ptr<Tcp::Peer>& peer) {
  const std::shared_ptr<HttpConnection> connection = ConnectionOf(peer);
  if (!connection || !connection->AcceptInput()) return;
  RequestFramer& framer = connection->framer();
  const bool was_started = framer.started();
  const bool had_head = framer.head_complete();
  const RequestFramer::Progress progress = framer.Feed(std::string_view(buffer, size));
  const int64_t now_us = MonotonicMicros();
  if (progress == RequestFramer::Progress::kError) {
    const model::DittoError error = framer.error();
    const HttpVersion version = framer.version();
    framer.Reset();
    table_->CountFramingError();
    return AnswerErrorAndClose(connection, peer, version, error);
  }
  if (!was_started && framer.started() && !connection->BeginRequest(now_us)) return framer.Reset();
  if (progress == RequestFramer::Progress::kComplete) return Serve(connection, peer);
  if (!had_head && framer.head_complete()) {
    connection->BeginBody(now_us);
    if (framer.head().expect_continue) peer->send(RawBuffer(std::string(kContinue), kContinue.size()));
  }
}

void FramingHandler::Serve(const std::shared_ptr<HttpConnection>& connection,
                           const std::shared_ptr<Tcp::Peer>& peer) {
  RequestFramer& framer = connection->framer();
  const RequestHead head = framer.head();
  const bool pipelined = framer.has_trailing_bytes();
  const std::shared_ptr<Http::RequestParser> parser = getParser(peer);
  parser->reset();
  bool parsed = false;
  try {
    const std::string_view bytes = framer.request();
    parsed = parser->feed(bytes.data(), bytes.size()) && parser->parse() == Http::Private::State::Done;
  } catch (...) {
    // Pistache's typed headers throw on values they cannot read (a Host port out of range, a
    // malformed Date or media type); the framer checked only the framing ones.
  }
  framer.Reset();
  if (!parsed) {
    parser->reset();
    table_->CountFramingError();
    return AnswerErrorAndClose(connection, peer, head.version,
                               RequestInvalid("A header value of the request could not be read."));
  }
  if (connection->Dispatch(head.keep_alive && !pipelined)) {
    Http::Request& request = parser->request;
    request.copyAddress(peer->address());
    Route(connection, request, Http::ResponseWriter(request.version(), transport(), this, peer));
  }
  parser->reset();
}

// The writer of one request's answer, and whether it was used (one allocation per request).
struct PendingAnswer {
  explicit PendingAnswer(Http::ResponseWriter response) : writer(std::move(response)) {}
  Http::ResponseWriter writer;
  std::atomic<bool> answered{false};
};

// The router's callback for one request: adds the Connection header the connection's state
// decides, sends, and closes the connection after the answer when it must.
Respond AnswerTo(std::shared_ptr<PendingAnswer> pending, std::shared_ptr<HttpConnection> connection) {
  return [pending = std::move(pending), connection = std::move(connection)](HttpAnswer answer) {
    if (pending->answered.exchange(true)) return;  // exactly once, even after a handler's exception
    Http::ResponseWriter* writer = &pending->writer;
    const bool decided = connection ? connection->AnswerDecided() : true;
    if (connection) {
      writer->headers().add<Http::Header::Connection>(decided ? Http::ConnectionControl::KeepAlive
                                                              : Http::ConnectionControl::Close);
    }
    // The connection becomes idle (or closing) in the same step as the answer's last bytes are
    // queued: a client may send its next request as soon as it has read them.
    bool queued = false;
    bool keep = true;
    const LastWrite last = [&](const std::function<void()>& write) {
      queued = true;
      if (!connection) return write();
      keep = connection->QueueLastWrite(decided, MonotonicMicros(), write);
    };
    bool failed = false;
    try {
      Send(*writer, std::move(answer), last);
    } catch (const std::exception& e) {
      log::Error("http", std::string("sending an answer failed: ") + e.what());
      failed = true;
    }
    if (!connection) return;
    if (!queued) keep = connection->QueueLastWrite(false, MonotonicMicros(), [] {});
    if (!keep || failed) AfterWritten(writer->getPeer(), [connection] { connection->ShutdownWrite(); });
  };
}

void FramingHandler::Route(const std::shared_ptr<HttpConnection>& connection, const Http::Request& request,
                           Http::ResponseWriter response) {
  auto pending = std::make_shared<PendingAnswer>(std::move(response));
  try {
    router_->Handle(Convert(request, trust_forwarded_for_), AnswerTo(pending, connection));
  } catch (const std::exception& e) {
    // A bug, never input: answer Ditto's generic 500 without internal text.
    log::Error("http", std::string("handler failed: ") + e.what());
    AnswerTo(pending, connection)(JsonAnswer(500, model::InternalError().ToJson()));
  }
}

}  // namespace

HttpServer::HttpServer(ServerConfig config, std::shared_ptr<const Router> router)
    : config_(std::move(config)),
      router_(std::move(router)),
      table_(std::make_shared<ConnectionTable>(config_.limits)) {}

HttpServer::~HttpServer() { Shutdown(); }

Status HttpServer::Start() {
  try {
    const Address address(config_.host, Port(config_.port));
    endpoint_ = std::make_unique<Http::Endpoint>(address);
    auto options = Http::Endpoint::options()
                       .threads(config_.threads)
                       .threadsName("http")
                       .flags(Tcp::Options::ReuseAddr)
                       .backlog(1024)
                       .maxRequestSize(PassedRequestBytesMax(config_.limits.framing))
                       .headerTimeout(kPistacheTimeoutNever)
                       .bodyTimeout(kPistacheTimeoutNever)
                       .keepaliveTimeout(kPistacheTimeoutNever);
    endpoint_->init(options);
    endpoint_->setHandler(Http::make_handler<FramingHandler>(router_, table_, config_.trust_forwarded_for));
    router_->ReportConnections(table_.get());
    table_->Start();
    endpoint_->serveThreaded();
  } catch (const std::exception& e) {
    table_->Stop();
    endpoint_.reset();
    return Status::IOError("cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                           ": " + e.what());
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  return endpoint_ ? static_cast<uint16_t>(endpoint_->getPort()) : 0;
}

void HttpServer::Shutdown() {
  if (!endpoint_) return;
  table_->Stop();  // no shutdown(2) on descriptors Pistache is about to close
  endpoint_->shutdown();
  endpoint_.reset();
}

}  // namespace connectivity::http
