// The workloads of ember-loadgen: redis-benchmark's -t tests, with the same command shapes
// and the same titles in the CSV output, so bench/compare.sh can use either tool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Replaced in each request by a zero-padded random number below -r (same width).
inline constexpr std::string_view kRandPlaceholder = "__rand_int__";

struct Workload {
  std::string title;    // as redis-benchmark prints it
  std::string command;  // one request, RESP-encoded
  int replies = 1;      // replies one request gets (a MULTI ... EXEC request: one per command)
};

// Appends the workloads of the test NAME (lrange_100 adds the LPUSH run that fills the list
// first, as redis-benchmark does). Returns false for an unknown test.
bool AppendWorkload(std::string_view name, int data_size, bool random_keys,
                    std::vector<Workload>& out);

// RESP multibulk for the given arguments.
std::string EncodeCommand(const std::vector<std::string>& args);

// Writes `value` as kRandPlaceholder.size() zero-padded decimal digits at `at`.
void WriteRandDigits(char* at, uint64_t value);
