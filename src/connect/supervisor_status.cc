#include "src/connect/supervisor_internal.h"

namespace connectivity::connect {
namespace {

// Sources and targets follow their client: this service runs no consumers or producers.
ResourceStatus Endpoint(const SupervisedEntry& entry, const std::string& instance,
                        const char* type, const std::string& address) {
  ResourceStatus resource;
  resource.type = type;
  resource.client = instance;
  resource.address = address;
  resource.status = entry.status;
  resource.in_state_since_us = entry.in_state_since_us;
  if (entry.status == "open") {
    resource.status_details = std::string("Client connected; this service does not ") +
                              (resource.type == "source" ? "consume" : "publish") + " messages.";
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
      std::string addresses;
      for (const std::string& a : source.addresses) addresses += (addresses.empty() ? "" : ",") + a;
      for (int32_t i = 0; i < consumers; ++i) {
        status.source_status.push_back(Endpoint(entry, instance, "source", addresses));
      }
      continue;
    }
    for (const std::string& address : source.addresses) {
      for (int32_t i = 0; i < consumers; ++i) {
        status.source_status.push_back(Endpoint(entry, instance, "source", address));
      }
    }
  }
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
    status.target_status.push_back(Endpoint(entry, instance, "target", target.address));
  }
  status.live_status =
      AggregateLiveStatus(status.client_status, status.source_status, status.target_status);
  status.recovery_status = AggregateRecoveryStatus(status.client_status);
  status.connected_since_us = entry.status == "open" ? entry.in_state_since_us : 0;
  status.metrics = entry.metrics;
  return status;
}

}  // namespace connectivity::connect
