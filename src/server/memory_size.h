#pragma once
// Parses memory sizes the way Redis configs write them: 1024, 100kb, 256M, 1g, 2gb.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ember {

std::optional<int64_t> ParseMemorySize(std::string_view text);

}  // namespace ember
