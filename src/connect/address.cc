#include "src/connect/address.h"

#include <algorithm>
#include <map>

#include "src/model/java_compat.h"

namespace connectivity::connect {
namespace {

using model::JavaHashOrder;
using model::JavaListToString;

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::vector<const AddressCheck*> Failed(const std::vector<AddressCheck>& checks, bool source) {
  std::vector<const AddressCheck*> failed;
  for (const AddressCheck& check : checks) {
    if (!check.ok && check.source == source) failed.push_back(&check);
  }
  return failed;
}

std::vector<std::string> Addresses(const std::vector<const AddressCheck*>& checks) {
  std::vector<std::string> addresses;
  for (const AddressCheck* check : checks) addresses.push_back(check->address);
  return addresses;
}

// JMSConnectionHandlingActor.buildConnectionFailedException: one key per consumer of a refused
// source address ("<address>-<index>"), in the order of the HashMap that collected them.
void DescribeAmqp10Sources(const ConnectTarget& target,
                           const std::vector<const AddressCheck*>& failed, ConnectOutcome& out) {
  std::map<std::string, std::string> detail_by_key;
  std::vector<std::string> keys;
  for (const SourceAddresses& source : target.sources) {
    for (const std::string& address : source.addresses) {
      for (const AddressCheck* check : failed) {
        if (check->address != address) continue;
        for (int i = 0; i < source.consumer_count; ++i) {
          const std::string key = address + "-" + std::to_string(i);
          if (detail_by_key.emplace(key, check->detail).second) keys.push_back(key);
        }
      }
    }
  }
  keys = JavaHashOrder(std::move(keys));
  out.message = "Failed to consume sources: " + JavaListToString(keys);
  for (const std::string& key : keys) {
    out.description += (out.description.empty() ? "" : ", ") + key + ": " + detail_by_key[key];
  }
}

// ConnectionTesterActor: every refused filter of every source, in order.
std::string DescribeMqtt(const std::vector<const AddressCheck*>& failed) {
  std::string statuses;
  for (const AddressCheck* check : failed) {
    statuses += (statuses.empty() ? "" : ", ") + std::string("SubscriptionStatus[Topic filter: ") +
                check->address + " => " + check->detail + "]";
  }
  return "Cause: [" + statuses + "]";
}

}  // namespace

bool HasPlaceholder(std::string_view address) { return address.find("{{") != std::string_view::npos; }

std::string AmqpNodeOfTarget(std::string_view address) {
  for (std::string_view prefix : {"queue://", "topic://"}) {
    if (address.substr(0, prefix.size()) == prefix) return std::string(address.substr(prefix.size()));
  }
  return std::string(address);
}

std::string KafkaTopicOfTarget(std::string_view address) {
  return std::string(address.substr(0, address.find_first_of("/#")));
}

bool IsSharedSubscription(std::string_view filter) { return filter.substr(0, 7) == "$share/"; }

CheckPlan PlanChecks(const ConnectTarget& target) {
  CheckPlan plan;
  for (const SourceAddresses& source : target.sources) {
    for (const std::string& address : source.addresses) {
      if (!Contains(plan.sources, address)) plan.sources.push_back(address);
    }
  }
  const bool targets_checked = target.protocol == Protocol::kAmqp10 || target.protocol == Protocol::kKafka;
  for (const std::string& address : target.targets) {
    if (targets_checked && !HasPlaceholder(address) && !Contains(plan.targets, address)) {
      plan.targets.push_back(address);
    }
  }
  return plan;
}

bool IsSubAckError(int code) { return code >= 0x80; }

std::string SubAckStatusText(int code, bool mqtt5) {
  std::string name;
  if (mqtt5) {
    switch (code) {
      case 0x00: name = "GRANTED_QOS_0"; break;
      case 0x01: name = "GRANTED_QOS_1"; break;
      case 0x02: name = "GRANTED_QOS_2"; break;
      case 0x80: name = "UNSPECIFIED_ERROR"; break;
      case 0x83: name = "IMPLEMENTATION_SPECIFIC_ERROR"; break;
      case 0x87: name = "NOT_AUTHORIZED"; break;
      case 0x8F: name = "TOPIC_FILTER_INVALID"; break;
      case 0x91: name = "PACKET_IDENTIFIER_IN_USE"; break;
      case 0x97: name = "QUOTA_EXCEEDED"; break;
      case 0x9E: name = "SHARED_SUBSCRIPTIONS_NOT_SUPPORTED"; break;
      case 0xA1: name = "SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED"; break;
      case 0xA2: name = "WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED"; break;
      default: name = "UNKNOWN"; break;
    }
  } else {
    switch (code) {
      case 0: name = "SUCCESS_MAXIMUM_QOS_0"; break;
      case 1: name = "SUCCESS_MAXIMUM_QOS_1"; break;
      case 2: name = "SUCCESS_MAXIMUM_QOS_2"; break;
      case 128: name = "FAILURE"; break;
      default: name = "UNKNOWN"; break;
    }
  }
  return std::string(IsSubAckError(code) ? "Error: " : "Success: ") + name + "(" +
         std::to_string(code) + ")";
}

std::string AmqpLinkErrorText(std::string_view condition, std::string_view description) {
  std::string text = description.empty() ? "Received error from remote peer without description"
                                         : std::string(description);
  if (!condition.empty()) text += " [condition = " + std::string(condition) + "]";
  return text;
}

ConnectOutcome ConcludeChecks(const ConnectTarget& target, ConnectOutcome connected,
                              std::vector<AddressCheck> checks) {
  const std::vector<const AddressCheck*> sources = Failed(checks, true);
  const std::vector<const AddressCheck*> targets = Failed(checks, false);
  if (sources.empty() && targets.empty()) {
    connected.addresses = std::move(checks);
    return connected;
  }
  ConnectOutcome failure;
  failure.failure = FailureKind::kAddress;
  switch (target.protocol) {
    case Protocol::kAmqp091:
      failure.description = "The queues " + JavaListToString(Addresses(sources)) + " to connect to are missing.";
      break;
    case Protocol::kAmqp10:
      if (!sources.empty()) {
        DescribeAmqp10Sources(target, sources, failure);
      } else {
        failure.description = "Cause: " + targets.front()->detail;
      }
      break;
    case Protocol::kMqtt311:
    case Protocol::kMqtt5:
      failure.description = DescribeMqtt(sources);
      break;
    case Protocol::kKafka: {
      std::vector<std::string> topics;
      for (const AddressCheck* check : sources) topics.push_back(check->address);
      for (const AddressCheck* check : targets) {
        const std::string topic = KafkaTopicOfTarget(check->address);
        if (!Contains(topics, topic)) topics.push_back(topic);
      }
      failure.description = "The topics " + JavaListToString(topics) + " to connect to are missing.";
      break;
    }
    case Protocol::kHttp:
      failure.description = "The addresses " + JavaListToString(Addresses(sources)) + " were refused.";
      break;
  }
  failure.addresses = std::move(checks);
  return failure;
}

}  // namespace connectivity::connect
