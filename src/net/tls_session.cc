#include "net/tls_session.h"

#include <openssl/err.h>

#include <algorithm>
#include <climits>

namespace ember {

TlsSession::TlsSession(SSL* ssl)
    : ssl_(ssl), in_(BIO_new(BIO_s_mem())), out_(BIO_new(BIO_s_mem())) {
  // An empty input BIO means "try again later", not end of stream.
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);  // SSL owns both from here
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
}

bool TlsSession::Feed(const char* data, size_t n) {
  while (n > 0) {
    int chunk = static_cast<int>(std::min<size_t>(n, INT_MAX));
    int written = BIO_write(in_, data, chunk);
    if (written <= 0) return false;
    data += written;
    n -= static_cast<size_t>(written);
  }
  return true;
}

int TlsSession::Read(char* out, size_t capacity) {
  int got = SSL_read(ssl_, out, static_cast<int>(std::min<size_t>(capacity, INT_MAX)));
  if (got > 0) return got;
  switch (SSL_get_error(ssl_, got)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:  // the output BIO never fills: only ever transient
      return kNothing;
    case SSL_ERROR_ZERO_RETURN:
      return kPeerClosed;
    default:
      ERR_clear_error();  // the reason stays out of other connections' error queues
      return kFailed;
  }
}

bool TlsSession::Seal(std::string& plain, std::string* cipher) {
  if (!plain.empty() && handshake_done()) {
    size_t done = 0;
    while (done < plain.size()) {
      int chunk = static_cast<int>(std::min<size_t>(plain.size() - done, 1 << 30));
      int written = SSL_write(ssl_, plain.data() + done, chunk);
      if (written <= 0) {
        int error = SSL_get_error(ssl_, written);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) break;
        ERR_clear_error();
        return false;
      }
      done += static_cast<size_t>(written);
    }
    if (done == plain.size()) {
      plain.clear();
    } else {
      plain.erase(0, done);
    }
  }
  size_t pending = BIO_ctrl_pending(out_);
  if (pending > 0) {
    size_t at = cipher->size();
    cipher->resize(at + pending);
    int got = BIO_read(out_, cipher->data() + at, static_cast<int>(pending));
    cipher->resize(at + static_cast<size_t>(std::max(got, 0)));
  }
  return true;
}

}  // namespace ember
