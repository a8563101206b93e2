// SPDX-License-Identifier: GPL-2.0
/*
 * channel.c - the agents' own TCP channel (port 7079 by default), on
 * which process images will travel between machines. TLS 1.3 (OpenSSL 3),
 * no certificates: an external pre-shared key, mutual.
 *
 * The key. Every node has the same key file (/etc/krg/authkey, 32 to
 * 4096 bytes of random data, a regular file of root's, mode 0600 or
 * stricter; anything else is refused). It is never used as is: a node
 * connecting as krg node N uses the PSK identity "krg-node<N>" and the
 * PSK HMAC-SHA256(key = the file's bytes, "krgsched channel 1 psk:" +
 * identity), 32 bytes, with the one cipher suite TLS_AES_128_GCM_SHA256
 * (its hash is the PSK's length). The key exchange is psk_dhe_ke
 * (OpenSSL's default): ECDHE under the PSK, so a key that leaks later
 * does not open recorded sessions. No tickets, no resumption, no 0-RTT.
 *
 * Who is who. The server (a thread of krgd, listening on this node's
 * address of corosync's nodelist) takes a client's identity only if it
 * names a node of the nodelist and the connection comes from that node's
 * address; a wrong key fails the PSK binder. Either way the handshake is
 * aborted and the server logs one line naming the peer's address and the
 * reason. The server's own identity is proved inside the session: the
 * client's first request is HELLO, and the answer (node id, version) must
 * name the node the client meant to reach. All nodes share one key, so
 * this proves "a node of the cluster, at that node's address", which is
 * what corosync's own authkey proves too.
 *
 * Bounds. A handshake must be done within 5 s, a request must come
 * within 60 s (then the connection is closed), at most 16 connections at
 * once (more are closed at once, with a line); every socket is
 * non-blocking and every wait a poll() with a deadline, so neither a
 * stalling peer nor garbage holds anything but its own thread. The
 * listening thread never reads from a peer. krgd's main loop (corosync's
 * membership) never waits for any of it.
 *
 * Framing inside TLS: struct chan_hdr {magic "KRGC", version 1, type,
 * length} little-endian, then the body, at most CHAN_MAX_FRAME (1 MiB);
 * larger transfers are several frames. A bad magic, version or length is
 * answered with an error frame, then the connection is closed; an
 * unknown type is answered with an error frame and the connection goes
 * on. Requests: HELLO -> HELLO_REPLY {node id, krgd version}.
 *
 * Callers ignore SIGPIPE (a peer gone while we write).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* accept4, pipe2 */
#endif
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include "channel.h"

#define CHAN_PSK_LABEL		"krgsched channel 1 psk:"
#define CHAN_CIPHERS		"TLS_AES_128_GCM_SHA256"
#define CHAN_PSK_LEN		32
#define CHAN_TIMEOUT_MS		5000
#define CHAN_IDLE_MS		60000
#define CHAN_MAX_CONNS		16

_Static_assert(sizeof(struct chan_hdr) == 12, "chan_hdr layout");
_Static_assert(sizeof(struct chan_hello_body) == 64, "hello layout");

struct chan_server {
	struct chan_server_cfg cfg;
	struct chan_key key;
	char version[60];
	SSL_CTX *ctx;
	int lfd;
	int stop[2];		/* a pipe: readable once we stop */
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int nconn;
	struct chan_peers peers;
};

struct chan_conn {
	SSL *ssl;
	SSL_CTX *own_ctx;	/* a client's */
	int fd;
	int stopfd;		/* the server's pipe, or -1 */
	int io_ms;
	int eof;		/* the peer closed the session */
	unsigned int node;	/* the peer's krg id */
	int authed;		/* the server took the client's identity */
	char identity[32];	/* a client's */
	const struct chan_key *key;
	struct chan_server *srv;
	char peer[INET6_ADDRSTRLEN + 8];
	struct sockaddr_storage peer_addr;
	char why[384];		/* why the server refused it */
	char err[320];
	char version[60];
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* ---- the key ---- */

int chan_key_load(const char *path, struct chan_key *key, char *err,
		  size_t errlen)
{
	struct stat st;
	size_t off = 0;
	int fd, e;

	key->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP)
			set_err(err, errlen, "key file %s: a symbolic link, not a regular file",
				path);
		else
			set_err(err, errlen, "key file %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st)) {
		e = errno;
		set_err(err, errlen, "key file %s: %s", path, strerror(e));
		goto fail;
	}
	e = EACCES;
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "key file %s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		set_err(err, errlen, "key file %s: owned by uid %u, must be %s's (uid %u)",
			path, (unsigned int)st.st_uid,
			geteuid() ? "this user" : "root", (unsigned int)geteuid());
		goto fail;
	}
	if (st.st_mode & 077) {
		set_err(err, errlen, "key file %s: mode %04o, must be 0600 or stricter (chmod 600 %s)",
			path, (unsigned int)(st.st_mode & 07777), path);
		goto fail;
	}
	e = EINVAL;
	if (st.st_size < CHAN_KEY_MIN || st.st_size > CHAN_KEY_MAX) {
		set_err(err, errlen, "key file %s: %lld bytes, must be %d to %d (dd if=/dev/urandom of=%s bs=64 count=1)",
			path, (long long)st.st_size, CHAN_KEY_MIN, CHAN_KEY_MAX,
			path);
		goto fail;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, key->data + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n ? errno : EINVAL;
			set_err(err, errlen, "key file %s: %s", path,
				n ? strerror(e) : "shorter than its size");
			goto fail;
		}
		off += (size_t)n;
	}
	close(fd);
	key->len = off;
	return 0;
fail:
	close(fd);
	chan_key_clear(key);
	errno = e;
	return -1;
}

void chan_key_clear(struct chan_key *key)
{
	OPENSSL_cleanse(key->data, sizeof(key->data));
	key->len = 0;
}

/* The PSK of @identity (CHAN_PSK_LEN bytes). */
static int derive_psk(const struct chan_key *key, const char *identity,
		      unsigned char *psk)
{
	unsigned char msg[sizeof(CHAN_PSK_LABEL) + 32];
	unsigned int len = 0;
	size_t n = strlen(identity);

	if (n > 32)
		return -1;
	memcpy(msg, CHAN_PSK_LABEL, sizeof(CHAN_PSK_LABEL) - 1);
	memcpy(msg + sizeof(CHAN_PSK_LABEL) - 1, identity, n);
	if (!HMAC(EVP_sha256(), key->data, (int)key->len, msg,
		  sizeof(CHAN_PSK_LABEL) - 1 + n, psk, &len) ||
	    len != CHAN_PSK_LEN)
		return -1;
	return 0;
}

/* A TLS 1.3 session made of @identity's PSK, or NULL. */
static SSL_SESSION *psk_session(SSL *ssl, const struct chan_key *key,
				const char *identity)
{
	static const unsigned char aes128gcm[2] = { 0x13, 0x01 };
	unsigned char psk[CHAN_PSK_LEN];
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, aes128gcm);
	SSL_SESSION *s;

	if (!cipher || derive_psk(key, identity, psk))
		return NULL;
	s = SSL_SESSION_new();
	if (s && (!SSL_SESSION_set1_master_key(s, psk, sizeof(psk)) ||
		  !SSL_SESSION_set_cipher(s, cipher) ||
		  !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION))) {
		SSL_SESSION_free(s);
		s = NULL;
	}
	OPENSSL_cleanse(psk, sizeof(psk));
	return s;
}

/* ---- addresses ---- */

int chan_peer_set(struct chan_peers *p, unsigned int id, const char *host,
		  char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int r;

	if (id >= CHAN_MAX_NODES) {
		set_err(err, errlen, "node %u: outside 0..%d", id,
			CHAN_MAX_NODES - 1);
		errno = ERANGE;
		return -1;
	}
	r = getaddrinfo(host, NULL, &hints, &ai);
	if (r) {
		set_err(err, errlen, "node %u: address '%s': %s", id, host,
			gai_strerror(r));
		errno = ENOENT;
		return -1;
	}
	memset(&p->node[id], 0, sizeof(p->node[id]));
	memcpy(&p->node[id].addr, ai->ai_addr, ai->ai_addrlen);
	p->node[id].addrlen = ai->ai_addrlen;
	p->node[id].known = 1;
	freeaddrinfo(ai);
	return 0;
}

const char *chan_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "(family %d)", sa->sa_family);
	return buf;
}

static int same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return 0;
}

static void set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* ---- I/O with deadlines ---- */

/* The first error of OpenSSL's queue as text (and its reason code). */
static const char *tls_reason(char *buf, size_t len, int *reason)
{
	unsigned long e = ERR_get_error();
	const char *s;

	*reason = e ? ERR_GET_REASON(e) : 0;
	s = e ? ERR_reason_error_string(e) : NULL;
	if (s)
		snprintf(buf, len, "%s", s);
	else if (e)
		snprintf(buf, len, "OpenSSL error %lu", e);
	else
		snprintf(buf, len, "unknown TLS error");
	ERR_clear_error();
	return buf;
}

enum { OP_ACCEPT, OP_CONNECT, OP_READ, OP_WRITE };

/*
 * One TLS operation, all of @len bytes for reads and writes, by
 * @deadline. -1 with errno: ETIMEDOUT, ECANCELED (the server stops),
 * EPIPE (the peer closed; c->eof), EPROTO (TLS; c->err says what), or
 * the socket's. c->err is set, *@reason to OpenSSL's reason code.
 */
static int ssl_op(struct chan_conn *c, int op, void *buf, size_t len,
		  long long deadline, int *reason)
{
	size_t off = 0;

	*reason = 0;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd }, { .fd = c->stopfd, .events = POLLIN },
		};
		size_t n = 0;
		long long left;
		int r = 0, e;

		ERR_clear_error();
		errno = 0;
		switch (op) {
		case OP_ACCEPT: r = SSL_accept(c->ssl); break;
		case OP_CONNECT: r = SSL_connect(c->ssl); break;
		case OP_READ:
			r = SSL_read_ex(c->ssl, (char *)buf + off, len - off, &n);
			break;
		case OP_WRITE:
			r = SSL_write_ex(c->ssl, (const char *)buf + off,
					 len - off, &n);
			break;
		}
		if (r == 1) {
			off += n;
			if ((op == OP_READ || op == OP_WRITE) && off < len)
				continue;
			return 0;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			pfd[0].events = POLLIN;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			pfd[0].events = POLLOUT;
		} else if (e == SSL_ERROR_ZERO_RETURN) {
			c->eof = 1;
			snprintf(c->err, sizeof(c->err), "closed by the peer");
			errno = EPIPE;
			return -1;
		} else if (e == SSL_ERROR_SYSCALL) {
			e = errno ? errno : EPIPE;
			c->eof = 1;
			snprintf(c->err, sizeof(c->err), "%s",
				 errno ? strerror(e) : "connection closed");
			ERR_clear_error();
			errno = e;
			return -1;
		} else {
			char t[200];

			tls_reason(t, sizeof(t), reason);
			if (*reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
				c->eof = 1;
			snprintf(c->err, sizeof(c->err), "%s", t);
			errno = EPROTO;
			return -1;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			snprintf(c->err, sizeof(c->err), "timed out");
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(pfd, c->stopfd >= 0 ? 2 : 1, (int)left);
		if (r < 0 && errno != EINTR) {
			e = errno;
			snprintf(c->err, sizeof(c->err), "poll: %s", strerror(e));
			errno = e;
			return -1;
		}
		if (r > 0 && (pfd[1].revents & POLLIN)) {
			snprintf(c->err, sizeof(c->err), "the server stops");
			errno = ECANCELED;
			return -1;
		}
	}
}

static int frame_send(struct chan_conn *c, uint16_t type, const void *body,
		      uint32_t len, long long deadline)
{
	unsigned char small[4096];
	struct chan_hdr h = {
		.magic = htole32(CHAN_MAGIC),
		.version = htole16(CHAN_VERSION),
		.type = htole16(type),
		.length = htole32(len),
	};
	int reason;

	if (len > CHAN_MAX_FRAME) {
		snprintf(c->err, sizeof(c->err), "a frame of %u bytes: more than %u",
			 len, CHAN_MAX_FRAME);
		errno = EMSGSIZE;
		return -1;
	}
	/* A small frame in one record, a large one in its own. */
	if (len <= sizeof(small) - sizeof(h)) {
		memcpy(small, &h, sizeof(h));
		if (len)
			memcpy(small + sizeof(h), body, len);
		return ssl_op(c, OP_WRITE, small, sizeof(h) + len, deadline,
			      &reason);
	}
	if (ssl_op(c, OP_WRITE, &h, sizeof(h), deadline, &reason))
		return -1;
	return ssl_op(c, OP_WRITE, (void *)body, len, deadline, &reason);
}

/*
 * The next frame by @deadline. Beyond the socket's errors: EPROTO (not
 * a frame of ours; c->err says what), EMSGSIZE (too long: the body is
 * left unread, the connection is unusable).
 */
static int frame_recv(struct chan_conn *c, uint16_t *type, void *buf,
		      uint32_t cap, uint32_t *len, long long deadline)
{
	struct chan_hdr h;
	uint32_t n;
	int reason;

	if (ssl_op(c, OP_READ, &h, sizeof(h), deadline, &reason))
		return -1;
	if (le32toh(h.magic) != CHAN_MAGIC) {
		snprintf(c->err, sizeof(c->err), "not a channel frame (magic 0x%08x)",
			 le32toh(h.magic));
		errno = EPROTO;
		return -1;
	}
	if (le16toh(h.version) != CHAN_VERSION) {
		snprintf(c->err, sizeof(c->err), "frame version %u, this is version %d",
			 le16toh(h.version), CHAN_VERSION);
		errno = EPROTO;
		return -1;
	}
	n = le32toh(h.length);
	if (n > CHAN_MAX_FRAME || n > cap) {
		snprintf(c->err, sizeof(c->err), "a frame of %u bytes: more than %u",
			 n, n > CHAN_MAX_FRAME ? CHAN_MAX_FRAME : cap);
		errno = EMSGSIZE;
		return -1;
	}
	if (n && ssl_op(c, OP_READ, buf, n, deadline, &reason))
		return -1;
	*type = le16toh(h.type);
	*len = n;
	return 0;
}

int chan_send(struct chan_conn *c, uint16_t type, const void *body,
	      uint32_t len)
{
	return frame_send(c, type, body, len, now_ms() + c->io_ms);
}

int chan_recv(struct chan_conn *c, uint16_t *type, void *buf, uint32_t cap,
	      uint32_t *len)
{
	return frame_recv(c, type, buf, cap, len, now_ms() + c->io_ms);
}

int chan_write(struct chan_conn *c, const void *buf, size_t len)
{
	int reason;

	return ssl_op(c, OP_WRITE, (void *)buf, len, now_ms() + c->io_ms,
		      &reason);
}

int chan_request(struct chan_conn *c, uint16_t type, const void *body,
		 uint32_t len, uint16_t *rtype, void *buf, uint32_t cap,
		 uint32_t *rlen)
{
	if (chan_send(c, type, body, len) ||
	    chan_recv(c, rtype, buf, cap, rlen))
		return -1;
	if (*rtype == CHAN_ERROR) {
		const struct chan_error_body *eb = buf;
		uint32_t code = *rlen >= sizeof(*eb) ? le32toh(eb->code) : EPROTO;
		int tn = *rlen > sizeof(*eb) ? (int)(*rlen - sizeof(*eb)) : 0;

		snprintf(c->err, sizeof(c->err), "node %u answered: %.*s",
			 c->node, tn, tn ? eb->text : "an error");
		errno = code ? (int)code : EPROTO;
		return -1;
	}
	return 0;
}

static int send_error(struct chan_conn *c, int code, const char *text,
		      long long deadline)
{
	char buf[sizeof(struct chan_error_body) + 256];
	struct chan_error_body *eb = (struct chan_error_body *)buf;
	size_t n = strnlen(text, 255);

	eb->code = htole32((uint32_t)code);
	memcpy(eb->text, text, n);
	eb->text[n] = '\0';
	return frame_send(c, CHAN_ERROR, buf, (uint32_t)(sizeof(*eb) + n + 1),
			  deadline);
}

int chan_send_error(struct chan_conn *c, int code, const char *text)
{
	return send_error(c, code, text, now_ms() + c->io_ms);
}

void chan_conn_abort(struct chan_conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
}

void chan_conn_set_timeout(struct chan_conn *c, int ms)
{
	c->io_ms = ms;
}

int chan_conn_addrs(const struct chan_conn *c, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer, socklen_t *len)
{
	socklen_t l = sizeof(*local);

	if (getsockname(c->fd, (struct sockaddr *)local, &l))
		return -1;
	*len = l;
	l = sizeof(*peer);
	return getpeername(c->fd, (struct sockaddr *)peer, &l);
}

const char *chan_conn_error(const struct chan_conn *c)
{
	return c->err;
}

const char *chan_conn_version(const struct chan_conn *c)
{
	return c->version;
}

unsigned int chan_conn_node(const struct chan_conn *c)
{
	return c->node;
}

static SSL_CTX *new_ctx(int server)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, CHAN_CIPHERS) ||
	    (server && !SSL_CTX_set_num_tickets(ctx, 0))) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* Large transfers: read what the socket has, not a record a read(). */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
	return ctx;
}

static void conn_free(struct chan_conn *c)
{
	if (c->ssl) {
		/* close_notify, if it goes at once; never waited for */
		if (SSL_is_init_finished(c->ssl) && !c->eof)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	SSL_CTX_free(c->own_ctx);
	ERR_clear_error();
	free(c);
}

void chan_close(struct chan_conn *c)
{
	if (c)
		conn_free(c);
}

/* ---- server ---- */

static void srv_log(struct chan_server *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void srv_log(struct chan_server *s, int prio, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->cfg.log(prio, msg);
}

/* An identity as text for a log line: printable bytes only. */
static void printable(char *out, size_t cap, const unsigned char *in,
		      size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i++)
		if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\'')
			out[o++] = (char)in[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", in[i]);
	out[o] = '\0';
}

/* "krg-node<N>", N in 0..255 without leading zeros: N, or -1. */
static int identity_node(const unsigned char *id, size_t n)
{
	unsigned int v = 0;
	size_t p = sizeof("krg-node") - 1;

	if (n <= p || n > p + 3 || memcmp(id, "krg-node", p))
		return -1;
	if (id[p] == '0' && n > p + 1)
		return -1;
	for (size_t i = p; i < n; i++) {
		if (id[i] < '0' || id[i] > '9')
			return -1;
		v = v * 10 + (id[i] - '0');
	}
	return v < CHAN_MAX_NODES ? (int)v : -1;
}

/* The server's PSK callback: who the client says it is, and is it so? */
static int psk_find(SSL *ssl, const unsigned char *id, size_t idlen,
		    SSL_SESSION **sess)
{
	struct chan_conn *c = SSL_get_app_data(ssl);
	struct chan_server *s = c->srv;
	char shown[140], want[INET6_ADDRSTRLEN + 8];
	int node = identity_node(id, idlen);
	struct chan_peer p;

	*sess = NULL;
	if (node < 0) {
		printable(shown, sizeof(shown), id, idlen < 32 ? idlen : 32);
		snprintf(c->why, sizeof(c->why), "unknown identity '%s'", shown);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	p = s->peers.node[node];
	pthread_mutex_unlock(&s->lock);
	if (!p.known) {
		snprintf(c->why, sizeof(c->why),
			 "identity krg-node%d: not a node of the nodelist", node);
		return 0;
	}
	if (!same_host((struct sockaddr *)&p.addr,
		       (struct sockaddr *)&c->peer_addr)) {
		snprintf(c->why, sizeof(c->why),
			 "identity krg-node%d from another address (node %d is %s)",
			 node, node,
			 chan_addr_str((struct sockaddr *)&p.addr, want,
				       sizeof(want)));
		return 0;
	}
	snprintf(shown, sizeof(shown), "krg-node%d", node);
	*sess = psk_session(ssl, &s->key, shown);
	if (!*sess) {
		snprintf(c->why, sizeof(c->why), "cannot make the PSK session");
		return 0;
	}
	c->node = (unsigned int)node;
	c->authed = 1;
	return 1;
}

/* Why a handshake failed, for the log. */
static const char *refusal(struct chan_conn *c, int reason, int hs_ms)
{
	char t[sizeof(c->err)];

	if (c->why[0])
		return c->why;
	if (errno == ETIMEDOUT)
		snprintf(c->why, sizeof(c->why), "no TLS handshake within %d ms",
			 hs_ms);
	else if (errno == ECANCELED)
		snprintf(c->why, sizeof(c->why), "the server stops");
	else if (reason == SSL_R_BINDER_DOES_NOT_VERIFY)
		snprintf(c->why, sizeof(c->why),
			 "wrong key (the PSK binder does not verify)");
	else if (c->eof)
		snprintf(c->why, sizeof(c->why), "closed during the handshake");
	else if (reason == SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM)
		/* no PSK: the server would need a certificate, it has none */
		snprintf(c->why, sizeof(c->why), "TLS without a PSK identity");
	else if (reason == SSL_R_UNSUPPORTED_PROTOCOL)
		snprintf(c->why, sizeof(c->why), "not TLS 1.3");
	else if (reason == SSL_R_WRONG_VERSION_NUMBER ||
		 reason == SSL_R_HTTP_REQUEST ||
		 reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
		 reason == SSL_R_RECORD_LENGTH_MISMATCH) {
		memcpy(t, c->err, sizeof(t));
		snprintf(c->why, sizeof(c->why), "not a TLS client (%s)", t);
	} else {
		memcpy(t, c->err, sizeof(t));
		snprintf(c->why, sizeof(c->why), "TLS handshake failed: %s", t);
	}
	return c->why;
}

static void serve(struct chan_conn *c)
{
	struct chan_server *s = c->srv;
	int hs_ms = s->cfg.handshake_ms ? s->cfg.handshake_ms : CHAN_TIMEOUT_MS;
	int idle_ms = s->cfg.idle_ms ? s->cfg.idle_ms : CHAN_IDLE_MS;
	unsigned char *buf;
	int reason;

	c->ssl = SSL_new(s->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
		srv_log(s, LOG_ERR, "channel: %s: cannot set up TLS", c->peer);
		return;
	}
	SSL_set_app_data(c->ssl, c);
	if (ssl_op(c, OP_ACCEPT, NULL, 0, now_ms() + hs_ms, &reason) ||
	    !c->authed) {
		if (errno != ECANCELED)
			srv_log(s, LOG_WARNING, "channel: %s: refused: %s",
				c->peer, refusal(c, reason, hs_ms));
		return;
	}
	srv_log(s, LOG_DEBUG, "channel: %s: node %u connected", c->peer,
		c->node);
	buf = malloc(CHAN_MAX_FRAME);
	if (!buf) {
		srv_log(s, LOG_ERR, "channel: %s: out of memory", c->peer);
		return;
	}
	for (;;) {
		long long deadline = now_ms() + idle_ms;
		uint16_t type;
		uint32_t len;
		char t[sizeof(c->err)];
		int r;

		if (frame_recv(c, &type, buf, CHAN_MAX_FRAME, &len, deadline)) {
			if (c->eof && errno != EMSGSIZE) {
				srv_log(s, LOG_DEBUG, "channel: %s: node %u closed",
					c->peer, c->node);
			} else if (errno == ETIMEDOUT) {
				srv_log(s, LOG_INFO, "channel: %s: node %u: no request for %d s: closed",
					c->peer, c->node, idle_ms / 1000);
			} else if (errno != ECANCELED) {
				memcpy(t, c->err, sizeof(t));
				srv_log(s, LOG_WARNING, "channel: %s: node %u: %s: closed",
					c->peer, c->node, t);
				if (errno == EMSGSIZE || errno == EPROTO)
					send_error(c, errno, t,
						   now_ms() + hs_ms);
			}
			break;
		}
		if (type == CHAN_HELLO) {
			struct chan_hello_body h = { .node = htole32(s->cfg.me) };

			snprintf(h.version, sizeof(h.version), "%s", s->version);
			r = frame_send(c, CHAN_HELLO_REPLY, &h, sizeof(h),
				       now_ms() + hs_ms);
		} else if (type >= CHAN_TYPE_USER && s->cfg.handle) {
			r = s->cfg.handle(c, type, buf, len, s->cfg.arg);
			if (r == 1) {
				snprintf(t, sizeof(t), "unknown type %u", type);
				r = send_error(c, EOPNOTSUPP, t, now_ms() + hs_ms);
			}
		} else {
			snprintf(t, sizeof(t), "unknown type %u", type);
			srv_log(s, LOG_DEBUG, "channel: %s: node %u: %s",
				c->peer, c->node, t);
			r = send_error(c, EOPNOTSUPP, t, now_ms() + hs_ms);
		}
		if (r)
			break;
	}
	free(buf);
}

static void *conn_thread(void *arg)
{
	struct chan_conn *c = arg;
	struct chan_server *s = c->srv;

	serve(c);
	conn_free(c);
	pthread_mutex_lock(&s->lock);
	s->nconn--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void *listen_thread(void *arg)
{
	struct chan_server *s = arg;
	int max = s->cfg.max_conns ? s->cfg.max_conns : CHAN_MAX_CONNS;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s->lfd, .events = POLLIN },
			{ .fd = s->stop[0], .events = POLLIN },
		};
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char a[INET6_ADDRSTRLEN];
		struct chan_conn *c;
		pthread_attr_t at;
		pthread_t t;
		int fd, busy, one = 1;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			srv_log(s, LOG_ERR, "channel: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				srv_log(s, LOG_ERR, "channel: accept: %s",
					strerror(errno));
				usleep(100 * 1000);	/* EMFILE: no spin */
			}
			continue;
		}
		chan_addr_str((struct sockaddr *)&ss, a, sizeof(a));
		pthread_mutex_lock(&s->lock);
		busy = s->nconn >= max;
		if (!busy)
			s->nconn++;
		pthread_mutex_unlock(&s->lock);
		if (busy) {
			srv_log(s, LOG_WARNING, "channel: %s:%d: refused: %d connections at once already",
				a, get_port(&ss), max);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (c) {
			c->fd = fd;
			c->stopfd = s->stop[0];
			c->srv = s;
			c->io_ms = s->cfg.handshake_ms ? s->cfg.handshake_ms :
							 CHAN_TIMEOUT_MS;
			c->peer_addr = ss;
			snprintf(c->peer, sizeof(c->peer), "%s:%d", a,
				 get_port(&ss));
		}
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (!c || pthread_create(&t, &at, conn_thread, c)) {
			srv_log(s, LOG_ERR, "channel: %s: no thread for it: closed",
				a);
			free(c);
			close(fd);
			pthread_mutex_lock(&s->lock);
			s->nconn--;
			pthread_mutex_unlock(&s->lock);
		}
		pthread_attr_destroy(&at);
	}
	return NULL;
}

struct chan_server *chan_server_start(const struct chan_server_cfg *cfg,
				      const struct chan_peers *peers,
				      char *err, size_t errlen)
{
	struct chan_server *s;
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[INET6_ADDRSTRLEN];
	int one = 1, e;

	if (cfg->me >= CHAN_MAX_NODES || !peers->node[cfg->me].known) {
		set_err(err, errlen, "this node (%u) has no address in the nodelist",
			cfg->me);
		errno = ENOENT;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->key = *cfg->key;
	s->cfg.key = &s->key;
	snprintf(s->version, sizeof(s->version), "%s",
		 cfg->version ? cfg->version : "");
	s->peers = *peers;
	s->lfd = s->stop[0] = s->stop[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	ss = peers->node[cfg->me].addr;
	sl = peers->node[cfg->me].addrlen;
	set_port(&ss, cfg->port);
	chan_addr_str((struct sockaddr *)&ss, a, sizeof(a));
	s->ctx = new_ctx(1);
	if (!s->ctx) {
		set_err(err, errlen, "cannot set up TLS 1.3 (OpenSSL)");
		goto fail;
	}
	SSL_CTX_set_psk_find_session_callback(s->ctx, psk_find);
	s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->lfd, (struct sockaddr *)&ss, sl) ||
	    listen(s->lfd, 16)) {
		set_err(err, errlen, "listen on %s:%d: %s", a, cfg->port,
			strerror(errno));
		goto fail;
	}
	sl = sizeof(ss);
	getsockname(s->lfd, (struct sockaddr *)&ss, &sl);
	s->port = get_port(&ss);
	if (pipe2(s->stop, O_CLOEXEC)) {
		set_err(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	e = pthread_create(&s->thread, NULL, listen_thread, s);
	if (e) {
		set_err(err, errlen, "thread: %s", strerror(e));
		goto fail;
	}
	srv_log(s, LOG_INFO, "channel: listening on %s:%d (TLS 1.3, PSK)", a,
		s->port);
	return s;
fail:
	e = errno;
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->stop[0] >= 0) {
		close(s->stop[0]);
		close(s->stop[1]);
	}
	SSL_CTX_free(s->ctx);
	chan_key_clear(&s->key);
	free(s);
	errno = e;
	return NULL;
}

int chan_server_port(const struct chan_server *s)
{
	return s->port;
}

void chan_server_set_peers(struct chan_server *s,
			   const struct chan_peers *peers)
{
	pthread_mutex_lock(&s->lock);
	s->peers = *peers;
	pthread_mutex_unlock(&s->lock);
}

void chan_server_stop(struct chan_server *s)
{
	if (!s)
		return;
	if (write(s->stop[1], "x", 1) != 1)
		srv_log(s, LOG_ERR, "channel: cannot stop: %s", strerror(errno));
	pthread_join(s->thread, NULL);
	pthread_mutex_lock(&s->lock);
	while (s->nconn > 0)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	SSL_CTX_free(s->ctx);
	chan_key_clear(&s->key);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->idle);
	free(s);
}

/* ---- client ---- */

static int psk_use(SSL *ssl, const EVP_MD *md, const unsigned char **id,
		   size_t *idlen, SSL_SESSION **sess)
{
	static const unsigned char aes128gcm[2] = { 0x13, 0x01 };
	struct chan_conn *c = SSL_get_app_data(ssl);
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, aes128gcm);

	*sess = NULL;
	*id = NULL;
	*idlen = 0;
	/* A second call names the hash the server chose: it must be ours. */
	if (!cipher || (md && md != SSL_CIPHER_get_handshake_digest(cipher)))
		return 1;
	*sess = psk_session(ssl, c->key, c->identity);
	if (!*sess)
		return 0;
	*id = (const unsigned char *)c->identity;
	*idlen = strlen(c->identity);
	return 1;
}

/* A non-blocking connect, done by @deadline: 0, or -1 with errno. */
static int connect_by(int fd, const struct sockaddr *sa, socklen_t sl,
		      long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t el = sizeof(int);
	int e = 0;

	if (!connect(fd, sa, sl))
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el))
		return -1;
	errno = e;
	return e ? -1 : 0;
}

struct chan_conn *chan_connect(const struct chan_key *key, unsigned int me,
			       const struct chan_peers *peers,
			       unsigned int node, int port, int timeout_ms,
			       char *err, size_t errlen)
{
	struct chan_hello_body h;
	struct chan_conn *c;
	struct sockaddr_storage ss;
	char a[INET6_ADDRSTRLEN];
	long long deadline;
	uint16_t type;
	uint32_t len;
	int reason, one = 1, e;

	if (!timeout_ms)
		timeout_ms = CHAN_TIMEOUT_MS;
	deadline = now_ms() + timeout_ms;
	if (node >= CHAN_MAX_NODES || !peers->node[node].known) {
		set_err(err, errlen, "node %u is not in the nodelist", node);
		errno = ENOENT;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	c->stopfd = -1;
	c->io_ms = timeout_ms;
	c->node = node;
	c->key = key;
	snprintf(c->identity, sizeof(c->identity), "krg-node%u", me);
	ss = peers->node[node].addr;
	set_port(&ss, port);
	snprintf(c->peer, sizeof(c->peer), "%s:%d",
		 chan_addr_str((struct sockaddr *)&ss, a, sizeof(a)), port);
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect_by(c->fd, (struct sockaddr *)&ss,
				    peers->node[node].addrlen, deadline)) {
		set_err(err, errlen, "node %u (%s): connect: %s", node,
			c->peer, strerror(errno));
		goto fail;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->own_ctx = new_ctx(0);
	if (c->own_ctx)
		c->ssl = SSL_new(c->own_ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
		set_err(err, errlen, "cannot set up TLS 1.3 (OpenSSL)");
		errno = ENOMEM;
		goto fail;
	}
	SSL_set_app_data(c->ssl, c);
	SSL_set_psk_use_session_callback(c->ssl, psk_use);
	if (ssl_op(c, OP_CONNECT, NULL, 0, deadline, &reason)) {
		set_err(err, errlen, "node %u (%s): TLS handshake: %s%s", node,
			c->peer, c->err,
			errno == EPROTO || c->eof ?
			" (refused: not the same key, or this node not in its nodelist or not at its address?)" :
			"");
		goto fail;
	}
	/* The server proves who it is: HELLO inside the session. */
	if (frame_send(c, CHAN_HELLO, NULL, 0, deadline) ||
	    frame_recv(c, &type, &h, sizeof(h), &len, deadline)) {
		set_err(err, errlen, "node %u (%s): HELLO: %s", node, c->peer,
			c->err);
		goto fail;
	}
	if (type != CHAN_HELLO_REPLY || len != sizeof(h)) {
		set_err(err, errlen, "node %u (%s): HELLO answered with a frame of type %u, %u bytes",
			node, c->peer, type, len);
		errno = EPROTO;
		goto fail;
	}
	if (le32toh(h.node) != node) {
		set_err(err, errlen, "node %u (%s): the peer is node %u, not node %u",
			node, c->peer, le32toh(h.node), node);
		errno = EPROTO;
		goto fail;
	}
	h.version[sizeof(h.version) - 1] = '\0';
	snprintf(c->version, sizeof(c->version), "%s", h.version);
	return c;
fail:
	e = errno;
	conn_free(c);
	errno = e;
	return NULL;
}
