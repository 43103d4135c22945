// FST file utilities on GTKWave's fstapi (compiled into the Verilator
// runtime): merge consecutive segment files of one model into a single file
// trimmed to a time window, and convert FST to VCD (as GTKWave's fst2vcd).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cosim/bridge/status.h"

namespace cosim::rtl {

// Writes `output` (FST) with the hierarchy of inputs[0] and the value changes
// of all inputs (same signal set, consecutive time ranges, in order) within
// [from, to] (file time units). The first time step is `from` and carries the
// value of every signal at that time. Inputs are left in place.
Status fst_merge(const std::vector<std::string>& inputs, const std::string& output, uint64_t from, uint64_t to);

// Converts an FST file to VCD.
Status fst_to_vcd(const std::string& fst, const std::string& vcd);

// Facts about an FST file, for tests and tools.
struct FstInfo {
  uint64_t start_time = 0;
  uint64_t end_time = 0;
  uint64_t vars = 0;            // declared variables (aliases included)
  uint64_t value_changes = 0;   // changes delivered by a full read
  signed char timescale = 0;    // exponent: -12 = 1 ps
  std::vector<std::string> var_names;  // hierarchical, '.'-separated, without bit ranges
};
Result<FstInfo> fst_info(const std::string& fst);

// The value changes of one variable (by hierarchical name) as (time, value)
// pairs, value as a '0'/'1' string, most significant bit first.
Result<std::vector<std::pair<uint64_t, std::string>>> fst_trace_of(const std::string& fst, const std::string& var);

}  // namespace cosim::rtl
