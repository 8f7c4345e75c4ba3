#pragma once
// Redis's quoted form of a binary string (sdscatrepr): "..." with printable bytes as they are,
// \\ \" \n \r \t \a \b escaped and every other byte as \xHH. MONITOR lines, redis-cli's output
// and the AOF manifest's file names all use it.
#include <string>
#include <string_view>

namespace ember {

void AppendQuotedRepr(std::string& out, std::string_view bytes);

}  // namespace ember
