/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agents' own channel: TLS 1.3 over TCP, authenticated with an
 * external pre-shared key (channel.c says how). A server thread in krgd,
 * and a client API for the code that will move process images and for
 * the tools that test it.
 */
#ifndef _KRG_CHANNEL_H
#define _KRG_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CHAN_PORT_DEFAULT	7079
#define CHAN_KEY_FILE		"/etc/krg/authkey"
#define CHAN_KEY_MIN		32	/* bytes of the key file */
#define CHAN_KEY_MAX		4096
#define CHAN_MAX_NODES		256	/* krg node ids 0..255 */

/* Framing inside TLS: this header (little-endian), then @length bytes. */
#define CHAN_MAGIC		0x4b524743	/* "KRGC" */
#define CHAN_VERSION		1
#define CHAN_MAX_FRAME		(1U << 20)	/* the largest body */

struct chan_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length;
};

enum chan_type {
	CHAN_ERROR = 1,		/* an answer: struct chan_error_body */
	CHAN_HELLO = 2,		/* a request, no body */
	CHAN_HELLO_REPLY = 3,	/* its answer: struct chan_hello_body */
	CHAN_TYPE_USER = 256,	/* from here: the server's handler */
};

struct chan_hello_body {
	uint32_t node;		/* the answering node's krg id */
	char version[60];	/* its krgd's, NUL-terminated */
};

struct chan_error_body {
	uint32_t code;		/* an errno value */
	char text[];		/* NUL-terminated */
};

/* The key file's contents, from chan_key_load(). */
struct chan_key {
	unsigned char data[CHAN_KEY_MAX];
	size_t len;
};

/*
 * Read @path into @key. Refused (-1, @err says why and names the file):
 * not a regular file, not owned by the effective user (root for krgd),
 * readable or writable by group or others, shorter than CHAN_KEY_MIN or
 * longer than CHAN_KEY_MAX bytes. errno is ENOENT when there is no file.
 */
int chan_key_load(const char *path, struct chan_key *key, char *err,
		  size_t errlen);
void chan_key_clear(struct chan_key *key);

/* The nodes of the cluster: krg node id -> address (the port is apart). */
struct chan_peer {
	int known;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct chan_peers {
	struct chan_peer node[CHAN_MAX_NODES];
};

/* Set node @id's address from @host (a numeric address or a name). */
int chan_peer_set(struct chan_peers *p, unsigned int id, const char *host,
		  char *err, size_t errlen);
/* "10.77.0.2" */
const char *chan_addr_str(const struct sockaddr *sa, char *buf, size_t len);

struct chan_conn;

/* ---- server ---- */

/*
 * A request of type >= CHAN_TYPE_USER: answer it with chan_send() (or
 * not); return 0 to go on, -1 to close the connection, 1 for "unknown
 * type" (the server answers with an error frame).
 */
typedef int (*chan_handler_fn)(struct chan_conn *c, uint16_t type,
			       const void *body, uint32_t len, void *arg);

struct chan_server_cfg {
	const struct chan_key *key;
	unsigned int me;		/* this node's krg id */
	int port;			/* 0: an ephemeral one (tests) */
	const char *version;		/* in HELLO's answer */
	int handshake_ms;		/* 0: 5000 */
	int idle_ms;			/* a request's wait; 0: 60000 */
	int max_conns;			/* at once; 0: 16 */
	void (*log)(int prio, const char *msg);	/* syslog priorities */
	chan_handler_fn handle;
	void *arg;
};

struct chan_server;

/*
 * Listen on node @cfg->me's address of @peers and serve in a thread of
 * its own (one more per connection). Never blocks on the network.
 * NULL on failure (@err says why).
 */
struct chan_server *chan_server_start(const struct chan_server_cfg *cfg,
				      const struct chan_peers *peers,
				      char *err, size_t errlen);
int chan_server_port(const struct chan_server *s);
/* The nodelist changed: who may connect, from where. */
void chan_server_set_peers(struct chan_server *s,
			   const struct chan_peers *peers);
/* Close everything, wait for the threads (at most an I/O timeout). */
void chan_server_stop(struct chan_server *s);

/* The peer of a server-side connection (for handlers). */
unsigned int chan_conn_node(const struct chan_conn *c);

/* ---- client ---- */

/*
 * Connect as node @me to node @node of @peers on @port, authenticate,
 * say HELLO and check the answer comes from node @node. Everything is
 * bounded by @timeout_ms (0: 5000). NULL on failure (@err says why).
 */
struct chan_conn *chan_connect(const struct chan_key *key, unsigned int me,
			       const struct chan_peers *peers,
			       unsigned int node, int port, int timeout_ms,
			       char *err, size_t errlen);
/* HELLO's answer: the peer's krgd version. */
const char *chan_conn_version(const struct chan_conn *c);

/* Both sides. 0, or -1 with errno and chan_conn_error() set. */
int chan_send(struct chan_conn *c, uint16_t type, const void *body,
	      uint32_t len);
/*
 * The next frame, its body into @buf (up to @cap bytes). A frame longer
 * than @cap or CHAN_MAX_FRAME is an error (EMSGSIZE).
 */
int chan_recv(struct chan_conn *c, uint16_t *type, void *buf, uint32_t cap,
	      uint32_t *len);
/* chan_send() then chan_recv(); an error frame is -1, its text the error. */
int chan_request(struct chan_conn *c, uint16_t type, const void *body,
		 uint32_t len, uint16_t *rtype, void *buf, uint32_t cap,
		 uint32_t *rlen);
/* Raw bytes inside the session (tests: a malformed frame). */
int chan_write(struct chan_conn *c, const void *buf, size_t len);
const char *chan_conn_error(const struct chan_conn *c);
/* An error frame (@code an errno value, @text NUL-terminated). */
int chan_send_error(struct chan_conn *c, int code, const char *text);
/* Make @c's I/O fail at once, from any thread (@c stays to be closed). */
void chan_conn_abort(struct chan_conn *c);
/* The bound on each chan_send()/chan_recv() of @c from now on. */
void chan_conn_set_timeout(struct chan_conn *c, int ms);
/* The addresses of @c's TCP connection, this end's and the peer's. */
int chan_conn_addrs(const struct chan_conn *c, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer, socklen_t *len);
void chan_close(struct chan_conn *c);

#endif /* _KRG_CHANNEL_H */
