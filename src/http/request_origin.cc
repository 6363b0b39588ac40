#include "src/http/request_origin.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace connectivity::http {
namespace {

// Per thread, seeded once from the system's entropy: a correlation id need
// not be secret, only unique enough to find a request by. (OpenSSL's
// RAND_bytes costs 1.6 µs a call on this machine even without contention.)
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy(), entropy(), entropy(), entropy(), entropy()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

}  // namespace

projector::RequestOrigin OriginOf(const HttpRequest& request, std::string_view route,
                                  std::string_view correlation_id) {
  projector::RequestOrigin origin;
  origin.user = request.user;
  origin.client_address = request.client_address;
  origin.correlation_id = correlation_id.empty() ? NewCorrelationId() : std::string(correlation_id);
  origin.route = std::string(route);
  return origin;
}

std::string NewCorrelationId() {
  std::array<uint8_t, 16> bytes{};
  const uint64_t high = Generator()();
  const uint64_t low = Generator()();
  std::memcpy(bytes.data(), &high, sizeof(high));
  std::memcpy(bytes.data() + sizeof(high), &low, sizeof(low));
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 0x0F]);
  }
  return text;
}

}  // namespace connectivity::http
