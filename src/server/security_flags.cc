#include "server/security_flags.h"

#include <cstdio>

namespace ember {

void AddSecurityFlags(CLI::App& app, ServerConfig* config, SecurityFlagText* text) {
  app.add_option("--protected-mode", text->protected_mode,
                 "serve only loopback clients while no password is set: yes or no (default yes)");
  app.add_option("--tls-port", config->tls_port, "TLS port, beside --port (0: no TLS)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--tls-cert-file", config->tls_cert_file, "server certificate (PEM)");
  app.add_option("--tls-key-file", config->tls_key_file, "server private key (PEM)");
  app.add_option("--tls-ca-cert-file", config->tls_ca_cert_file,
                 "CA certificates that client certificates are checked against");
  app.add_option("--tls-ca-cert-dir", config->tls_ca_cert_dir, "directory of CA certificates");
  app.add_option("--tls-auth-clients", config->tls_auth_clients,
                 "client certificates: yes (required), no, or optional")
      ->check(CLI::IsMember({"yes", "no", "optional"}))
      ->capture_default_str();
  app.add_option("--tls-protocols", config->tls_protocols,
                 "protocol versions allowed, e.g. \"TLSv1.2 TLSv1.3\" (the default)");
  app.add_option("--tls-ciphers", config->tls_ciphers, "TLS 1.2 cipher list (OpenSSL syntax)");
  app.add_option("--tls-ciphersuites", config->tls_ciphersuites, "TLS 1.3 cipher suites");
  app.add_option("--tls-prefer-server-ciphers", text->tls_prefer_server_ciphers,
                 "the server's cipher order wins: yes or no");
}

bool ApplySecurityFlags(const SecurityFlagText& text, ServerConfig* config) {
  auto yes_no = [](const char* flag, const std::string& value, bool* out) {
    if (value.empty()) return true;
    if (value == "yes" || value == "no") {
      *out = value == "yes";
      return true;
    }
    fprintf(stderr, "ember-server: %s takes yes or no, not '%s'\n", flag, value.c_str());
    return false;
  };
  return yes_no("--protected-mode", text.protected_mode, &config->protected_mode) &&
         yes_no("--tls-prefer-server-ciphers", text.tls_prefer_server_ciphers,
                &config->tls_prefer_server_ciphers);
}

}  // namespace ember
