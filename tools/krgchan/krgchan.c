// SPDX-License-Identifier: GPL-2.0
/*
 * krgchan - a client of the agents' channel (tools/krgd/channel.c), to
 * check it: say HELLO to node N's krgd and print its answer. Who is where
 * comes from corosync's nodelist (cmap), this node's id from corosync
 * too (--as to claim another: the tests' wrong identity).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/cmap.h>
#include "libkrg.h"
#include "../krgd/channel.h"
#include "../krgd/peers.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: krgchan [OPTION]... hello NODE\n"
		"Say HELLO to krg node NODE's krgd over the agents' TLS channel\n"
		"and print its answer: \"node N: VERSION\".\n"
		"\n"
		"  -k, --key FILE    the pre-shared key (default /etc/krg/authkey)\n"
		"  -p, --port PORT   the channel's port (default 7079)\n"
		"  -t, --timeout MS  for everything (default 5000)\n"
		"      --as N        connect as node N (default: this node)\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"See krgd(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "as", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_file = CHAN_KEY_FILE;
	int port = CHAN_PORT_DEFAULT, timeout_ms = 5000, as = -1, c, node;
	static struct chan_key key;
	static struct chan_peers peers;
	struct chan_conn *conn;
	cmap_handle_t cmap;
	char err[640];
	uint32_t me;

	while ((c = getopt_long(argc, argv, "k:p:t:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_file = optarg; break;
		case 'p': port = (int)krg_parse_arg(optarg, "port", 1, 65535); break;
		case 't': timeout_ms = (int)krg_parse_arg(optarg, "timeout", 1, 600000); break;
		case 'a': as = (int)krg_parse_arg(optarg, "as", 0, CHAN_MAX_NODES - 1); break;
		case 'h': usage(stdout); return 0;
		case 'V': return krg_print_version();
		default: krg_usage_error(NULL);
		}
	}
	if (optind >= argc)
		krg_usage_error("missing request (hello)");
	if (strcmp(argv[optind], "hello"))
		krg_usage_error("unknown request '%s'", argv[optind]);
	if (optind + 1 >= argc)
		krg_usage_error("missing node");
	node = (int)krg_parse_arg(argv[optind + 1], "node", 0, CHAN_MAX_NODES - 1);
	if (optind + 2 < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind + 2]);
	signal(SIGPIPE, SIG_IGN);

	if (chan_key_load(key_file, &key, err, sizeof(err))) {
		fprintf(stderr, "krgchan: %s\n", err);
		return 1;
	}
	if (cmap_initialize(&cmap) != CS_OK) {
		fprintf(stderr, "krgchan: cannot reach corosync (cmap): is it running?\n");
		return 1;
	}
	if (chan_peers_from_cmap(cmap, &peers, err, sizeof(err)) < 0) {
		fprintf(stderr, "krgchan: %s\n", err);
		cmap_finalize(cmap);
		return 1;
	}
	if (as < 0) {
		if (cmap_get_uint32(cmap, "runtime.votequorum.this_node_id",
				    &me) != CS_OK || me < 1) {
			fprintf(stderr, "krgchan: corosync has no node id for this machine\n");
			cmap_finalize(cmap);
			return 1;
		}
		as = (int)me - 1;
	}
	cmap_finalize(cmap);
	conn = chan_connect(&key, (unsigned int)as, &peers, (unsigned int)node,
			    port, timeout_ms, err, sizeof(err));
	chan_key_clear(&key);
	if (!conn) {
		fprintf(stderr, "krgchan: %s\n", err);
		return 1;
	}
	printf("node %d: %s\n", node, chan_conn_version(conn));
	chan_close(conn);
	return 0;
}
