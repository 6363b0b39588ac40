#include "src/projector/event_payload.h"

#include <array>
#include <cstring>

namespace connectivity::projector {
namespace {

constexpr size_t kAuditStrings = 4;  // user, client_address, correlation_id, route

void PutString(std::string& out, std::string_view text) {
  const uint32_t size = static_cast<uint32_t>(text.size());
  char buffer[sizeof(size)];
  std::memcpy(buffer, &size, sizeof(size));  // little-endian hosts only (x86_64)
  out.append(buffer, sizeof(size));
  out.append(text);
}

// The strings of a well-formed audit section, as views into it.
std::optional<std::array<std::string_view, kAuditStrings>> ParseAudit(std::string_view audit) {
  std::array<std::string_view, kAuditStrings> strings;
  if (audit.size() < 2 || audit[0] != kAuditMarker || static_cast<uint8_t>(audit[1]) != kAuditVersion) {
    return std::nullopt;
  }
  audit.remove_prefix(2);
  for (std::string_view& text : strings) {
    uint32_t size = 0;
    if (audit.size() < sizeof(size)) return std::nullopt;
    std::memcpy(&size, audit.data(), sizeof(size));
    audit.remove_prefix(sizeof(size));
    if (audit.size() < size) return std::nullopt;
    text = audit.substr(0, size);
    audit.remove_prefix(size);
  }
  if (!audit.empty()) return std::nullopt;
  return strings;
}

}  // namespace

std::string_view PayloadBody(std::string_view payload) {
  const void* marker = payload.empty() ? nullptr : std::memchr(payload.data(), kAuditMarker, payload.size());
  if (marker == nullptr) return payload;
  return payload.substr(0, static_cast<size_t>(static_cast<const char*>(marker) - payload.data()));
}

std::string_view PayloadAudit(std::string_view payload) { return payload.substr(PayloadBody(payload).size()); }

void AppendAudit(const RequestOrigin& origin, std::string& payload) {
  payload.reserve(payload.size() + 2 + kAuditStrings * 4 + origin.user.size() + origin.client_address.size() +
                  origin.correlation_id.size() + origin.route.size());
  payload.push_back(kAuditMarker);
  payload.push_back(static_cast<char>(kAuditVersion));
  PutString(payload, origin.user);
  PutString(payload, origin.client_address);
  PutString(payload, origin.correlation_id);
  PutString(payload, origin.route);
}

bool AuditWellFormed(std::string_view payload) {
  const std::string_view audit = PayloadAudit(payload);
  return audit.empty() || ParseAudit(audit).has_value();
}

Result<std::optional<RequestOrigin>> PayloadOrigin(std::string_view payload) {
  const std::string_view audit = PayloadAudit(payload);
  if (audit.empty()) return std::optional<RequestOrigin>();
  const auto strings = ParseAudit(audit);
  if (!strings) return Status::Corruption("the event's audit section is not one this program writes");
  return std::optional<RequestOrigin>(RequestOrigin{std::string((*strings)[0]), std::string((*strings)[1]),
                                                    std::string((*strings)[2]), std::string((*strings)[3])});
}

}  // namespace connectivity::projector
