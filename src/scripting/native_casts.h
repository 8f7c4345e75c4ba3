// Conversions that C leaves undefined (a double out of an integer's range, a shift by 64 or
// more), with the results Redis's libraries get from them on x86-64, where its replies were
// taken. Defined here for every input, so the libraries answer the same on any machine and
// never hit the undefined behaviour themselves.
#pragma once

#include <cmath>
#include <cstdint>

namespace ember {

// (int64_t)d as cvttsd2si computes it: truncation; NaN and out of range give INT64_MIN.
inline int64_t NativeDoubleToInt64(double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(d >= -kTwoTo63 && d < kTwoTo63)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

// (int32_t)d the same way: NaN and out of range give INT32_MIN.
inline int32_t NativeDoubleToInt32(double d) {
  if (!(d > -2147483649.0 && d < 2147483648.0)) return INT32_MIN;
  return static_cast<int32_t>(d);
}

// (uint64_t)d as GCC compiles it for x86-64: below 2^63 (and NaN) one signed conversion, else
// a signed conversion of d - 2^63 with the top bit flipped. So 2^64 and beyond give 0, NaN and
// -2^64 give 2^63, and -1 gives 2^64 - 1.
inline uint64_t NativeDoubleToUint64(double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  constexpr uint64_t kTopBit = uint64_t{1} << 63;
  if (d >= kTwoTo63) return static_cast<uint64_t>(NativeDoubleToInt64(d - kTwoTo63)) ^ kTopBit;
  return static_cast<uint64_t>(NativeDoubleToInt64(d));
}

// x86 shifts a 64-bit register by the count modulo 64.
inline int NativeShiftCount(int count) {
  return count & 63;
}

}  // namespace ember
