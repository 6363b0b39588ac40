// RequestFramer: the checks on a request's bytes before Pistache parses them (issue 11, item 1).
// Every refusal is one failure mode per test: its status, its Ditto error code, and that the
// framer stops there.
#include "src/http/request_framing.h"

#include <gtest/gtest.h>

#include <string>

namespace connectivity::http {
namespace {

using Progress = RequestFramer::Progress;

// A literal with its NUL bytes.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

FramingLimits SmallLimits() {
  FramingLimits limits;
  limits.request_line_bytes_max = 64;
  limits.header_bytes_max = 128;
  limits.body_bytes_max = 32;
  return limits;
}

// Feeds `bytes` whole; returns the outcome.
Progress FeedAll(RequestFramer& framer, const std::string& bytes) { return framer.Feed(bytes); }

// Feeds `bytes` one at a time; every byte but the last must leave the request incomplete.
Progress FeedBytewise(RequestFramer& framer, const std::string& bytes) {
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    const Progress progress = framer.Feed(bytes.substr(i, 1));
    if (progress != Progress::kNeedMore) return progress;
  }
  return framer.Feed(bytes.substr(bytes.size() - 1));
}

void ExpectError(const std::string& bytes, int status, const std::string& code,
                 FramingLimits limits = SmallLimits()) {
  RequestFramer framer(limits);
  ASSERT_EQ(FeedAll(framer, bytes), Progress::kError) << bytes;
  EXPECT_EQ(framer.error().status, status) << bytes;
  EXPECT_EQ(framer.error().error, code) << bytes;
  EXPECT_FALSE(framer.error().message.empty());
  EXPECT_FALSE(framer.error().description.empty());
  // Nothing after an error is read.
  EXPECT_EQ(framer.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kError);
}

TEST(RequestFramerTest, PassesAPlainRequestUnchanged) {
  const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, request), Progress::kComplete);
  EXPECT_TRUE(framer.head().keep_alive);
  EXPECT_EQ(framer.head().version, HttpVersion::kHttp11);
  EXPECT_FALSE(framer.has_trailing_bytes());
  EXPECT_EQ(framer.request(), request);
}

TEST(RequestFramerTest, ByteByByteGivesTheSameRequest) {
  const std::string request = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedBytewise(framer, request), Progress::kComplete);
  EXPECT_EQ(framer.request(), request);
}

TEST(RequestFramerTest, PhasesForTheTimeouts) {
  RequestFramer framer(SmallLimits());
  EXPECT_FALSE(framer.started());
  EXPECT_EQ(framer.Feed("\r\n"), Progress::kNeedMore);
  EXPECT_FALSE(framer.started()) << "an empty line before the request is not a request";
  EXPECT_EQ(framer.Feed("POST / HTTP/1.1\r\n"), Progress::kNeedMore);
  EXPECT_TRUE(framer.started());
  EXPECT_FALSE(framer.head_complete());
  EXPECT_EQ(framer.Feed("Host: x\r\nContent-Length: 3\r\n\r\nab"), Progress::kNeedMore);
  EXPECT_TRUE(framer.head_complete());
  EXPECT_EQ(framer.Feed("c"), Progress::kComplete);
  framer.Reset();
  EXPECT_FALSE(framer.started());
  EXPECT_FALSE(framer.head_complete());
  EXPECT_EQ(framer.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, KeepAliveFollowsVersionAndConnectionHeader) {
  const std::pair<std::string, bool> cases[] = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
  };
  for (const auto& [request, keep_alive] : cases) {
    RequestFramer framer(SmallLimits());
    ASSERT_EQ(FeedAll(framer, request), Progress::kComplete) << request;
    EXPECT_EQ(framer.head().keep_alive, keep_alive) << request;
  }
}

TEST(RequestFramerTest, BytesAfterTheRequestArePipelined) {
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n"), Progress::kComplete);
  EXPECT_TRUE(framer.has_trailing_bytes());
  EXPECT_EQ(framer.request(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  RequestFramer later(SmallLimits());
  ASSERT_EQ(FeedAll(later, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kComplete);
  EXPECT_FALSE(later.has_trailing_bytes());
  EXPECT_EQ(later.Feed("G"), Progress::kComplete);
  EXPECT_TRUE(later.has_trailing_bytes());
}

TEST(RequestFramerTest, UpToTwoEmptyLinesBeforeTheRequestAreSkipped) {
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kComplete);
  EXPECT_EQ(framer.request(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ExpectError("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
}

TEST(RequestFramerTest, ContentLengthMustBeDecimal) {
  for (const char* value : {"-5", "+5", "0x10", "5 5", "", "abc", "1.0"}) {
    ExpectError(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ") + value + "\r\n\r\n", 400,
                "gateway:content.length.invalid");
  }
}

TEST(RequestFramerTest, ContentLengthCopiesMustAgree) {
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400,
              "gateway:content.length.invalid");
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab", 400, "gateway:content.length.invalid");
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(FeedAll(framer, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab"),
            Progress::kComplete);
}

TEST(RequestFramerTest, ContentLengthBeyondA64BitCountIs400) {
  for (const std::string length : {"9223372036854775808", "99999999999999999999", "184467440737095516160"}) {
    ExpectError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n", 400,
                "gateway:content.length.invalid");
  }
}

TEST(RequestFramerTest, BodyOverTheLimitIsRefusedBeforeItArrives) {
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 33\r\n\r\n", 413, "request.entity.too.large");
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n", 413,
              "request.entity.too.large");
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(FeedAll(framer, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\n" + std::string(32, 'a')),
            Progress::kComplete);
}

TEST(RequestFramerTest, LongRequestLineIs414CompleteOrNot) {
  ExpectError("GET /" + std::string(60, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "gateway:uri.too.long");
  ExpectError("GET /" + std::string(70, 'a'), 414, "gateway:uri.too.long");
}

// Found by fuzz/http_framing_fuzzer.cc (regression-bare-lf-beyond-the-line-limit): a request line
// over the limit with a bare LF after the limit was answered 400 when read whole and 414 when
// read in pieces. Only the bytes within the limits are judged, so it is 414 either way.
TEST(RequestFramerTest, ABareLineEndBeyondTheLimitLeavesTheLimitsAnswer) {
  const std::string line = "GET /" + std::string(80, 'a') + "\nb HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestFramer whole(SmallLimits());
  ASSERT_EQ(FeedAll(whole, line), Progress::kError);
  EXPECT_EQ(whole.error().status, 414);
  RequestFramer bytewise(SmallLimits());
  ASSERT_EQ(FeedBytewise(bytewise, line), Progress::kError);
  EXPECT_EQ(bytewise.error().status, 414);
}

// A request line of exactly the limit whose CRLF is split across two reads is accepted (the
// limit was judged as soon as the line's CR arrived, which made it 414).
TEST(RequestFramerTest, ARequestLineOfTheLimitMayEndInTheNextRead) {
  const std::string line = "GET /" + std::string(64 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(line.size(), 64u);
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(framer.Feed(line + "\r"), Progress::kNeedMore);
  EXPECT_EQ(framer.Feed("\nHost: x\r\n\r\n"), Progress::kComplete);
  RequestFramer bytewise(SmallLimits());
  EXPECT_EQ(FeedBytewise(bytewise, line + "\r\nHost: x\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, LargeHeaderSectionIs431CompleteOrNot) {
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(120, 'a') + "\r\n\r\n", 431, "headers.too.large");
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200, 'a'), 431, "headers.too.large");
  // Many small headers count together.
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) many += "A: b\r\n";
  ExpectError(many + "\r\n", 431, "headers.too.large");
}

TEST(RequestFramerTest, LineEndsMustBeCrLf) {
  ExpectError("GET / HTTP/1.1\nHost: x\n\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost: x\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\rHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  // A CR at the end of what arrived so far waits for its LF.
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(framer.Feed("GET / HTTP/1.1\r"), Progress::kNeedMore);
  EXPECT_EQ(framer.Feed("\nHost: x\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, RequestLineMustHaveMethodTargetAndVersion) {
  ExpectError("GET /health\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET /health HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET /health HTTP/1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("HELLO WORLD\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("get /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "gateway:request.invalid");
}

TEST(RequestFramerTest, TargetIsVisibleAscii) {
  ExpectError(std::string("GET /a\x01" "b HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "gateway:request.invalid");
  ExpectError(std::string("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "gateway:request.invalid");
  ExpectError(Bytes("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "gateway:request.invalid");
}

TEST(RequestFramerTest, ErrorsNeverQuoteUncheckedBytes) {
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, std::string("G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n")), Progress::kError);
  EXPECT_EQ(framer.error().message.find('\x01'), std::string::npos) << framer.error().message;
  RequestFramer named(SmallLimits());
  ASSERT_EQ(FeedAll(named, "BREW / HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kError);
  EXPECT_NE(named.error().message.find("GET, HEAD, POST"), std::string::npos) << named.error().message;
}

// Found by fuzz/http_framing_fuzzer.cc (regression-method-in-pieces): HTTP/2's preface read in
// pieces of two bytes was refused quoting "PR", read whole quoting "PRI". The answer to a client
// must not depend on how its bytes were cut into reads.
TEST(RequestFramerTest, AnUnknownMethodGetsOneAnswerHoweverItArrives) {
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  RequestFramer whole(SmallLimits());
  ASSERT_EQ(FeedAll(whole, preface), Progress::kError);
  RequestFramer pieces(SmallLimits());
  ASSERT_EQ(pieces.Feed(preface.substr(0, 2)), Progress::kError);
  EXPECT_EQ(pieces.error().ToJson(), whole.error().ToJson());
  RequestFramer bytewise(SmallLimits());
  ASSERT_EQ(FeedBytewise(bytewise, preface), Progress::kError);
  EXPECT_EQ(bytewise.error().ToJson(), whole.error().ToJson());
}

TEST(RequestFramerTest, HeaderLinesAreNameColonValue) {
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError(Bytes("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"), 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\nX: a\x7f\r\n\r\n", 400, "gateway:request.invalid");
  // obs-text and tabs are allowed in values.
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(FeedAll(framer, "GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\tok\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, Http11NeedsExactlyOneHost) {
  ExpectError("GET / HTTP/1.1\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "gateway:request.invalid");
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(FeedAll(framer, "GET / HTTP/1.0\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, HostIsANameOrAddressWithAPort) {
  for (const char* host : {"probe:99999", "probe:123456", "a b", "probe:80x", "[::1", "[zz]:80", "a/b", "a@b"}) {
    ExpectError(std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n", 400, "gateway:request.invalid");
  }
  for (const char* host : {"", "probe", "probe:8080", "probe:", "127.0.0.1:65535", "[::1]:80", "[::1]", "xn--bcher-kva.de"}) {
    RequestFramer framer(SmallLimits());
    EXPECT_EQ(FeedAll(framer, std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n"), Progress::kComplete)
        << host;
  }
}

TEST(RequestFramerTest, TransferEncodingOnlyChunkedAloneOnHttp11) {
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400,
              "gateway:request.invalid");
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "gateway:request.invalid");
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
              "gateway:request.invalid");
  ExpectError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "gateway:request.invalid");
}

TEST(RequestFramerTest, ChunkedBodyIsDecodedAndPassedWithContentLength) {
  RequestFramer framer(SmallLimits());
  const std::string request =
      "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n6 ;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
  ASSERT_EQ(FeedBytewise(framer, request), Progress::kComplete);
  EXPECT_TRUE(framer.head().chunked);
  EXPECT_EQ(framer.head().content_length, 11u);
  EXPECT_EQ(framer.request(), "POST /p HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nContent-Length: 11\r\n\r\nhello world");
}

TEST(RequestFramerTest, ChunkedFramingErrors) {
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  ExpectError(head + "zz\r\n", 400, "gateway:request.invalid");
  ExpectError(head + "\r\n", 400, "gateway:request.invalid");
  ExpectError(head + "3\r\nabcX\r\n", 400, "gateway:request.invalid");
  ExpectError(head + "21\r\n", 413, "request.entity.too.large");
  ExpectError(head + "10\r\n0123456789abcdef\r\n11\r\n", 413, "request.entity.too.large");
  ExpectError(head + "ffffffffffffffffff\r\n", 400, "gateway:request.invalid");
  ExpectError(head + "1;" + std::string(1100, 'e'), 400, "gateway:request.invalid");
  ExpectError(head + "0\r\nT: " + std::string(200, 't') + "\r\n\r\n", 431, "headers.too.large");
  ExpectError(head + "0\r\nno colon\r\n\r\n", 400, "gateway:request.invalid");
}

TEST(RequestFramerTest, ExpectContinueIsNotedOtherExpectationsAre417) {
  RequestFramer framer(SmallLimits());
  EXPECT_EQ(FeedAll(framer, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"),
            Progress::kNeedMore);
  EXPECT_TRUE(framer.head_complete());
  EXPECT_TRUE(framer.head().expect_continue);
  EXPECT_EQ(framer.Feed("ab"), Progress::kComplete);
  // Answered here; Pistache's own Expect parser reads past the value (see PassedToPistache).
  EXPECT_EQ(framer.request(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab");
  RequestFramer no_body(SmallLimits());
  EXPECT_EQ(FeedAll(no_body, "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"), Progress::kComplete);
  EXPECT_FALSE(no_body.head().expect_continue) << "nothing to wait for without a body";
  EXPECT_EQ(no_body.request(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ExpectError("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n", 417,
              "gateway:expectation.failed");
}

// Pistache 0.0.5 reads these values with strcmp and strtol past their end (PassedToPistache): they
// never reach it, and everything else does, in order.
TEST(RequestFramerTest, ExpectAndCacheControlAreNotPassedOn) {
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, "GET / HTTP/1.1\r\nHost: x\r\nCache-Control: max-age=0\r\nAccept: */*\r\n"
                            "cache-control: no-cache\r\n\r\n"),
            Progress::kComplete);
  EXPECT_EQ(framer.request(), "GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
  RequestFramer chunked(SmallLimits());
  ASSERT_EQ(FeedAll(chunked, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n"
                             "\r\n1\r\na\r\n0\r\n\r\n"),
            Progress::kComplete);
  EXPECT_EQ(chunked.request(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na");
}

TEST(RequestFramerTest, ResetReadsTheNextRequest) {
  RequestFramer framer(SmallLimits());
  ASSERT_EQ(FeedAll(framer, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"), Progress::kComplete);
  framer.Reset();
  ASSERT_EQ(FeedAll(framer, "GET /b HTTP/1.0\r\n\r\n"), Progress::kComplete);
  EXPECT_EQ(framer.head().version, HttpVersion::kHttp10);
  EXPECT_EQ(framer.request(), "GET /b HTTP/1.0\r\n\r\n");
  framer.Reset();
  ASSERT_EQ(FeedAll(framer, "GET / HTTP/1.1\n"), Progress::kError);
  framer.Reset();
  EXPECT_EQ(FeedAll(framer, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Progress::kComplete);
}

TEST(RequestFramerTest, PassedRequestsFitPistachesBuffer) {
  const FramingLimits limits = SmallLimits();
  RequestFramer framer(limits);
  std::string request = "POST /" + std::string(limits.request_line_bytes_max - 15, 'a') + " HTTP/1.1\r\n";
  ASSERT_EQ(request.size(), limits.request_line_bytes_max + 2);
  std::string headers = "Host: x\r\nTransfer-Encoding: chunked\r\n";
  headers += "X: " + std::string(limits.header_bytes_max - headers.size() - 7, 'h') + "\r\n\r\n";
  ASSERT_EQ(headers.size(), limits.header_bytes_max);
  request += headers + "20\r\n" + std::string(32, 'b') + "\r\n0\r\n\r\n";
  ASSERT_EQ(FeedAll(framer, request), Progress::kComplete);
  EXPECT_LE(framer.request().size(), PassedRequestBytesMax(limits));
}

}  // namespace
}  // namespace connectivity::http
