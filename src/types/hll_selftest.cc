// PFSELFTEST: the dense register packing round-trips, and sparse and dense values of the same
// elements agree and stay within the error bound as they fill.
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "types/hyperloglog.h"

namespace ember::hll {

std::string SelfTest() {
  std::mt19937_64 rng(42);
  // Every register set to a random value, then read back, twice over.
  uint8_t registers[kDenseSize - kHeaderSize];
  uint8_t expected[kRegisters];
  for (int round = 0; round < 2; ++round) {
    memset(registers, 0, sizeof(registers));
    for (uint32_t i = 0; i < kRegisters; ++i) {
      expected[i] = static_cast<uint8_t>(rng() & 0x3f);
      SetDenseRegister(registers, i, expected[i]);
    }
    for (uint32_t i = 0; i < kRegisters; ++i) {
      if (GetDenseRegister(registers, i) != expected[i])
        return "Register error at " + std::to_string(i);
    }
  }
  // The same elements into a sparse and a dense value; the relative error stays within 5
  // standard errors (1.04 / sqrt(m)).
  std::string sparse = NewEmpty(), dense = NewEmpty();
  if (!ToDense(dense)) return "TODENSE of an empty value failed";
  double bound = 5 * 1.04 / std::sqrt(static_cast<double>(kRegisters));
  uint64_t checkpoint = 1;
  for (uint64_t n = 1; n <= 100000; ++n) {
    std::string element = std::to_string(rng());
    if (Add(sparse, element, 3000) < 0 || Add(dense, element, 3000) < 0)
      return "Corrupted value after " + std::to_string(n) + " elements";
    if (n != checkpoint) continue;
    checkpoint = checkpoint < 1000 ? checkpoint + 1 : checkpoint * 10;
    bool invalid = false;
    uint64_t a = Count(sparse, &invalid), b = Count(dense, &invalid);
    if (invalid) return "Corrupted value after " + std::to_string(n) + " elements";
    if (a != b) {
      return "Sparse and dense counts differ at " + std::to_string(n) + ": " + std::to_string(a) +
             " vs " + std::to_string(b);
    }
    double error = std::fabs(static_cast<double>(b) - static_cast<double>(n)) / n;
    // Tiny sets are counted almost exactly; allow one element of slack there.
    if (error > bound && std::fabs(static_cast<double>(b) - static_cast<double>(n)) > 1) {
      return "Error bound exceeded at " + std::to_string(n) + ": " + std::to_string(b);
    }
  }
  return "";
}

}  // namespace ember::hll
