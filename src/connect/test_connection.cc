#include "src/connect/test_connection.h"

#include <chrono>
#include <future>

#include "src/connect/amqp091_loop.h"
#include "src/connect/clients.h"
#include "src/connect/mqtt_loop.h"
#include "src/connect/pooled_client.h"

namespace connectivity::connect {
namespace {

// Clients keep their own deadlines; this margin only turns a bug into an answer, not a hang.
constexpr int64_t kSafetyMarginUs = 5'000'000;

ConnectOutcome OtherFailure(std::string description) {
  ConnectOutcome failure;
  failure.failure = FailureKind::kOther;
  failure.description = std::move(description);
  return failure;
}

}  // namespace

std::unique_ptr<Client> CreateClient(ConnectTarget target, SharedSettings settings,
                                     ClientCallbacks callbacks, const ClientLoops& loops) {
  if (target.ssh_tunnel && !target.connect_to) {
    return MakeTunneledClient(std::move(target), std::move(settings), std::move(callbacks), loops);
  }
  switch (target.protocol) {
    case Protocol::kAmqp091:
      if (loops.amqp091 != nullptr) {
        return loops.amqp091->CreateClient(std::move(target), std::move(settings), std::move(callbacks));
      }
      return MakeAmqp091Client(std::move(target), std::move(settings), std::move(callbacks));
    case Protocol::kAmqp10:
      return MakeAmqp10Client(std::move(target), std::move(settings), std::move(callbacks));
    case Protocol::kHttp:
      if (loops.checks != nullptr) {
        return MakePooledClient(*loops.checks, std::move(target), std::move(settings), &MakeHttpCheckSession,
                                std::move(callbacks));
      }
      return MakeHttpClient(std::move(target), std::move(settings), std::move(callbacks));
    case Protocol::kKafka:
      if (loops.checks != nullptr) {
        return MakePooledClient(*loops.checks, std::move(target), std::move(settings), &MakeKafkaCheckSession,
                                std::move(callbacks));
      }
      return MakeKafkaClient(std::move(target), std::move(settings), std::move(callbacks));
    case Protocol::kMqtt311:
    case Protocol::kMqtt5:
      break;
  }
  return loops.mqtt.CreateClient(std::move(target), std::move(settings), std::move(callbacks));
}

ConnectOutcome TestConnection(const model::Connection& connection, const ConnectSettings& settings) {
  Result<ConnectTarget> target = MakeConnectTarget(connection, settings.hono);
  if (!target.ok()) {
    ConnectOutcome invalid;
    invalid.failure = FailureKind::kOther;
    invalid.description = "The connection cannot be connected as configured: " + target.status().message();
    return invalid;
  }
  const bool mqtt = target->protocol == Protocol::kMqtt311 || target->protocol == Protocol::kMqtt5;
  MqttLoop loop;  // one small loop per MQTT test keeps concurrent tests independent
  if (mqtt) {
    if (Status status = loop.Start(); !status.ok()) {
      return OtherFailure(status.message());
    }
  }
  auto result = std::make_shared<std::promise<ConnectOutcome>>();
  ClientCallbacks callbacks;
  callbacks.on_result = [result](const ConnectOutcome& outcome) { result->set_value(outcome); };
  std::unique_ptr<Client> client =
      CreateClient(std::move(*target), MakeClientSettings(settings), std::move(callbacks),
                   ClientLoops{loop, nullptr, nullptr});
  if (!client) return OtherFailure("the MQTT loop is not running");
  std::future<ConnectOutcome> future = result->get_future();
  if (!client->Start()) {
    return OtherFailure("the client could not start (no thread)");
  }
  ConnectOutcome outcome;
  if (future.wait_for(std::chrono::microseconds(settings.timeout_us + kSafetyMarginUs)) ==
      std::future_status::ready) {
    outcome = future.get();
  } else {
    outcome.failure = FailureKind::kTimeout;
    outcome.description = "Timeout: the client did not decide within its bound";
  }
  client->RequestClose();  // the clean, protocol-level close of a successful test
  client->WaitFinished();
  client.reset();
  return outcome;
}

}  // namespace connectivity::connect
