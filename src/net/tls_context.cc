#include "net/tls_context.h"

#include <openssl/err.h>

#include <cctype>
#include <mutex>
#include <sstream>

namespace ember::tls {
namespace {

std::mutex g_context_mutex;
SSL_CTX* g_context = nullptr;  // guarded by g_context_mutex

std::string OpenSslReason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// tls-protocols: the versions allowed, space separated ("TLSv1.2 TLSv1.3"); empty means
// those two, as in Redis. Versions left out are switched off one by one.
bool ApplyProtocols(SSL_CTX* ctx, const std::string& protocols, std::string* error) {
  struct Version {
    const char* name;
    uint64_t disable;
  };
  static constexpr Version kVersions[] = {{"tlsv1", SSL_OP_NO_TLSv1},
                                          {"tlsv1.1", SSL_OP_NO_TLSv1_1},
                                          {"tlsv1.2", SSL_OP_NO_TLSv1_2},
                                          {"tlsv1.3", SSL_OP_NO_TLSv1_3}};
  bool wanted[4] = {false, false, true, true};
  if (!protocols.empty()) {
    for (bool& w : wanted) w = false;
    std::istringstream words(Lower(protocols));
    std::string word;
    while (words >> word) {
      bool known = false;
      for (size_t i = 0; i < 4; ++i) {
        if (word == kVersions[i].name) wanted[i] = known = true;
      }
      if (!known) {
        *error = "invalid tls-protocols '" + word + "'";
        return false;
      }
    }
  }
  uint64_t options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3;
  bool any = false;
  for (size_t i = 0; i < 4; ++i) {
    if (!wanted[i]) options |= kVersions[i].disable;
    any = any || wanted[i];
  }
  if (!any) {
    *error = "tls-protocols allows no protocol";
    return false;
  }
  // OpenSSL 3 keeps TLS 1.0 and 1.1 off at its default security level: asked for, they are
  // allowed down to them.
  if (wanted[0] || wanted[1])
    SSL_CTX_set_min_proto_version(ctx, wanted[0] ? TLS1_VERSION : TLS1_1_VERSION);
  SSL_CTX_set_options(ctx, options);
  return true;
}

SSL_CTX* Build(const ServerConfig& c, std::string* error) {
  if (c.tls_cert_file.empty() || c.tls_key_file.empty()) {
    *error = "TLS needs tls-cert-file and tls-key-file";
    return nullptr;
  }
  bool verify = c.tls_auth_clients != "no";
  if (verify && c.tls_ca_cert_file.empty() && c.tls_ca_cert_dir.empty()) {
    *error =
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients "
        "is enabled";
    return nullptr;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "cannot create a TLS context: " + OpenSslReason();
    return nullptr;
  }
  auto fail = [&](const std::string& what) {
    *error = what + ": " + OpenSslReason();
    SSL_CTX_free(ctx);
    return nullptr;
  };
  // No compression (CRIME); a fresh key for each ephemeral exchange.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE);
  if (c.tls_prefer_server_ciphers) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!ApplyProtocols(ctx, c.tls_protocols, error)) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, c.tls_cert_file.c_str()) <= 0)
    return fail("cannot load tls-cert-file " + c.tls_cert_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, c.tls_key_file.c_str(), SSL_FILETYPE_PEM) <= 0)
    return fail("cannot load tls-key-file " + c.tls_key_file);
  if (SSL_CTX_check_private_key(ctx) <= 0) return fail("tls-key-file does not match tls-cert-file");
  if (!c.tls_ca_cert_file.empty() || !c.tls_ca_cert_dir.empty()) {
    const char* file = c.tls_ca_cert_file.empty() ? nullptr : c.tls_ca_cert_file.c_str();
    const char* dir = c.tls_ca_cert_dir.empty() ? nullptr : c.tls_ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, dir) <= 0)
      return fail("cannot load the CA certificates");
  }
  if (!c.tls_ciphers.empty() && SSL_CTX_set_cipher_list(ctx, c.tls_ciphers.c_str()) <= 0)
    return fail("invalid tls-ciphers");
  if (!c.tls_ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, c.tls_ciphersuites.c_str()) <= 0)
    return fail("invalid tls-ciphersuites");
  int mode = SSL_VERIFY_NONE;
  if (c.tls_auth_clients == "yes") mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (c.tls_auth_clients == "optional") mode = SSL_VERIFY_PEER;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  // Resumed sessions must come from this server's own verified ones.
  static constexpr unsigned char kSessionContext[] = "ember";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  return ctx;
}

}  // namespace

bool Configure(const ServerConfig& config, std::string* error) {
  SSL_CTX* ctx = Build(config, error);
  if (ctx == nullptr) return false;
  SSL_CTX* old;
  {
    std::lock_guard lock(g_context_mutex);
    old = g_context;
    g_context = ctx;
  }
  if (old != nullptr) SSL_CTX_free(old);  // the connections using it hold references
  return true;
}

bool SettingsDiffer(const ServerConfig& a, const ServerConfig& b) {
  return a.tls_cert_file != b.tls_cert_file || a.tls_key_file != b.tls_key_file ||
         a.tls_ca_cert_file != b.tls_ca_cert_file || a.tls_ca_cert_dir != b.tls_ca_cert_dir ||
         a.tls_auth_clients != b.tls_auth_clients || a.tls_protocols != b.tls_protocols ||
         a.tls_ciphers != b.tls_ciphers || a.tls_ciphersuites != b.tls_ciphersuites ||
         a.tls_prefer_server_ciphers != b.tls_prefer_server_ciphers;
}

SSL* NewServerSsl() {
  std::lock_guard lock(g_context_mutex);
  return g_context == nullptr ? nullptr : SSL_new(g_context);
}

}  // namespace ember::tls
