// Builders for events and canonical connection JSON used by projector tests.
#ifndef CONNECTIVITY_TESTS_PROJECTOR_PROJECTOR_TEST_UTIL_H_
#define CONNECTIVITY_TESTS_PROJECTOR_PROJECTOR_TEST_UTIL_H_

#include <string>

#include "journal/event.h"
#include "src/projector/connection_state.h"

namespace connectivity::projector::testing {

inline std::string CanonicalJson(const std::string& id, const std::string& status,
                                 const std::string& tags_json = "[]",
                                 const std::string& name_json = "null") {
  return "{\"id\":\"" + id + "\",\"name\":" + name_json +
         ",\"connectionType\":\"mqtt\",\"connectionStatus\":\"" + status +
         "\",\"uri\":\"tcp://127.0.0.1:1883\",\"sources\":[],\"targets\":[{\"address\":\"a\","
         "\"topics\":[],\"qos\":0,\"authorizationContext\":[\"ditto:x\"],\"headerMapping\":{}}],"
         "\"clientCount\":1,\"failoverEnabled\":true,\"validateCertificates\":true,"
         "\"processorPoolSize\":1,\"tags\":" +
         tags_json + "}";
}

inline journal::Event MakeEvent(const std::string& stream, uint64_t revision, EventType type,
                                int64_t timestamp_us, std::string payload = "") {
  journal::Event event;
  event.stream = stream;
  event.revision = revision;
  event.sequence = revision;
  event.timestamp_us = timestamp_us;
  event.type = static_cast<uint8_t>(type);
  event.payload = std::move(payload);
  return event;
}

}  // namespace connectivity::projector::testing

#endif  // CONNECTIVITY_TESTS_PROJECTOR_PROJECTOR_TEST_UTIL_H_
