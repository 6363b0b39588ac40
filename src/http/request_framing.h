// RequestFramer: checks the bytes of one HTTP/1.x request before Pistache parses them.
//
// Why: on its own, Pistache 0.0.5 answers a negative or huge Content-Length with a 500 that
// carries exception text, waits until its timeout on a request line without a version or on
// LF-only line ends, bounds nothing but the whole request buffer, and drops pipelined requests
// (TOOLCHAIN.md §3). The framer reads a request up to its last byte, bounds every part of it,
// and hands Pistache only requests whose framing is plain: Content-Length framing with a checked
// decimal value (a chunked body is decoded here and handed on with its Content-Length).
//
// Accepted (RFC 9112; strict where leniency invites request smuggling):
//   request       = *2( CRLF ) request-line *( field-line CRLF ) CRLF [ body ]
//   request-line  = method SP request-target SP ( "HTTP/1.1" / "HTTP/1.0" ) CRLF
//   method        = GET / HEAD / POST / PUT / PATCH / DELETE / OPTIONS / TRACE / CONNECT
//   request-target= 1*( %x21-7E )            ; visible ASCII; the router decides the rest
//   field-line    = token ":" *( %x09 / %x20-7E / %x80-FF )   ; no space before ':', no folding
//   body          = Content-Length octets    ; 1*DIGIT, every copy equal
//                 / chunked                  ; Transfer-Encoding: chunked alone, HTTP/1.1 only
// HTTP/1.1 needs exactly one Host. A request with both Content-Length and Transfer-Encoding is
// refused. `Expect: 100-continue` is honoured (the caller sends the 100); any other Expect: 417.
//
// Limits (FramingLimits): the request line (414), the header section from the first field line
// to the empty line, also for the trailer section of a chunked body (431), the body (413, decoded
// size; a Content-Length over it is refused before the body is read). Chunk-size lines are at
// most 1 KiB. Every error is Ditto's error JSON (http_errors.h) and ends the connection: after a
// framing error nothing later on it can be trusted.
//
// Thread: one framer per HTTP connection, used only by the Pistache worker that owns it.
#ifndef CONNECTIVITY_HTTP_REQUEST_FRAMING_H_
#define CONNECTIVITY_HTTP_REQUEST_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/model/errors.h"

namespace connectivity::http {

struct FramingLimits {
  size_t request_line_bytes_max = 8192;  // --max-request-line-bytes
  size_t header_bytes_max = 8192;        // --max-header-bytes
  size_t body_bytes_max = 1 << 20;       // --max-body-bytes
};

// Bytes a Pistache parser needs for the largest request the framer passes on (the head may grow
// by the Content-Length line that replaces Transfer-Encoding: chunked).
size_t PassedRequestBytesMax(const FramingLimits& limits);

enum class HttpVersion { kHttp10, kHttp11 };

// What a complete head says about the connection and the body.
struct RequestHead {
  HttpVersion version = HttpVersion::kHttp11;
  // The client keeps the connection: HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with
  // `Connection: keep-alive`.
  bool keep_alive = true;
  // `Expect: 100-continue` on a request with a body: the client waits for a 100 before sending it.
  bool expect_continue = false;
  bool chunked = false;
  uint64_t content_length = 0;  // of a Content-Length body; the decoded size once a chunked one is complete
};

class RequestFramer {
 public:
  enum class Progress {
    kNeedMore,  // the request is not complete yet
    kComplete,  // request() holds it
    kError,     // error() is the answer; the connection must be closed
  };

  explicit RequestFramer(FramingLimits limits);

  // Takes the next bytes received on the connection. After kComplete or kError, further bytes
  // are only noted (has_trailing_bytes) until Reset.
  Progress Feed(std::string_view bytes);

  // Some byte of a request arrived (leading empty lines do not count): the header timeout runs.
  bool started() const { return started_; }
  // The head is complete: the body timeout runs (if a body is expected).
  bool head_complete() const { return head_complete_; }
  // Valid once head_complete().
  const RequestHead& head() const { return head_; }
  // The version seen so far (HTTP/1.1 until the request line is read), for an error's answer.
  HttpVersion version() const { return head_.version; }

  // After kError: the answer.
  const model::DittoError& error() const { return *error_; }
  // After kComplete, until Reset: the request as Pistache should parse it (Content-Length framing).
  std::string_view request() const;
  // After kComplete: bytes arrived after the request's last byte (a pipelined request).
  bool has_trailing_bytes() const { return has_trailing_bytes_; }

  // Forgets the current request and any bytes after it.
  void Reset();

 private:
  enum class Stage { kHead, kLengthBody, kChunkedBody, kComplete, kError };
  enum class ChunkStage { kSize, kData, kDataEnd, kTrailer };

  Progress Fail(model::DittoError error);
  Progress Advance();
  Progress ReadHead();
  bool HasBareLineEnd(size_t checked_end, size_t region_end);
  Progress ParseHead(size_t line_end, size_t head_end);
  Progress ReadLengthBody();
  Progress ReadChunkedBody();
  Progress ReadChunkSize();
  Progress ReadTrailer();
  Progress Complete();

  const FramingLimits limits_;
  Stage stage_ = Stage::kHead;
  ChunkStage chunk_stage_ = ChunkStage::kSize;
  bool started_ = false;
  bool head_complete_ = false;
  bool has_trailing_bytes_ = false;
  size_t leading_empty_lines_ = 0;
  size_t scanned_ = 0;             // bytes of pending_ checked for a bare LF or CR
  size_t searched_ = 0;            // bytes of pending_ searched for the head's end
  size_t chunk_left_ = 0;          // bytes of the current chunk still to read
  size_t trailer_bytes_ = 0;       // bytes of the chunked body's trailer section so far
  std::string pending_;            // received, not yet consumed
  std::string head_bytes_;         // the head as Pistache will see it
  std::string body_;               // the body, decoded
  std::string request_;            // head_bytes_ + body_, once complete
  RequestHead head_;
  std::optional<model::DittoError> error_;
};

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_REQUEST_FRAMING_H_
