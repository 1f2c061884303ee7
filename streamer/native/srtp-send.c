// SRTP sealing and batched UDP sends for the streamer's fan-out, and SRTCP opening for what players send
// back, as a Node-API addon.
//
// Every player of a stream gets every RTP packet sealed under its own SRTP key and sent on its own socket.
// From JavaScript that costs a fresh AES-GCM cipher per packet (Node cannot re-key or re-IV a cipher), a
// few buffer allocations, and one `send` per packet through dgram's lookup and send-request machinery. Here
// a channel keeps one AES-GCM context per SRTP session (only the IV changes per packet, RFC 7714), seals
// each packet straight into a batch buffer, and sends a batch with one sendmsg: with UDP generic
// segmentation offload (UDP_SEGMENT, Linux 4.18+) when the packets allow it (all the same size but the
// last, which RTP packetizers produce for each frame), otherwise with one sendmmsg.
//
// The channel sends on the file descriptor of the player's existing ICE socket, so every packet leaves
// from the address and port the player's ICE agent checked. AES-GCM is the OpenSSL inside the node
// binary, which exports its symbols to addons; nothing else is linked, and the build needs only the
// Node-API headers (npm package node-api-headers) and libc's.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

// The OpenSSL functions used here, as OpenSSL 1.1 and 3 declare them (stable ABI; the types are opaque).
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct engine_st ENGINE;
EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void);
void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx);
const EVP_CIPHER *EVP_aes_128_gcm(void);
int EVP_EncryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key,
                       const unsigned char *iv);
int EVP_EncryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
int EVP_EncryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr);
int EVP_DecryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key,
                       const unsigned char *iv);
int EVP_DecryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
int EVP_DecryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl);
#define EVP_CTRL_GCM_GET_TAG 0x10
#define EVP_CTRL_GCM_SET_TAG 0x11

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define GCM_TAG 16
#define MAX_PACKET 1500
#define MAX_SEGMENTS 64
// A GSO send is one UDP datagram before segmentation: its payload must fit in 64 KiB.
#define MAX_BATCH_BYTES 65000

typedef struct {
  int fd;
  struct sockaddr_storage to;
  socklen_t to_len;
  EVP_CIPHER_CTX *gcm;
  uint8_t salt[12];
  int gso; // 1 until the kernel refuses UDP_SEGMENT
  // A TURN channel (RFC 8656 §12): each packet goes to the TURN server behind a 4-byte ChannelData header
  // (channel number, length; no padding over UDP). 0: packets go to the peer as they are.
  uint16_t turn_channel;
  // The batch: `count` sealed packets back to back in `buf`, their sizes in `sizes`.
  uint8_t buf[MAX_SEGMENTS * MAX_PACKET];
  uint16_t sizes[MAX_SEGMENTS];
  int count;
  size_t used;
  // What the last flushes did, for the caller's counters.
  uint32_t sent_packets, dropped_packets, sends, errors;
  int last_errno;
} channel_t;

#define CHECK(env, call)                                                                          \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), NULL, "srtp-send: " #call " failed");                                \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static void channel_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  channel_t *ch = data;
  if (ch->gcm) EVP_CIPHER_CTX_free(ch->gcm);
  free(ch);
}

// `data` as a JavaScript value that frees it with `finalize` when collected; on failure frees it at once.
static napi_value owned_by_js(napi_env env, void *data, napi_finalize finalize) {
  napi_value out;
  if (napi_create_external(env, data, finalize, NULL, &out) != napi_ok) {
    finalize(env, data, NULL);
    napi_throw_error(env, NULL, "srtp-send: napi_create_external failed");
    return NULL;
  }
  return out;
}

static channel_t *channel_arg(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "srtp-send: not a channel");
    return NULL;
  }
  return p;
}

// The channel of a call that takes only a channel; NULL (with an exception pending) otherwise.
static channel_t *sole_channel_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) {
    napi_throw_type_error(env, NULL, "srtp-send: expected one argument, a channel");
    return NULL;
  }
  return channel_arg(env, argv[0]);
}

static int buffer_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

// open(fd, family, address, port, key: Buffer(16), salt: Buffer(12), gso = true, turnChannel = 0) -> channel
// gso false sends every batch with sendmmsg, as a channel does once the kernel refuses UDP_SEGMENT.
// turnChannel (0x4000-0x7FFF): address and port are the TURN server's, and each packet is ChannelData.
static napi_value channel_open(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, family;
  uint32_t port;
  char address[64];
  size_t address_len;
  uint8_t *key, *salt;
  size_t key_len, salt_len;
  bool gso = true;
  uint32_t turn_channel = 0;
  if (argc < 6 || argc > 8 || (argc >= 7 && napi_get_value_bool(env, argv[6], &gso) != napi_ok) ||
      (argc == 8 && (napi_get_value_uint32(env, argv[7], &turn_channel) != napi_ok ||
                     (turn_channel != 0 && (turn_channel < 0x4000 || turn_channel > 0x7fff)))) ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &family) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], address, sizeof address, &address_len) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &port) != napi_ok || !buffer_arg(env, argv[4], &key, &key_len) ||
      !buffer_arg(env, argv[5], &salt, &salt_len) || key_len != 16 || salt_len != 12 || port > 65535 ||
      fd < 0) {
    napi_throw_type_error(env, NULL,
                          "srtp-send: open(fd, 4|6, address, port, key[16], salt[12], gso?, turnChannel?) got bad arguments");
    return NULL;
  }
  channel_t *ch = calloc(1, sizeof *ch);
  if (!ch) {
    napi_throw_error(env, NULL, "srtp-send: out of memory");
    return NULL;
  }
  ch->fd = fd;
  ch->gso = gso ? 1 : 0;
  ch->turn_channel = (uint16_t)turn_channel;
  memcpy(ch->salt, salt, 12);
  int ok;
  if (family == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ch->to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    ok = inet_pton(AF_INET6, address, &a->sin6_addr) == 1;
    ch->to_len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ch->to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    ok = inet_pton(AF_INET, address, &a->sin_addr) == 1;
    ch->to_len = sizeof *a;
  }
  ch->gcm = EVP_CIPHER_CTX_new();
  if (!ok || !ch->gcm || EVP_EncryptInit_ex(ch->gcm, EVP_aes_128_gcm(), NULL, key, NULL) != 1) {
    channel_free(env, ch, NULL);
    napi_throw_error(env, NULL, ok ? "srtp-send: AES-GCM set-up failed" : "srtp-send: bad address");
    return NULL;
  }
  return owned_by_js(env, ch, channel_free);
}

// Sends the batch: one GSO datagram when the sizes allow, else one sendmmsg. Empties the batch.
static void flush_batch(channel_t *ch) {
  int n = ch->count;
  if (n == 0) return;
  ch->count = 0;
  size_t used = ch->used;
  ch->used = 0;
  // seal() keeps every batch sendable as one GSO datagram: all packets the first one's size, the last
  // no larger.
  if (n > 1 && ch->gso) {
    struct iovec iov = {ch->buf, used};
    char control[CMSG_SPACE(sizeof(uint16_t))];
    memset(control, 0, sizeof control);
    struct msghdr msg = {.msg_name = &ch->to,
                         .msg_namelen = ch->to_len,
                         .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control,
                         .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t segment = ch->sizes[0];
    memcpy(CMSG_DATA(c), &segment, sizeof segment);
    ch->sends++;
    if (sendmsg(ch->fd, &msg, 0) >= 0) {
      ch->sent_packets += n;
      return;
    }
    ch->last_errno = errno;
    // No GSO on this path (an old kernel, a device without it): use sendmmsg from now on.
    if (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP) ch->gso = 0;
    else {
      ch->errors++;
      ch->dropped_packets += n;
      return;
    }
  }
  struct mmsghdr msgs[MAX_SEGMENTS];
  struct iovec iovs[MAX_SEGMENTS];
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    iovs[i].iov_base = ch->buf + at;
    iovs[i].iov_len = ch->sizes[i];
    at += ch->sizes[i];
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_name = &ch->to;
    msgs[i].msg_hdr.msg_namelen = ch->to_len;
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int done = 0;
  while (done < n) {
    ch->sends++;
    int r = sendmmsg(ch->fd, msgs + done, (unsigned)(n - done), 0);
    if (r <= 0) {
      // A full socket buffer (EAGAIN) or an unreachable peer: the rest of the batch is dropped, as a
      // congested network would drop it; RTP and the receiver's NACKs deal with loss.
      ch->last_errno = errno;
      ch->errors++;
      ch->dropped_packets += n - done;
      return;
    }
    done += r;
    ch->sent_packets += r;
  }
}

// seal(channel, header, payload, roc) -> bytes of the sealed packet
// Seals header + payload with AEAD_AES_128_GCM (RFC 7714: IV = salt ^ (0 0 | SSRC | ROC | SEQ), SSRC and
// SEQ read from the header, which is the associated data) into the batch; flushes the batch first when
// the packet would not fit.
static napi_value channel_seal(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  channel_t *ch = argc == 4 ? channel_arg(env, argv[0]) : NULL;
  if (!ch) return NULL;
  uint8_t *header, *payload;
  size_t header_len, payload_len;
  uint32_t roc;
  if (!buffer_arg(env, argv[1], &header, &header_len) || !buffer_arg(env, argv[2], &payload, &payload_len) ||
      napi_get_value_uint32(env, argv[3], &roc) != napi_ok) {
    napi_throw_type_error(env, NULL, "srtp-send: seal(channel, header, payload, roc) got bad arguments");
    return NULL;
  }
  size_t prefix = ch->turn_channel ? 4 : 0;
  size_t size = prefix + header_len + payload_len + GCM_TAG;
  if (header_len < 12 || size > MAX_PACKET) {
    napi_throw_range_error(env, NULL, "srtp-send: packet larger than 1500 bytes or header under 12");
    return NULL;
  }
  // A packet joins the batch only if GSO can still send it whole: no more than MAX_SEGMENTS, the bytes
  // fit, and every packet before it has the first packet's size while this one is no larger.
  if (ch->count > 0 &&
      (ch->count == MAX_SEGMENTS || ch->used + size > MAX_BATCH_BYTES || size > ch->sizes[0] ||
       ch->sizes[ch->count - 1] != ch->sizes[0]))
    flush_batch(ch);
  uint8_t *out = ch->buf + ch->used;
  if (prefix) {
    size_t sealed = size - prefix;
    out[0] = ch->turn_channel >> 8, out[1] = ch->turn_channel & 0xff;
    out[2] = sealed >> 8, out[3] = sealed & 0xff;
    out += prefix;
  }
  uint8_t iv[12];
  memcpy(iv, ch->salt, 12);
  for (int i = 0; i < 4; i++) iv[2 + i] ^= header[8 + i]; // SSRC
  iv[6] ^= roc >> 24, iv[7] ^= roc >> 16, iv[8] ^= roc >> 8, iv[9] ^= roc;
  iv[10] ^= header[2], iv[11] ^= header[3]; // SEQ
  int n = 0, fin = 0;
  memcpy(out, header, header_len);
  if (EVP_EncryptInit_ex(ch->gcm, NULL, NULL, NULL, iv) != 1 ||
      EVP_EncryptUpdate(ch->gcm, NULL, &n, header, (int)header_len) != 1 ||
      EVP_EncryptUpdate(ch->gcm, out + header_len, &n, payload, (int)payload_len) != 1 ||
      EVP_EncryptFinal_ex(ch->gcm, out + header_len + n, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ch->gcm, EVP_CTRL_GCM_GET_TAG, GCM_TAG, out + header_len + payload_len) != 1) {
    napi_throw_error(env, NULL, "srtp-send: AES-GCM failed");
    return NULL;
  }
  ch->sizes[ch->count++] = (uint16_t)size;
  ch->used += size;
  napi_value r;
  CHECK(env, napi_create_uint32(env, (uint32_t)size, &r));
  return r;
}

// flush(channel) -> undefined: sends what seal() batched.
static napi_value channel_flush(napi_env env, napi_callback_info info) {
  channel_t *ch = sole_channel_arg(env, info);
  if (!ch) return NULL;
  flush_batch(ch);
  return NULL;
}

// stats(channel) -> [sentPackets, droppedPackets, sends, errors, lastErrno, gso]
static napi_value channel_stats(napi_env env, napi_callback_info info) {
  channel_t *ch = sole_channel_arg(env, info);
  if (!ch) return NULL;
  uint32_t values[6] = {ch->sent_packets, ch->dropped_packets, ch->sends, ch->errors, (uint32_t)ch->last_errno,
                        (uint32_t)ch->gso};
  napi_value arr, v;
  CHECK(env, napi_create_array_with_length(env, 6, &arr));
  for (uint32_t i = 0; i < 6; i++) {
    CHECK(env, napi_create_uint32(env, values[i], &v));
    CHECK(env, napi_set_element(env, arr, i, v));
  }
  return arr;
}

// --- SRTCP from a player: one AES-GCM decryption context per remote SRTCP session --------------------------

typedef struct {
  EVP_CIPHER_CTX *gcm;
  uint8_t salt[12];
} rtcp_receiver_t;

static void rtcp_receiver_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  rtcp_receiver_t *rx = data;
  if (rx->gcm) EVP_CIPHER_CTX_free(rx->gcm);
  free(rx);
}

// rtcpReceiver(key: Buffer(16), salt: Buffer(12)) -> receiver
static napi_value rtcp_receiver_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *key, *salt;
  size_t key_len, salt_len;
  if (argc != 2 || !buffer_arg(env, argv[0], &key, &key_len) || !buffer_arg(env, argv[1], &salt, &salt_len) ||
      key_len != 16 || salt_len != 12) {
    napi_throw_type_error(env, NULL, "srtp-send: rtcpReceiver(key[16], salt[12]) got bad arguments");
    return NULL;
  }
  rtcp_receiver_t *rx = calloc(1, sizeof *rx);
  if (!rx) {
    napi_throw_error(env, NULL, "srtp-send: out of memory");
    return NULL;
  }
  memcpy(rx->salt, salt, 12);
  rx->gcm = EVP_CIPHER_CTX_new();
  if (!rx->gcm || EVP_DecryptInit_ex(rx->gcm, EVP_aes_128_gcm(), NULL, key, NULL) != 1) {
    rtcp_receiver_free(env, rx, NULL);
    napi_throw_error(env, NULL, "srtp-send: AES-GCM set-up failed");
    return NULL;
  }
  return owned_by_js(env, rx, rtcp_receiver_free);
}

// openRtcp(receiver, packet) -> the RTCP compound, or null when the packet does not authenticate.
// RFC 7714 §9: the packet is header (8) | payload | tag (16) | E flag and SRTCP index (4); the IV is
// salt ^ (0 0 | SSRC | 0 0 | index); the associated data is the header and the E/index word, and with E
// clear the payload too (authenticated, not encrypted).
static napi_value rtcp_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *p = NULL;
  uint8_t *packet;
  size_t len;
  if (argc != 2 || napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL ||
      !buffer_arg(env, argv[1], &packet, &len)) {
    napi_throw_type_error(env, NULL, "srtp-send: openRtcp(receiver, packet) got bad arguments");
    return NULL;
  }
  rtcp_receiver_t *rx = p;
  napi_value result;
  CHECK(env, napi_get_null(env, &result));
  if (len < 8 + GCM_TAG + 4 || len > 65535) return result;
  size_t tag_at = len - 4 - GCM_TAG;
  const uint8_t *index = packet + len - 4;
  int encrypted = (index[0] & 0x80) != 0;
  uint8_t iv[12];
  memcpy(iv, rx->salt, 12);
  for (int i = 0; i < 4; i++) iv[2 + i] ^= packet[4 + i]; // SSRC
  iv[8] ^= index[0] & 0x7f, iv[9] ^= index[1], iv[10] ^= index[2], iv[11] ^= index[3];
  void *out_data;
  napi_value out;
  CHECK(env, napi_create_buffer(env, tag_at, &out_data, &out));
  uint8_t *dst = out_data;
  memcpy(dst, packet, encrypted ? 8 : tag_at);
  int n = 0;
  const uint8_t *aad = packet;
  size_t aad_len = encrypted ? 8 : tag_at;
  if (EVP_DecryptInit_ex(rx->gcm, NULL, NULL, NULL, iv) != 1 ||
      EVP_DecryptUpdate(rx->gcm, NULL, &n, aad, (int)aad_len) != 1 ||
      EVP_DecryptUpdate(rx->gcm, NULL, &n, index, 4) != 1 ||
      (encrypted && EVP_DecryptUpdate(rx->gcm, dst + 8, &n, packet + 8, (int)(tag_at - 8)) != 1) ||
      EVP_CIPHER_CTX_ctrl(rx->gcm, EVP_CTRL_GCM_SET_TAG, GCM_TAG, (void *)(packet + tag_at)) != 1 ||
      EVP_DecryptFinal_ex(rx->gcm, dst + tag_at, &n) != 1)
    return result;
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, channel_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seal", NULL, channel_seal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flush", NULL, channel_flush, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, channel_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"rtcpReceiver", NULL, rtcp_receiver_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openRtcp", NULL, rtcp_open, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
