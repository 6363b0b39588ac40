#include "src/http/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <chrono>
#include <cstdio>
#include <sstream>

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

// Sends a streamed answer with chunked transfer encoding, piece by piece.
void SendStream(Http::ResponseWriter& writer, HttpAnswer&& answer) {
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
  stream.ends();
}

void Send(Http::ResponseWriter& writer, HttpAnswer&& answer) {
  for (auto& [name, value] : answer.headers) {
    writer.headers().add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
  }
  if (answer.stream) return SendStream(writer, std::move(answer));
  const auto code = static_cast<Http::Code>(answer.status);
  if (answer.body.empty() && (answer.status == 204 || answer.status == 304 || answer.status == 202 ||
                              answer.content_type.empty())) {
    writer.send(code);
    return;
  }
  writer.send(code, answer.body, Http::Mime::MediaType::fromString(answer.content_type));
}

class PistacheHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  PistacheHandler(std::shared_ptr<const Router> router, bool trust_forwarded_for)
      : router_(std::move(router)), trust_forwarded_for_(trust_forwarded_for) {}

  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    auto writer = std::make_shared<Http::ResponseWriter>(std::move(response));
    try {
      router_->Handle(Convert(request, trust_forwarded_for_), [writer](HttpAnswer answer) {
        try {
          Send(*writer, std::move(answer));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "http: sending an answer failed: %s\n", e.what());
        }
      });
    } catch (const std::exception& e) {
      // A bug, never input: answer Ditto's generic 500 without internal text.
      std::fprintf(stderr, "http: handler failed: %s\n", e.what());
      Send(*writer, JsonAnswer(500, model::InternalError().ToJson()));
    }
  }

 private:
  std::shared_ptr<const Router> router_;
  bool trust_forwarded_for_;
};

}  // namespace

HttpServer::HttpServer(ServerConfig config, std::shared_ptr<const Router> router)
    : config_(std::move(config)), router_(std::move(router)) {}

HttpServer::~HttpServer() { Shutdown(); }

Status HttpServer::Start() {
  try {
    const Address address(config_.host, Port(config_.port));
    endpoint_ = std::make_unique<Http::Endpoint>(address);
    const size_t request_bytes_max = 4 * config_.body_bytes_max + (64u << 10);
    auto options = Http::Endpoint::options()
                       .threads(config_.threads)
                       .threadsName("http")
                       .flags(Tcp::Options::ReuseAddr)
                       .backlog(1024)
                       .maxRequestSize(request_bytes_max)
                       .headerTimeout(std::chrono::seconds(10))
                       .bodyTimeout(std::chrono::seconds(30))
                       .keepaliveTimeout(std::chrono::seconds(60));
    endpoint_->init(options);
    endpoint_->setHandler(Http::make_handler<PistacheHandler>(router_, config_.trust_forwarded_for));
    endpoint_->serveThreaded();
  } catch (const std::exception& e) {
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
  endpoint_->shutdown();
  endpoint_.reset();
}

}  // namespace connectivity::http
