// CRC-32C (Castagnoli), used for our own checksums on journal records and
// snapshots. Hardware-accelerated with SSE4.2 where the CPU has it.
#ifndef CONNECTIVITY_BASE_CRC32C_H_
#define CONNECTIVITY_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace connectivity::crc32c {

// Extends `crc` (the CRC of some earlier bytes, 0 to start) with `data`.
uint32_t Extend(uint32_t crc, const char* data, size_t size);

inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

}  // namespace connectivity::crc32c

#endif  // CONNECTIVITY_BASE_CRC32C_H_
