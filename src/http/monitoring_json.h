// JSON of the monitoring answers: connection metrics (REF §7.2 + SPEC §4.5's
// `journal` and `live` objects) and connection logs (REF §7.3).
#ifndef CONNECTIVITY_HTTP_MONITORING_JSON_H_
#define CONNECTIVITY_HTTP_MONITORING_JSON_H_

#include <string>
#include <string_view>

#include "src/service/connection_service.h"

namespace connectivity::http {

// The whole retrieveConnectionMetrics response, with type and status (also
// the body of GET .../metrics). `live` is empty unless the connection is
// supervised (desired open).
std::string MetricsResponseJson(const service::MetricsView& metrics, int64_t now_us);

// The whole retrieveConnectionStatus response (REF §7.1), with type and
// status (also the body of GET .../status): from the live client state when
// supervised, else Ditto's synthetic closed answer.
std::string StatusResponseJson(const service::StatusView& status, std::string_view instance);

// retrieveConnectionLogs: with type and status for piggyback, without for
// GET .../logs (REF §7.3).
std::string LogsResponseJson(std::string_view connection_id, const service::LogsView& logs,
                             bool with_type_and_status);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_MONITORING_JSON_H_
