#pragma once
// redis-cli's output formats, byte for byte: the terminal's ("1) \"a\"", "(integer) 1"), raw (what
// a pipe gets), CSV and JSON.
#include <string>
#include <string_view>

#include "cli/reply.h"

namespace ember::cli {

enum class OutputMode { kStandard, kRaw, kCsv, kJson };

// The quoted, escaped form of bytes ("a\x00b"), as the terminal format and CSV print strings.
void AppendQuoted(std::string& out, std::string_view bytes);

std::string FormatStandard(const Reply& reply, const std::string& prefix = "");
std::string FormatRaw(const Reply& reply, std::string_view multibulk_delim = "\n");
std::string FormatCsv(const Reply& reply);
std::string FormatJson(const Reply& reply);

// The whole text printed for one reply in mode: what the formatter gives plus the delimiter
// redis-cli adds. verbatim: the command's output is free text (INFO, CLIENT LIST, ...), printed
// as it comes.
std::string FormatForOutput(const Reply& reply, OutputMode mode, bool verbatim,
                            std::string_view command_delim = "\n",
                            std::string_view multibulk_delim = "\n");

// Commands whose reply is text meant to be read as is (INFO, CLIENT LIST, LATENCY DOCTOR...).
bool IsFreeTextCommand(int argc, const std::string* argv);

}  // namespace ember::cli
