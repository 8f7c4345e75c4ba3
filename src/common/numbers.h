#pragma once
// Strict number parsing and formatting with Redis's rules.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ember {

// Parses a base-10 int64 exactly as Redis does: no spaces, no '+', no leading zeros.
std::optional<int64_t> ParseInt64(std::string_view s);
std::optional<uint64_t> ParseUint64(std::string_view s);
// Parses a finite or infinite double; rejects NaN, empty strings and trailing garbage.
std::optional<double> ParseDouble(std::string_view s);
// Parses a long double the way INCRBYFLOAT does (no spaces, no NaN).
std::optional<long double> ParseLongDouble(std::string_view s);

// Writes v in base 10 into buf (at least 21 bytes); returns the length.
size_t FormatInt64(int64_t v, char* buf);
// INCRBYFLOAT's human format: 17 significant digits, no exponent, no trailing zeros.
std::string FormatLongDouble(long double v);
// A double as Redis replies it (RESP2 bulk / RESP3 double): "%.17g", inf, -inf.
std::string FormatDouble(double v);

}  // namespace ember
