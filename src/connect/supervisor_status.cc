#include "src/connect/supervisor_internal.h"

#include <algorithm>

namespace connectivity::connect {
namespace {

// The checks of `addresses` (all of them, or none is returned).
std::vector<const AddressCheck*> ChecksOf(const SupervisedEntry& entry, bool source,
                                          const std::vector<std::string>& addresses) {
  std::vector<const AddressCheck*> found;
  for (const std::string& address : addresses) {
    const auto it = std::find_if(entry.address_checks.begin(), entry.address_checks.end(),
                                 [&](const AddressCheck& c) { return c.source == source && c.address == address; });
    if (it == entry.address_checks.end()) return {};
    found.push_back(&*it);
  }
  return found;
}

// A checked address has its own status (the broker's answer at the last attempt) while that
// answer is current; the others follow their client (this service runs no consumers or
// producers). `addresses` has one address, or an MQTT 3 source's addresses joined in one status.
ResourceStatus Endpoint(const SupervisedEntry& entry, const std::string& instance, const char* type,
                        const std::vector<std::string>& addresses) {
  ResourceStatus resource;
  resource.type = type;
  resource.client = instance;
  for (const std::string& a : addresses) resource.address += (resource.address.empty() ? "" : ",") + a;
  const bool source = resource.type == "source";
  const std::vector<const AddressCheck*> checks =
      entry.checks_current ? ChecksOf(entry, source, addresses) : std::vector<const AddressCheck*>();
  if (!checks.empty()) {
    resource.status = "open";
    resource.in_state_since_us = entry.checks_at_us;
    for (const AddressCheck* check : checks) {
      if (check->ok) continue;
      resource.status = "failed";
      resource.status_details += (resource.status_details.empty() ? "" : "; ") + check->detail;
    }
    if (resource.status == "open") resource.status_details = checks.front()->detail;
    return resource;
  }
  resource.status = entry.status;
  resource.in_state_since_us = entry.in_state_since_us;
  if (entry.status == "open") {
    resource.status_details = std::string("Client connected; this service does not ") +
                              (source ? "consume" : "publish") + " messages.";
  } else {
    resource.status_details = entry.status_details;
  }
  return resource;
}

void AddSources(const SupervisedEntry& entry, const std::string& instance, LiveStatus& status) {
  const bool mqtt3 = entry.connection.connection_type == model::ConnectionType::kMqtt;
  for (const model::Source& source : entry.connection.sources) {
    const int32_t consumers = std::max<int32_t>(1, source.consumer_count);
    if (mqtt3) {  // REF §7.1: one per consumer and source, not per address
      for (int32_t i = 0; i < consumers; ++i) {
        status.source_status.push_back(Endpoint(entry, instance, "source", source.addresses));
      }
      continue;
    }
    for (const std::string& address : source.addresses) {
      for (int32_t i = 0; i < consumers; ++i) {
        status.source_status.push_back(Endpoint(entry, instance, "source", {address}));
      }
    }
  }
}

// Ditto's SshTunnelActor.getResourceStatus: open while the tunnel carries the connection,
// failed with its cause, else closed.
ResourceStatus TunnelStatus(const SupervisedEntry& entry, const std::string& instance) {
  ResourceStatus ssh;
  ssh.type = "ssh";
  ssh.client = instance;
  ssh.in_state_since_us = entry.tunnel ? entry.tunnel_since_us : entry.in_state_since_us;
  if (entry.tunnel && entry.tunnel->ok && entry.status == "open") {
    ssh.status = "open";
    ssh.status_details = "ssh tunnel established.";
  } else if (entry.tunnel && !entry.tunnel->ok && !entry.tunnel->cause.empty()) {
    ssh.status = "failed";
    ssh.status_details = "SSH tunnel failed: " + entry.tunnel->cause;
  } else {
    ssh.status = "closed";
    ssh.status_details = "ssh tunnel closed.";
  }
  return ssh;
}

}  // namespace

void SetClientStatus(SupervisedEntry& entry, std::string status, std::string details,
                     int64_t now_us) {
  if (entry.status != status) entry.in_state_since_us = now_us;
  entry.status = std::move(status);
  entry.status_details = std::move(details);
}

LiveStatus BuildLiveStatus(const SupervisedEntry& entry, const std::string& instance, bool single_instance) {
  LiveStatus status;
  ResourceStatus client;
  client.type = "client";
  client.client = instance;
  client.status = entry.status;
  client.recovery_status = entry.recovery_status;
  client.status_details = entry.status_details;
  client.in_state_since_us = entry.in_state_since_us;
  status.client_status.push_back(client);
  for (int64_t i = 1; single_instance && i < entry.connection.client_count; ++i) {
    ResourceStatus missing = client;
    missing.client = "client " + std::to_string(i + 1);
    missing.status = "misconfigured";
    missing.recovery_status = "unknown";
    missing.status_details = "The configured client count of " +
                             std::to_string(entry.connection.client_count) +
                             " could not be delivered by the cluster, the client " +
                             std::to_string(i + 1) + " is therefore not available.";
    status.client_status.push_back(std::move(missing));
  }
  AddSources(entry, instance, status);
  for (const model::Target& target : entry.connection.targets) {
    status.target_status.push_back(Endpoint(entry, instance, "target", {target.address}));
  }
  if (entry.connection.ssh_tunnel && entry.connection.ssh_tunnel->enabled) {
    status.ssh_tunnel_status.push_back(TunnelStatus(entry, instance));
  }
  status.live_status = AggregateLiveStatus(status.client_status, status.source_status,
                                           status.target_status, status.ssh_tunnel_status);
  status.recovery_status = AggregateRecoveryStatus(status.client_status);
  status.connected_since_us = entry.status == "open" ? entry.in_state_since_us : 0;
  status.metrics = entry.metrics;
  return status;
}

}  // namespace connectivity::connect
