#pragma once
// The tls-* parameters made into an OpenSSL server context, and the context that connections
// accepted on the TLS port start from. A CONFIG SET of any of them builds a fresh context:
// connections already open keep the one they began with (OpenSSL counts its references).
#include <openssl/ssl.h>

#include <string>

#include "server/config.h"

namespace ember::tls {

// Builds a context from `config` and makes it the current one. On failure the current one
// stays, and *error says why (OpenSSL's reason included).
bool Configure(const ServerConfig& config, std::string* error);
// Whether `a` and `b` differ in a parameter Configure reads.
bool SettingsDiffer(const ServerConfig& a, const ServerConfig& b);
// A server-side SSL on the current context; nullptr when none was configured.
SSL* NewServerSsl();

}  // namespace ember::tls
