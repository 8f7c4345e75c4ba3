#include "net/tls_session.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

namespace ember {
namespace {

// A server context with a throwaway self-signed certificate, and a client that trusts anyone:
// the two talk through TlsSession's memory buffers, no socket anywhere.
class TlsSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = EVP_EC_gen("P-256");
    ASSERT_NE(key_, nullptr);
    cert_ = X509_new();
    ASSERT_NE(cert_, nullptr);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 3600);
    X509_set_pubkey(cert_, key_);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
    X509_set_issuer_name(cert_, name);
    ASSERT_GT(X509_sign(cert_, key_, EVP_sha256()), 0);
    server_ctx_ = SSL_CTX_new(TLS_server_method());
    ASSERT_EQ(SSL_CTX_use_certificate(server_ctx_, cert_), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(server_ctx_, key_), 1);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_NONE, nullptr);
    client_ = SSL_new(client_ctx_);
    client_in_ = BIO_new(BIO_s_mem());
    client_out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(client_in_, -1);
    SSL_set_bio(client_, client_in_, client_out_);
    SSL_set_connect_state(client_);
  }

  void TearDown() override {
    SSL_free(client_);
    SSL_CTX_free(client_ctx_);
    SSL_CTX_free(server_ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }

  // What the client wrote, fed to the server; returns the server's plaintext (and the last
  // Read() result in *status).
  std::string ClientToServer(TlsSession& server, int* status) {
    std::string cipher(BIO_ctrl_pending(client_out_), '\0');
    if (!cipher.empty()) BIO_read(client_out_, cipher.data(), static_cast<int>(cipher.size()));
    EXPECT_TRUE(server.Feed(cipher.data(), cipher.size()));
    std::string plain;
    char buffer[4096];
    int got;
    while ((got = server.Read(buffer, sizeof(buffer))) > 0) plain.append(buffer, got);
    *status = got;
    return plain;
  }

  void ServerToClient(TlsSession& server, std::string& plain) {
    std::string cipher;
    ASSERT_TRUE(server.Seal(plain, &cipher));
    if (!cipher.empty()) BIO_write(client_in_, cipher.data(), static_cast<int>(cipher.size()));
  }

  void Handshake(TlsSession& server) {
    std::string none;
    for (int round = 0; round < 10 && !(server.handshake_done() && SSL_is_init_finished(client_));
         ++round) {
      SSL_do_handshake(client_);
      int status;
      EXPECT_EQ(ClientToServer(server, &status), "");
      EXPECT_EQ(status, TlsSession::kNothing);
      ServerToClient(server, none);
    }
    ASSERT_TRUE(server.handshake_done());
    ASSERT_EQ(SSL_is_init_finished(client_), 1);
  }

  std::string ClientReads() {
    std::string plain;
    char buffer[4096];
    int got;
    while ((got = SSL_read(client_, buffer, sizeof(buffer))) > 0) plain.append(buffer, got);
    return plain;
  }

  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* server_ctx_ = nullptr;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* client_ = nullptr;
  BIO* client_in_ = nullptr;   // owned by client_
  BIO* client_out_ = nullptr;  // owned by client_
};

TEST_F(TlsSessionTest, HandshakeThenCommandsAndRepliesBothWays) {
  TlsSession server(SSL_new(server_ctx_));
  std::string early = "+early\r\n";
  std::string cipher;
  ASSERT_TRUE(server.Seal(early, &cipher));
  EXPECT_EQ(early, "+early\r\n");  // nothing is encrypted before the handshake
  EXPECT_TRUE(cipher.empty());
  Handshake(server);
  ASSERT_EQ(SSL_write(client_, "PING\r\n", 6), 6);
  int status;
  EXPECT_EQ(ClientToServer(server, &status), "PING\r\n");
  EXPECT_EQ(status, TlsSession::kNothing);
  std::string reply = "+PONG\r\n" + std::string(100000, 'x');  // several records
  ServerToClient(server, reply);
  EXPECT_TRUE(reply.empty());
  EXPECT_EQ(ClientReads(), "+PONG\r\n" + std::string(100000, 'x'));
}

TEST_F(TlsSessionTest, CloseNotifyReadsAsTheEndOfTheStream) {
  TlsSession server(SSL_new(server_ctx_));
  Handshake(server);
  SSL_shutdown(client_);
  int status;
  EXPECT_EQ(ClientToServer(server, &status), "");
  EXPECT_EQ(status, TlsSession::kPeerClosed);
}

TEST_F(TlsSessionTest, PlainTextAndGarbageFailTheHandshake) {
  const std::string inputs[] = {
      "PING\r\n", "*1\r\n$4\r\nPING\r\n",
      std::string("\x16\x03\x01\x00\x05\xff\xff\xff\xff\xff", 10),  // a record of nonsense
      std::string(3000, '\x80')};
  for (const std::string& input : inputs) {
    TlsSession server(SSL_new(server_ctx_));
    ASSERT_TRUE(server.Feed(input.data(), input.size()));
    char buffer[64];
    EXPECT_EQ(server.Read(buffer, sizeof(buffer)), TlsSession::kFailed) << input.size();
  }
}

TEST_F(TlsSessionTest, AHandshakeCutShortWaitsForMore) {
  TlsSession server(SSL_new(server_ctx_));
  SSL_do_handshake(client_);
  std::string hello(BIO_ctrl_pending(client_out_), '\0');
  BIO_read(client_out_, hello.data(), static_cast<int>(hello.size()));
  ASSERT_GT(hello.size(), 10u);
  ASSERT_TRUE(server.Feed(hello.data(), 10));
  char buffer[64];
  EXPECT_EQ(server.Read(buffer, sizeof(buffer)), TlsSession::kNothing);
  EXPECT_FALSE(server.handshake_done());
  ASSERT_TRUE(server.Feed(hello.data() + 10, hello.size() - 10));
  EXPECT_EQ(server.Read(buffer, sizeof(buffer)), TlsSession::kNothing);
  std::string none, cipher;
  ASSERT_TRUE(server.Seal(none, &cipher));
  EXPECT_FALSE(cipher.empty());  // the ServerHello and the rest of the server's flight
}

}  // namespace
}  // namespace ember
