// Fuzz target `http_framing`: the HTTP pre-check of src/http/request_framing.cc (RequestFramer),
// which reads every byte a client sends before Pistache does, and then Pistache's own parser on
// what the framer passes on, as src/http/server.cc's FramingHandler::Serve does.
//
// Input: the first byte chooses how the rest is cut into the pieces a socket could deliver (the
// framer is fed piece by piece); the rest is the bytes received on one connection. Small limits
// (below) so that every limit is reached.
// Properties, beyond "no crash, no sanitizer report, no hang":
//   - the outcome does not depend on how the bytes were cut: fed whole or in pieces, the framer
//     ends in the same state with the same error or the same request;
//   - every error is a client error (4xx) in Ditto's shape, never a 5xx;
//   - a complete request fits the buffer Pistache is given (PassedRequestBytesMax), and it is a
//     fixed point: framed again it is complete, unchanged, with the same head;
//   - Pistache's parser reads a complete request to its end (Done) or throws on a typed header
//     value (which Serve answers with a 400); it never stops half-way, which would mean the
//     framer and Pistache disagree on where the request ends.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <pistache/http.h>

#include "fuzz/fuzz_support.h"
#include "src/http/request_framing.h"

namespace connectivity::fuzz {
namespace {

using http::FramingLimits;
using http::RequestFramer;
using Progress = RequestFramer::Progress;

constexpr FramingLimits kLimits{.request_line_bytes_max = 200, .header_bytes_max = 400,
                                .body_bytes_max = 600};

// The framer's state after the bytes, as a comparable text.
std::string Outcome(const RequestFramer& framer, Progress progress) {
  switch (progress) {
    case Progress::kNeedMore: return "need-more started=" + std::to_string(framer.started()) +
                                     " head=" + std::to_string(framer.head_complete());
    case Progress::kError: return "error " + framer.error().ToJson();
    case Progress::kComplete:
      return "complete trailing=" + std::to_string(framer.has_trailing_bytes()) + "\n" +
             std::string(framer.request());
  }
  return "?";
}

// Feeds `bytes` in pieces of `piece` bytes (0: whole). Bytes after a complete request are fed
// too: the framer notes them (a pipelined request), as on a socket.
Progress FeedInPieces(RequestFramer& framer, std::string_view bytes, size_t piece) {
  Progress progress = Progress::kNeedMore;
  if (piece == 0) return bytes.empty() ? progress : framer.Feed(bytes);
  for (size_t at = 0; at < bytes.size(); at += piece) progress = framer.Feed(bytes.substr(at, piece));
  return progress;
}

void ExpectFixedPoint(const RequestFramer& framer) {
  const std::string request(framer.request());
  Expect(request.size() <= http::PassedRequestBytesMax(kLimits), "a passed request fits Pistache's buffer",
         request);
  RequestFramer again(kLimits);
  Expect(again.Feed(request) == Progress::kComplete && again.request() == request &&
             !again.has_trailing_bytes(),
         "a passed request is framed again unchanged", request);
  const http::RequestHead& a = framer.head();
  const http::RequestHead& b = again.head();
  Expect(a.version == b.version && a.keep_alive == b.keep_alive && a.content_length == b.content_length,
         "a passed request keeps its head", request);
}

void ExpectPistacheReadsToTheEnd(std::string_view request) {
  Pistache::Http::RequestParser parser(http::PassedRequestBytesMax(kLimits));
  Pistache::Http::Private::State state = Pistache::Http::Private::State::Again;
  bool fed = false;
  try {
    fed = parser.feed(request.data(), request.size());
    if (fed) state = parser.parse();
  } catch (...) {
    return;  // a typed header Pistache cannot read: answered 400 by Serve
  }
  Expect(fed && state == Pistache::Http::Private::State::Done,
         "Pistache reads a framed request to its end", std::string(request));
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  using namespace connectivity::fuzz;
  if (size == 0) return 0;
  const size_t piece = data[0] % 17;  // 0: whole; 1..16 bytes per read
  const std::string_view bytes = AsText(data + 1, size - 1);

  http::RequestFramer whole(kLimits);
  const Progress whole_progress = FeedInPieces(whole, bytes, 0);
  http::RequestFramer pieces(kLimits);
  const Progress pieces_progress = FeedInPieces(pieces, bytes, piece == 0 ? 1 : piece);
  const std::string outcome = Outcome(whole, whole_progress);
  Expect(outcome == Outcome(pieces, pieces_progress), "the outcome does not depend on the reads",
         outcome + "\n--- in pieces of " + std::to_string(piece) + ":\n" + Outcome(pieces, pieces_progress));

  if (whole_progress == Progress::kError) ExpectClientError(whole.error(), "a framing error is a 4xx");
  if (whole_progress == Progress::kComplete) {
    ExpectFixedPoint(whole);
    ExpectPistacheReadsToTheEnd(whole.request());
  }
  // The connection's next request starts afresh after Reset, as on a kept connection.
  whole.Reset();
  return 0;
}
