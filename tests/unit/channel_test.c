// SPDX-License-Identifier: GPL-2.0
/*
 * channel_test.c - krgd's channel (tools/krgd/channel.c): a server and
 * its clients in this process, over 127.0.0.1 only, on an ephemeral
 * port, with the peer table the test gives (node 0: the server, node 1:
 * the clients, both 127.0.0.1; node 2 at 192.0.2.1, TEST-NET-1, which is
 * never contacted: a node whose address the clients do not have).
 *
 * Build and run: `make check-unit` (tests/Makefile links channel.c and
 * -lssl -lcrypto).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "kselftest_harness.h"
#include "../../tools/krgd/channel.h"

#define HS_MS	1000	/* the test server's handshake timeout */

/* What the server logs, for the tests to look at. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[16384];

static void log_cb(int prio, const char *msg)
{
	(void)prio;
	pthread_mutex_lock(&log_lock);
	if (strlen(log_buf) + strlen(msg) + 2 < sizeof(log_buf)) {
		strcat(log_buf, msg);
		strcat(log_buf, "\n");
	}
	pthread_mutex_unlock(&log_lock);
}

/* Wait (2 s at most) until the log has a line with @a and @b in it. */
static int logged(const char *a, const char *b)
{
	for (int i = 0; i < 200; i++) {
		char *line, *save, copy[sizeof(log_buf)];

		pthread_mutex_lock(&log_lock);
		memcpy(copy, log_buf, sizeof(copy));
		pthread_mutex_unlock(&log_lock);
		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (strstr(line, a) && (!b || strstr(line, b)))
				return 1;
		usleep(10 * 1000);
	}
	fprintf(stderr, "# no log line with '%s' and '%s' in:\n%s", a,
		b ? b : "", log_buf);
	return 0;
}

static long long ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int write_file(const char *path, const void *data, size_t n, int mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, data, n) != (ssize_t)n || fchmod(fd, (mode_t)mode)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A plain TCP connection to the server. */
static int raw_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read until the server closes: ms it took, or -1 (still open after 5 s). */
static long long wait_closed(int fd)
{
	struct timeval tv = { .tv_sec = 5 };
	long long t0 = ms_now();
	char b[256];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do
		n = read(fd, b, sizeof(b));
	while (n > 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	return ms_now() - t0;
}

/* A handler for one user type: echo. */
#define T_ECHO	(CHAN_TYPE_USER + 1)
static int echo(struct chan_conn *c, uint16_t type, const void *body,
		uint32_t len, void *arg)
{
	(void)arg;
	if (type != T_ECHO)
		return 1;
	return chan_send(c, T_ECHO, body, len);
}

FIXTURE(chan) {
	char dir[64];
	char keyfile[128];
	struct chan_key key, other;
	struct chan_peers peers;
	struct chan_server *srv;
	int port;
	char err[512];
};

FIXTURE_SETUP(chan)
{
	unsigned char k[64];
	struct chan_server_cfg cfg = {
		.me = 0, .port = 0, .version = "krgd test",
		.handshake_ms = HS_MS, .idle_ms = 3000, .max_conns = 4,
		.log = log_cb, .handle = echo,
	};

	signal(SIGPIPE, SIG_IGN);
	log_buf[0] = '\0';
	snprintf(self->dir, sizeof(self->dir), "/tmp/krg_channel_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->keyfile, sizeof(self->keyfile), "%s/authkey", self->dir);
	for (size_t i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)(i * 7 + 3);
	ASSERT_EQ(0, write_file(self->keyfile, k, sizeof(k), 0600));
	ASSERT_EQ(0, chan_key_load(self->keyfile, &self->key, self->err,
				   sizeof(self->err))) TH_LOG("%s", self->err);
	/* Another key: the same but for one byte. */
	self->other = self->key;
	self->other.data[17] ^= 1;
	memset(&self->peers, 0, sizeof(self->peers));
	ASSERT_EQ(0, chan_peer_set(&self->peers, 0, "127.0.0.1", self->err,
				   sizeof(self->err)));
	ASSERT_EQ(0, chan_peer_set(&self->peers, 1, "127.0.0.1", self->err,
				   sizeof(self->err)));
	ASSERT_EQ(0, chan_peer_set(&self->peers, 2, "192.0.2.1", self->err,
				   sizeof(self->err)));
	cfg.key = &self->key;
	self->srv = chan_server_start(&cfg, &self->peers, self->err,
				      sizeof(self->err));
	ASSERT_NE(NULL, self->srv) TH_LOG("%s", self->err);
	self->port = chan_server_port(self->srv);
	ASSERT_LT(0, self->port);
	ASSERT_TRUE(logged("channel: listening on 127.0.0.1:", NULL));
}

FIXTURE_TEARDOWN(chan)
{
	chan_server_stop(self->srv);
	if (getenv("CHAN_TEST_LOG"))
		fprintf(stderr, "%s", log_buf);
	unlink(self->keyfile);
	rmdir(self->dir);
}

/* As node 1 to node 0 with @key: the connection, or NULL (err says why). */
static struct chan_conn *hello(struct __test_metadata *_metadata,
			       FIXTURE_DATA(chan) *self,
			       const struct chan_key *key, unsigned int me,
			       unsigned int to)
{
	(void)_metadata;
	self->err[0] = '\0';
	return chan_connect(key, me, &self->peers, to, self->port, 3000,
			    self->err, sizeof(self->err));
}

/* The right key: HELLO is answered by node 0 with its version. */
TEST_F(chan, hello_right_key)
{
	struct chan_hello_body h;
	struct chan_conn *c = hello(_metadata, self, &self->key, 1, 0);
	uint16_t t;
	uint32_t n;

	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	EXPECT_STREQ("krgd test", chan_conn_version(c));
	/* Again, by hand, on the same connection. */
	ASSERT_EQ(0, chan_request(c, CHAN_HELLO, NULL, 0, &t, &h, sizeof(h), &n));
	EXPECT_EQ(CHAN_HELLO_REPLY, t);
	EXPECT_EQ(sizeof(h), n);
	EXPECT_EQ(0U, h.node);
	chan_close(c);
	EXPECT_TRUE(logged("node 1 connected", NULL));
}

/* A wrong key: refused on both sides, the server says so. */
TEST_F(chan, wrong_key_refused)
{
	struct chan_conn *c = hello(_metadata, self, &self->other, 1, 0);

	ASSERT_EQ(NULL, c);
	EXPECT_NE(NULL, strstr(self->err, "TLS handshake")) TH_LOG("%s", self->err);
	EXPECT_TRUE(logged("127.0.0.1:", "refused: wrong key"));
	/* and it goes on */
	c = hello(_metadata, self, &self->key, 1, 0);
	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	chan_close(c);
}

/* An identity that is not a node of the table: refused. */
TEST_F(chan, unknown_identity_refused)
{
	ASSERT_EQ(NULL, hello(_metadata, self, &self->key, 7, 0));
	EXPECT_TRUE(logged("refused: identity krg-node7: not a node of the nodelist", NULL));
	EXPECT_NE(NULL, strstr(self->err, "refused")) TH_LOG("%s", self->err);
}

/* A node of the table, but not from its address: refused. */
TEST_F(chan, wrong_address_refused)
{
	ASSERT_EQ(NULL, hello(_metadata, self, &self->key, 2, 0));
	EXPECT_TRUE(logged("127.0.0.1:", "identity krg-node2 from another address (node 2 is 192.0.2.1)"));
}

/* The client checks it reached the node it asked for. */
TEST_F(chan, client_checks_server_node)
{
	/* node 1 is 127.0.0.1 too, where node 0's server answers */
	ASSERT_EQ(NULL, hello(_metadata, self, &self->key, 1, 1));
	EXPECT_NE(NULL, strstr(self->err, "the peer is node 0, not node 1"))
		TH_LOG("%s", self->err);
}

/* Plain TCP garbage: closed, logged; the next good client is served. */
TEST_F(chan, garbage_closed)
{
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	int fd = raw_connect(self->port);
	struct chan_conn *c;
	long long t;

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(junk), write(fd, junk, sizeof(junk)));
	t = wait_closed(fd);
	EXPECT_LE(0, t);
	EXPECT_GT(HS_MS - 100, t);	/* closed for the garbage, not the time */
	close(fd);
	EXPECT_TRUE(logged("127.0.0.1:", "refused: not a TLS client"));
	c = hello(_metadata, self, &self->key, 1, 0);
	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	chan_close(c);
}

/* Random bytes rather than text: closed too. */
TEST_F(chan, binary_garbage_closed)
{
	unsigned char junk[600];
	int fd = raw_connect(self->port);
	long long t;

	ASSERT_LE(0, fd);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 17);
	junk[0] = 0x16;		/* looks like a handshake record at first */
	ASSERT_EQ((ssize_t)sizeof(junk), write(fd, junk, sizeof(junk)));
	t = wait_closed(fd);
	EXPECT_LE(0, t);
	EXPECT_GT(HS_MS + 2000, t);
	close(fd);
	EXPECT_TRUE(logged("127.0.0.1:", "refused:"));
}

/* TLS, but without the PSK (or not TLS 1.3): refused, and said so. */
TEST_F(chan, tls_without_psk)
{
	for (int v = 0; v < 2; v++) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
		int fd = raw_connect(self->port);
		SSL *ssl;

		ASSERT_NE(NULL, ctx);
		ASSERT_LE(0, fd);
		if (v)
			SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		EXPECT_GE(0, SSL_connect(ssl));
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		close(fd);
	}
	EXPECT_TRUE(logged("127.0.0.1:", "refused: TLS without a PSK identity"));
	EXPECT_TRUE(logged("127.0.0.1:", "refused: not TLS 1.3"));
}

/* A client that connects and stalls is closed within the timeout, and
 * does not stop a good client meanwhile. */
TEST_F(chan, stall_closed_in_time)
{
	int fd = raw_connect(self->port);
	struct chan_conn *c;
	long long t0 = ms_now(), t;

	ASSERT_LE(0, fd);
	c = hello(_metadata, self, &self->key, 1, 0);
	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	chan_close(c);
	t = wait_closed(fd) + (ms_now() - t0);
	EXPECT_LE(HS_MS - 50, t);
	EXPECT_GT(HS_MS + 2000, t);
	close(fd);
	EXPECT_TRUE(logged("127.0.0.1:", "refused: no TLS handshake within 1000 ms"));
}

/* At most max_conns at once: the next one is closed at once. */
TEST_F(chan, bounded_connections)
{
	int fd[5];
	long long t;

	for (int i = 0; i < 4; i++) {
		fd[i] = raw_connect(self->port);
		ASSERT_LE(0, fd[i]);
	}
	usleep(100 * 1000);
	fd[4] = raw_connect(self->port);
	ASSERT_LE(0, fd[4]);
	t = wait_closed(fd[4]);
	EXPECT_LE(0, t);
	EXPECT_GT(HS_MS - 200, t);	/* at once, not at the timeout */
	EXPECT_TRUE(logged("refused: 4 connections at once already", NULL));
	for (int i = 0; i < 5; i++)
		close(fd[i]);
}

/* A frame longer than the maximum: an error frame, then closed. */
TEST_F(chan, oversized_frame)
{
	struct chan_conn *c = hello(_metadata, self, &self->key, 1, 0);
	struct chan_hdr h = {
		.magic = CHAN_MAGIC, .version = CHAN_VERSION,
		.type = CHAN_HELLO, .length = CHAN_MAX_FRAME + 1,
	};
	char buf[512];
	uint16_t t;
	uint32_t n;

	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	/* refused here first */
	EXPECT_EQ(-1, chan_send(c, T_ECHO, buf, CHAN_MAX_FRAME + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, chan_write(c, &h, sizeof(h)));
	ASSERT_EQ(0, chan_recv(c, &t, buf, sizeof(buf), &n));
	EXPECT_EQ(CHAN_ERROR, t);
	EXPECT_NE(NULL, strstr(((struct chan_error_body *)buf)->text,
			       "a frame of 1048577 bytes: more than 1048576"));
	EXPECT_EQ(-1, chan_recv(c, &t, buf, sizeof(buf), &n));
	chan_close(c);
	EXPECT_TRUE(logged("node 1: a frame of 1048577 bytes", "closed"));
}

/* Not our frame (bad magic): an error frame, then closed. */
TEST_F(chan, bad_magic)
{
	struct chan_conn *c = hello(_metadata, self, &self->key, 1, 0);
	static const char junk[12] = "hello world";
	char buf[512];
	uint16_t t;
	uint32_t n;

	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	ASSERT_EQ(0, chan_write(c, junk, sizeof(junk)));
	ASSERT_EQ(0, chan_recv(c, &t, buf, sizeof(buf), &n));
	EXPECT_EQ(CHAN_ERROR, t);
	EXPECT_NE(NULL, strstr(((struct chan_error_body *)buf)->text,
			       "not a channel frame"));
	chan_close(c);
}

/* An unknown type: an error frame, and the connection goes on. */
TEST_F(chan, unknown_type)
{
	struct chan_conn *c = hello(_metadata, self, &self->key, 1, 0);
	char buf[64] = "ping";
	uint16_t t;
	uint32_t n;

	ASSERT_NE(NULL, c) TH_LOG("%s", self->err);
	EXPECT_EQ(-1, chan_request(c, 77, NULL, 0, &t, buf, sizeof(buf), &n));
	EXPECT_NE(NULL, strstr(chan_conn_error(c), "unknown type 77"))
		TH_LOG("%s", chan_conn_error(c));
	EXPECT_EQ(-1, chan_request(c, T_ECHO + 1, NULL, 0, &t, buf, sizeof(buf), &n));
	EXPECT_NE(NULL, strstr(chan_conn_error(c), "unknown type 258"));
	/* a handler's type */
	ASSERT_EQ(0, chan_request(c, T_ECHO, "ping", 5, &t, buf, sizeof(buf), &n));
	EXPECT_EQ(T_ECHO, t);
	EXPECT_STREQ("ping", buf);
	chan_close(c);
}

/* Stopping the server while a client stalls is quick. */
TEST_F(chan, stop_with_a_staller)
{
	int fd = raw_connect(self->port);
	long long t0;

	ASSERT_LE(0, fd);
	usleep(50 * 1000);
	t0 = ms_now();
	chan_server_stop(self->srv);
	self->srv = NULL;
	EXPECT_GT(300, ms_now() - t0);
	close(fd);
}

/* Key files: the right one loads; the rest are refused, by name. */
TEST_F(chan, key_files)
{
	char path[160], err[512];
	unsigned char k[64] = { 1, 2, 3 };
	struct chan_key key;

	snprintf(path, sizeof(path), "%s/key0644", self->dir);
	ASSERT_EQ(0, write_file(path, k, sizeof(k), 0644));
	EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "mode 0644, must be 0600 or stricter"));
	ASSERT_EQ(0, chmod(path, 0640));
	EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "mode 0640"));
	ASSERT_EQ(0, chmod(path, 0400));
	EXPECT_EQ(0, chan_key_load(path, &key, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(sizeof(k), key.len);
	unlink(path);

	snprintf(path, sizeof(path), "%s/short", self->dir);
	ASSERT_EQ(0, write_file(path, k, 31, 0600));
	EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, path));
	EXPECT_NE(NULL, strstr(err, "31 bytes, must be 32 to 4096")) TH_LOG("%s", err);
	EXPECT_EQ(0U, key.len);
	unlink(path);

	snprintf(path, sizeof(path), "%s/missing", self->dir);
	EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(NULL, strstr(err, path));

	EXPECT_EQ(-1, chan_key_load(self->dir, &key, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a regular file")) TH_LOG("%s", err);

	snprintf(path, sizeof(path), "%s/link", self->dir);
	ASSERT_EQ(0, symlink(self->keyfile, path));
	EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "symbolic link")) TH_LOG("%s", err);
	unlink(path);

	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/theirs", self->dir);
		ASSERT_EQ(0, write_file(path, k, sizeof(k), 0600));
		ASSERT_EQ(0, chown(path, 1000, 1000));
		EXPECT_EQ(-1, chan_key_load(path, &key, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "owned by uid 1000, must be root's"))
			TH_LOG("%s", err);
		unlink(path);
	}
}

/* The peer table: ids out of range are refused. */
TEST(peer_table)
{
	struct chan_peers p;
	char err[256];

	/* (no bad address: a name not numeric would go to DNS) */
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(-1, chan_peer_set(&p, 256, "127.0.0.1", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "node 256: outside 0..255"));
}

TEST_HARNESS_MAIN
