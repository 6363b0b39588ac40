#include "src/http/request_framing.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <utility>

#include "src/http/http_errors.h"

namespace connectivity::http {
namespace {

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
constexpr size_t kLeadingEmptyLinesMax = 2;
// A chunk-size line with its extensions.
constexpr size_t kChunkLineBytesMax = 1024;
// Longest method or version quoted back in an error message.
constexpr size_t kQuotedTokenBytesMax = 16;
// A buffer this large is given back after a request instead of being kept for the next one.
constexpr size_t kKeptBufferBytesMax = 16 << 10;

// The longest method ("OPTIONS", "CONNECT").
constexpr size_t kMethodBytesMax = 7;
constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",  "POST",   "PUT",    "PATCH",
                                                      "DELETE", "OPTIONS", "TRACE", "CONNECT"};

model::DittoError MethodNotSupported() {
  return RequestInvalid(
      "The request method is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT.");
}

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return IsTokenChar(static_cast<unsigned char>(c)); });
}

bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x21 && byte <= 0x7e;
  });
}

// A field value may hold HTAB, visible ASCII, SP and obs-text; never another control character.
bool IsFieldValue(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  });
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// `text` in angle brackets when it is short visible ASCII; otherwise nothing is quoted (a client's
// bytes never reach an answer unchecked).
std::string Quoted(std::string_view text) {
  if (text.size() > kQuotedTokenBytesMax || !IsVisibleAscii(text)) return "";
  return " <" + std::string(text) + ">";
}

// RFC 9110 §7.2: Host = uri-host [ ":" port ], uri-host a reg-name, an IPv4 address or an IP
// literal in brackets; port = *DIGIT, here at most 65535. Empty is allowed (no authority).
bool IsHostValue(std::string_view value) {
  std::string_view host = value;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view literal = host.substr(1, close - 1);
    const bool literal_ok = !literal.empty() && std::all_of(literal.begin(), literal.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
    });
    if (!literal_ok) return false;
    const std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    has_port = !after.empty();
    port = has_port ? after.substr(1) : after;
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      has_port = true;
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    const bool name_ok = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
    });
    if (!name_ok) return false;
  }
  if (!has_port || port.empty()) return true;
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

// Calls `visit` with each trimmed item of a comma-separated list until it returns false.
template <typename Visit>
bool ForEachListItem(std::string_view text, Visit visit) {
  while (true) {
    const size_t comma = text.find(',');
    if (!visit(TrimWhitespace(text.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

// 1*DIGIT; values past 10^18 saturate there (any limit refuses them).
// A Content-Length: 1*DIGIT, at most what a signed 64-bit byte count (off_t) holds.
enum class Decimal { kValid, kMalformed, kOutOfRange };
Decimal ParseDecimal(std::string_view text, uint64_t& value) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (text.empty()) return Decimal::kMalformed;
  value = 0;
  bool overflow = false;
  for (char c : text) {
    if (c < '0' || c > '9') return Decimal::kMalformed;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) overflow = true;
    if (!overflow) value = value * 10 + digit;
  }
  return overflow ? Decimal::kOutOfRange : Decimal::kValid;
}

// 1*16HEXDIG.
std::optional<uint64_t> ParseHex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    const char lower = static_cast<char>(c | 0x20);
    int digit = 0;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (lower >= 'a' && lower <= 'f') digit = lower - 'a' + 10;
    else return std::nullopt;
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  return value;
}

void Release(std::string& buffer) {
  if (buffer.capacity() > kKeptBufferBytesMax) {
    std::string().swap(buffer);
  } else {
    buffer.clear();
  }
}

// The framing-relevant fields of a head, collected line by line.
struct Fields {
  std::optional<uint64_t> content_length;
  std::optional<std::string> transfer_encoding;
  int hosts = 0;
  bool close = false;
  bool keep_alive = false;
  std::optional<std::string> expect;
};

bool EqualsIgnoringCase(std::string_view text, std::string_view lower_case) {
  return text.size() == lower_case.size() &&
         std::equal(text.begin(), text.end(), lower_case.begin(),
                    [](char a, char b) { return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b; });
}

// Whether a header field goes on to Pistache's parser. Not Transfer-Encoding of a chunked body:
// Pistache gets the decoded body with a Content-Length. Not Expect (answered here with 100
// Continue) and not Cache-Control (nothing here reads it): Pistache 0.0.5 parses their values
// with strcmp (Header::Expect::parseRaw) and strtol (CacheControl's delta-seconds, as in
// `max-age=0`, which browsers send on a reload) although its header buffer is not NUL-terminated.
// In practice the CR after the value stops both, but the read is unbounded, and under
// `scripts/test --sanitize address` ASan's strict string checks end the process on it.
bool PassedToPistache(std::string_view name, bool chunked) {
  if (EqualsIgnoringCase(name, "expect") || EqualsIgnoringCase(name, "cache-control")) return false;
  return !(chunked && EqualsIgnoringCase(name, "transfer-encoding"));
}

std::optional<model::DittoError> ReadField(std::string_view line, Fields& fields) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return RequestInvalid("A header line has no ':'.");
  const std::string_view name = line.substr(0, colon);
  if (!IsToken(name)) {
    return RequestInvalid("A header name is empty or holds a character that is not allowed "
                          "(whitespace before ':' and folded lines are refused).");
  }
  const std::string_view value = TrimWhitespace(line.substr(colon + 1));
  if (!IsFieldValue(value)) return RequestInvalid("The header '" + Lower(name) + "' holds a control character.");
  if (EqualsIgnoringCase(name, "content-length")) {
    std::optional<model::DittoError> error;
    ForEachListItem(value, [&](std::string_view item) {
      uint64_t length = 0;
      const Decimal parsed = ParseDecimal(item, length);
      if (parsed == Decimal::kMalformed) {
        error = ContentLengthInvalid("The Content-Length is not a decimal number of bytes.");
      } else if (parsed == Decimal::kOutOfRange) {
        error = ContentLengthInvalid("The Content-Length is out of range (more than a 64-bit count of bytes).");
      } else if (fields.content_length && *fields.content_length != length) {
        error = ContentLengthInvalid("The request has Content-Length values that differ.");
      }
      fields.content_length = length;
      return !error;
    });
    if (error) return error;
  } else if (EqualsIgnoringCase(name, "transfer-encoding")) {
    fields.transfer_encoding = fields.transfer_encoding ? *fields.transfer_encoding + "," : "";
    fields.transfer_encoding->append(value);
  } else if (EqualsIgnoringCase(name, "host")) {
    if (!IsHostValue(value)) return RequestInvalid("The Host header is not a host name or address with a port.");
    ++fields.hosts;
  } else if (EqualsIgnoringCase(name, "connection")) {
    ForEachListItem(value, [&fields](std::string_view option) {
      fields.close = fields.close || EqualsIgnoringCase(option, "close");
      fields.keep_alive = fields.keep_alive || EqualsIgnoringCase(option, "keep-alive");
      return true;
    });
  } else if (EqualsIgnoringCase(name, "expect")) {
    fields.expect = Lower(value);
  }
  return std::nullopt;
}

}  // namespace

size_t PassedRequestBytesMax(const FramingLimits& limits) {
  // Request line, header section, the Content-Length line a chunked body gets, the body.
  return limits.request_line_bytes_max + 2 + limits.header_bytes_max + 64 + limits.body_bytes_max;
}

RequestFramer::RequestFramer(FramingLimits limits) : limits_(limits) {}

RequestFramer::Progress RequestFramer::Feed(std::string_view bytes) {
  if (stage_ == Stage::kComplete || stage_ == Stage::kError) {
    has_trailing_bytes_ = has_trailing_bytes_ || !bytes.empty();
    return stage_ == Stage::kComplete ? Progress::kComplete : Progress::kError;
  }
  pending_.append(bytes);
  return Advance();
}

RequestFramer::Progress RequestFramer::Advance() {
  while (true) {
    const Stage before = stage_;
    Progress progress = Progress::kNeedMore;
    switch (stage_) {
      case Stage::kHead: progress = ReadHead(); break;
      case Stage::kLengthBody: progress = ReadLengthBody(); break;
      case Stage::kChunkedBody: progress = ReadChunkedBody(); break;
      case Stage::kComplete: return Progress::kComplete;
      case Stage::kError: return Progress::kError;
    }
    if (progress != Progress::kNeedMore || stage_ == before) return progress;
  }
}

RequestFramer::Progress RequestFramer::Fail(model::DittoError error) {
  stage_ = Stage::kError;
  error_ = std::move(error);
  Release(pending_);
  return Progress::kError;
}

// Every LF of the head must follow a CR and every CR precede an LF. Scans pending_ up to
// `checked_end`; a CR as the last byte received waits for the next one, and a CR as the last
// byte the limits allow (`region_end`) is left to the limit: no line can end with it.
bool RequestFramer::HasBareLineEnd(size_t checked_end, size_t region_end) {
  for (; scanned_ < checked_end; ++scanned_) {
    const char c = pending_[scanned_];
    if (c == '\r' && (scanned_ + 1 == pending_.size() || scanned_ + 1 == region_end)) break;
    const bool bare_lf = c == '\n' && (scanned_ == 0 || pending_[scanned_ - 1] != '\r');
    const bool bare_cr = c == '\r' && pending_[scanned_ + 1] != '\n';
    if (bare_lf || bare_cr) return true;
  }
  return false;
}

RequestFramer::Progress RequestFramer::ReadHead() {
  while (!started_) {  // empty lines before the request line
    if (pending_.empty() || pending_ == "\r") return Progress::kNeedMore;
    if (pending_.compare(0, 2, "\r\n") != 0) {
      if (pending_[0] == '\r' || pending_[0] == '\n') {
        return Fail(RequestInvalid("Lines must end with CRLF; a bare CR or LF was received."));
      }
      started_ = true;
      break;
    }
    if (++leading_empty_lines_ > kLeadingEmptyLinesMax) {
      return Fail(RequestInvalid("The request starts with too many empty lines."));
    }
    pending_.erase(0, 2);
  }
  // Bytes that cannot begin a known method (binary data, a TLS handshake, HTTP/2's preface)
  // are refused at once instead of waiting for a line end. Only the bytes before the first
  // space, CR or LF count: a bare line end is answered as such however the bytes arrive.
  const size_t method_end = std::string_view(pending_).substr(0, kMethodBytesMax + 1).find_first_of(" \r\n");
  const bool method_complete = method_end != std::string_view::npos && pending_[method_end] == ' ';
  const std::string_view method_start = std::string_view(pending_).substr(0, std::min(method_end, kMethodBytesMax + 1));
  const bool may_be_method = std::any_of(kMethods.begin(), kMethods.end(), [&](std::string_view method) {
    return method_complete ? method == method_start : method.substr(0, method_start.size()) == method_start;
  });
  // The message must not depend on how many bytes have arrived (fuzz/http_framing_fuzzer.cc).
  if (!may_be_method) return Fail(MethodNotSupported());
  const size_t head_end = pending_.find("\r\n\r\n", searched_ >= 3 ? searched_ - 3 : 0);
  searched_ = pending_.size();
  // The bytes the limits allow: the longest request line and its CRLF, then the largest header
  // section. Only they are checked for bare CRs and LFs, and a limit is judged only once all of
  // them have arrived, so that the answer is the same however the bytes were cut into reads
  // (fuzz/http_framing_fuzzer.cc): a bare LF beyond the limit never wins over the limit.
  const size_t line_end = pending_.find("\r\n");
  const size_t line_region = limits_.request_line_bytes_max + 2;
  const bool line_fits = line_end != std::string::npos && line_end <= limits_.request_line_bytes_max;
  const size_t region_end = line_fits ? line_end + 2 + limits_.header_bytes_max : line_region;
  const size_t checked_end = std::min(region_end, head_end == std::string::npos ? pending_.size() : head_end + 4);
  if (HasBareLineEnd(checked_end, region_end)) {
    return Fail(RequestInvalid("Lines must end with CRLF; a bare CR or LF was received."));
  }
  if (!line_fits) {
    const bool too_long = line_end != std::string::npos || pending_.size() >= line_region;
    return too_long ? Fail(UriTooLong(limits_.request_line_bytes_max)) : Progress::kNeedMore;
  }
  const size_t section_bytes = (head_end == std::string::npos ? pending_.size() : head_end + 4) - (line_end + 2);
  if (section_bytes > limits_.header_bytes_max) return Fail(HeadersTooLarge(limits_.header_bytes_max));
  if (head_end == std::string::npos) return Progress::kNeedMore;
  return ParseHead(line_end, head_end);
}

RequestFramer::Progress RequestFramer::ParseHead(size_t line_end, size_t head_end) {
  const std::string_view all(pending_);
  const std::string_view line = all.substr(0, line_end);
  const size_t first_space = line.find(' ');
  const size_t second_space = first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) {
    return Fail(RequestInvalid("The request line must be: method, a space, the target, a space, the HTTP version."));
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) return Fail(MethodNotSupported());
  if (target.empty() || !IsVisibleAscii(target)) {
    return Fail(RequestInvalid("The request target is empty or holds a character that is not allowed "
                               "(only visible ASCII; percent-encode the rest)."));
  }
  if (version == "HTTP/1.0") {
    head_.version = HttpVersion::kHttp10;
  } else if (version != "HTTP/1.1") {
    return Fail(RequestInvalid("The HTTP version" + Quoted(version) + " is not supported (HTTP/1.1 and HTTP/1.0 are)."));
  }
  Fields fields;
  for (size_t start = line_end + 2; start < head_end + 2;) {
    const size_t end = all.find("\r\n", start);
    if (auto error = ReadField(all.substr(start, end - start), fields)) return Fail(std::move(*error));
    start = end + 2;
  }
  const bool http11 = head_.version == HttpVersion::kHttp11;
  if (http11 ? fields.hosts != 1 : fields.hosts > 1) {
    return Fail(RequestInvalid("An HTTP/1.1 request must carry exactly one Host header."));
  }
  if (fields.transfer_encoding) {
    if (fields.content_length) {
      return Fail(RequestInvalid("The request has both Content-Length and Transfer-Encoding."));
    }
    if (!http11 || Lower(TrimWhitespace(*fields.transfer_encoding)) != "chunked") {
      return Fail(RequestInvalid("Transfer-Encoding is supported only as 'chunked' alone, on HTTP/1.1."));
    }
  }
  if (fields.content_length.value_or(0) > limits_.body_bytes_max) {
    return Fail(model::PayloadTooLarge(limits_.body_bytes_max));
  }
  if (fields.expect && http11 && *fields.expect != "100-continue") return Fail(ExpectationFailed(*fields.expect));
  head_.chunked = fields.transfer_encoding.has_value();
  head_.content_length = fields.content_length.value_or(0);
  head_.keep_alive = http11 ? !fields.close : fields.keep_alive && !fields.close;
  head_.expect_continue = http11 && fields.expect.has_value() && (head_.chunked || head_.content_length > 0);
  head_bytes_.assign(all.substr(0, line_end + 2));
  for (size_t start = line_end + 2; start < head_end + 2;) {
    const size_t end = all.find("\r\n", start);
    const std::string_view field = all.substr(start, end + 2 - start);
    if (PassedToPistache(field.substr(0, field.find(':')), head_.chunked)) head_bytes_.append(field);
    start = end + 2;
  }
  // A chunked body's head ends once its Content-Length is known (Complete).
  if (!head_.chunked) head_bytes_ += "\r\n";
  pending_.erase(0, head_end + 4);
  head_complete_ = true;
  if (head_.chunked) {
    stage_ = Stage::kChunkedBody;
    return Progress::kNeedMore;
  }
  if (head_.content_length > 0) {
    stage_ = Stage::kLengthBody;
    body_.reserve(head_.content_length);
    return Progress::kNeedMore;
  }
  return Complete();
}

RequestFramer::Progress RequestFramer::ReadLengthBody() {
  const size_t take = std::min<size_t>(head_.content_length - body_.size(), pending_.size());
  body_.append(pending_, 0, take);
  pending_.erase(0, take);
  if (body_.size() < head_.content_length) return Progress::kNeedMore;
  return Complete();
}

RequestFramer::Progress RequestFramer::ReadChunkedBody() {
  while (true) {
    switch (chunk_stage_) {
      case ChunkStage::kSize: {
        const Progress progress = ReadChunkSize();
        if (progress != Progress::kNeedMore || chunk_stage_ == ChunkStage::kSize) return progress;
        break;
      }
      case ChunkStage::kData: {
        const size_t take = std::min(chunk_left_, pending_.size());
        body_.append(pending_, 0, take);
        pending_.erase(0, take);
        chunk_left_ -= take;
        if (chunk_left_ > 0) return Progress::kNeedMore;
        chunk_stage_ = ChunkStage::kDataEnd;
        break;
      }
      case ChunkStage::kDataEnd:
        if (pending_.size() < 2) return Progress::kNeedMore;
        if (pending_.compare(0, 2, "\r\n") != 0) {
          return Fail(RequestInvalid("A chunk of the chunked body is not followed by CRLF."));
        }
        pending_.erase(0, 2);
        chunk_stage_ = ChunkStage::kSize;
        break;
      case ChunkStage::kTrailer:
        return ReadTrailer();
    }
  }
}

RequestFramer::Progress RequestFramer::ReadChunkSize() {
  const size_t line_end = pending_.find("\r\n");
  if (line_end == std::string::npos) {
    if (pending_.size() > kChunkLineBytesMax) return Fail(RequestInvalid("A chunk-size line is too long."));
    return Progress::kNeedMore;
  }
  const std::string_view line = std::string_view(pending_).substr(0, line_end);
  if (line_end > kChunkLineBytesMax || !IsFieldValue(line)) {
    return Fail(RequestInvalid("A chunk-size line is too long or holds a control character."));
  }
  const std::optional<uint64_t> size = ParseHex(TrimWhitespace(line.substr(0, line.find(';'))));
  if (!size) return Fail(RequestInvalid("A chunk size is not a hexadecimal number."));
  if (*size > limits_.body_bytes_max - body_.size()) return Fail(model::PayloadTooLarge(limits_.body_bytes_max));
  pending_.erase(0, line_end + 2);
  chunk_left_ = static_cast<size_t>(*size);
  chunk_stage_ = *size == 0 ? ChunkStage::kTrailer : ChunkStage::kData;
  return Progress::kNeedMore;
}

RequestFramer::Progress RequestFramer::ReadTrailer() {
  while (true) {
    const size_t line_end = pending_.find("\r\n");
    const size_t seen = line_end == std::string::npos ? pending_.size() : line_end + 2;
    if (trailer_bytes_ + seen > limits_.header_bytes_max) return Fail(HeadersTooLarge(limits_.header_bytes_max));
    if (line_end == std::string::npos) return Progress::kNeedMore;
    if (line_end == 0) {
      pending_.erase(0, 2);
      return Complete();
    }
    const std::string_view line = std::string_view(pending_).substr(0, line_end);
    if (!IsFieldValue(line) || line.find(':') == std::string_view::npos) {
      return Fail(RequestInvalid("A trailer line of the chunked body is malformed."));
    }
    trailer_bytes_ += seen;
    pending_.erase(0, seen);  // trailers are not passed on
  }
}

RequestFramer::Progress RequestFramer::Complete() {
  stage_ = Stage::kComplete;
  head_complete_ = true;
  if (head_.chunked) {
    head_.content_length = body_.size();
    head_bytes_ += "Content-Length: " + std::to_string(body_.size()) + "\r\n\r\n";
  }
  request_.reserve(head_bytes_.size() + body_.size());
  request_.assign(head_bytes_);
  request_.append(body_);
  has_trailing_bytes_ = !pending_.empty();
  Release(pending_);
  Release(body_);
  return Progress::kComplete;
}

std::string_view RequestFramer::request() const { return request_; }

void RequestFramer::Reset() {
  stage_ = Stage::kHead;
  chunk_stage_ = ChunkStage::kSize;
  started_ = false;
  head_complete_ = false;
  has_trailing_bytes_ = false;
  leading_empty_lines_ = 0;
  scanned_ = 0;
  searched_ = 0;
  chunk_left_ = 0;
  trailer_bytes_ = 0;
  Release(pending_);
  Release(head_bytes_);
  Release(body_);
  Release(request_);
  head_ = RequestHead{};
  error_.reset();
}

}  // namespace connectivity::http
