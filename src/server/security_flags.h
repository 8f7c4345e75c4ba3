#pragma once
// The command-line flags of TLS and protected mode, with Redis's names and values.
#include <CLI/CLI.hpp>
#include <string>

#include "server/config.h"

namespace ember {

// yes|no flags, read as text and checked once parsing is done.
struct SecurityFlagText {
  std::string protected_mode;
  std::string tls_prefer_server_ciphers;
};

void AddSecurityFlags(CLI::App& app, ServerConfig* config, SecurityFlagText* text);
// Stores the yes|no flags; false (with a message on stderr) for any other value.
bool ApplySecurityFlags(const SecurityFlagText& text, ServerConfig* config);

}  // namespace ember
