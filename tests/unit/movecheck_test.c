// SPDX-License-Identifier: GPL-2.0
/*
 * krgd's checks before a migration (tools/krgd/movecheck.c), on this host:
 * what a live child process holds, said by name, every reason at once; what
 * a target refuses (another kernel or CRIU, a CPU flag it lacks, a pid it
 * has, a mapped file that differs or is missing, a file the process's user
 * cannot open by its path); and a process they all let go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/krgd/krgd.h"
#include "../../tools/krgd/mover.h"

void say(int prio, const char *fmt, ...)
{
	(void)prio;
	(void)fmt;
}

/*
 * A child sleeping (sleep(1): a fresh image, not the harness's shared
 * mappings) with @fd1 as its stdout and /dev/null as the rest.
 */
static pid_t child(int fd1)
{
	pid_t p = fork();

	if (!p) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fd1 >= 0 ? fd1 : null, 1);
		dup2(null, 2);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	usleep(100 * 1000);	/* its fds in place */
	return p;
}

static void end(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static struct mig_offer o;
static char why[4096];

/* Every reason at once, each naming its object; nothing else said. */
TEST(source_reasons)
{
	int p[2], fd;
	pid_t c;

	ASSERT_EQ(0, pipe(p));
	c = child(p[0]);
	ASSERT_GT(c, 0);
	EXPECT_EQ(-EOPNOTSUPP, movecheck_source(c, &o, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "fd 1 is a pipe it reads from")) TH_LOG("%s", why);
	end(c);
	close(p[0]);
	close(p[1]);

	fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	if (fd >= 0) {
		c = child(fd);
		EXPECT_EQ(-EOPNOTSUPP, movecheck_source(c, &o, why, sizeof(why)));
		EXPECT_NE(NULL, strstr(why, "fd 1 is a deleted file")) TH_LOG("%s", why);
		end(c);
		close(fd);
	}
	EXPECT_EQ(-ESRCH, movecheck_source(999999999, &o, why, sizeof(why)));
}

/* A pipe it writes to and a terminal stay here: its ghost relays them. */
TEST(source_relays)
{
	char name[64], id[64];
	int p[2], m, t;
	struct stat st;
	pid_t c;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, fstat(p[1], &st));
	c = child(p[1]);
	ASSERT_GT(c, 0);
	EXPECT_EQ(0, movecheck_source(c, &o, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(1U, o.nrelay);
	EXPECT_EQ((uint32_t)MIG_RELAY_PIPE, o.relay[0].kind);
	EXPECT_EQ(1, o.relay[0].ghost_fd);
	snprintf(id, sizeof(id), "pipe:[%llu]", (unsigned long long)st.st_ino);
	EXPECT_STREQ(id, o.relay[0].id);
	end(c);
	close(p[0]);
	close(p[1]);

	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, grantpt(m));
	ASSERT_EQ(0, unlockpt(m));
	ASSERT_EQ(0, ptsname_r(m, name, sizeof(name)));
	t = open(name, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, t);
	ASSERT_EQ(0, fstat(t, &st));
	c = child(t);
	ASSERT_GT(c, 0);
	EXPECT_EQ(0, movecheck_source(c, &o, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(1U, o.nrelay);
	EXPECT_EQ((uint32_t)MIG_RELAY_TTY, o.relay[0].kind);
	EXPECT_EQ(1, o.relay[0].ghost_fd);
	snprintf(id, sizeof(id), "tty[%llx:%llx]", (unsigned long long)st.st_rdev,
		 (unsigned long long)st.st_dev);
	EXPECT_STREQ(id, o.relay[0].id);
	/* the terminal's settings travel: ONLCR as a new pty has it */
	EXPECT_NE(0U, o.relay[0].tio.c_oflag & ONLCR);
	end(c);
	close(t);
	close(m);
}

/* A child with only /dev/null open: nothing against it here. */
TEST(source_clean)
{
	pid_t c = child(-1);

	ASSERT_GT(c, 0);
	EXPECT_EQ(0, movecheck_source(c, &o, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_STREQ("", why);
	/* its binary is on the list the target checks (not on a shared fs) */
	EXPECT_NE(NULL, strstr(o.files, "bin/sleep\n")) TH_LOG("%s", o.files);
	EXPECT_NE('\0', o.release[0]);
	EXPECT_EQ(getuid(), o.uid);
	end(c);
}

/* The target's refusals, each by name, all at once. */
TEST(target_reasons)
{
	static char line[sizeof(o.files) + 64];
	pid_t c = child(-1);

	ASSERT_GT(c, 0);
	ASSERT_EQ(0, movecheck_source(c, &o, why, sizeof(why)));
	o.pid = c;	/* taken here */
	if (!movecheck_criu_version()[0])
		SKIP(end(c); return, "no criu on this host");
	EXPECT_EQ(-EADDRINUSE, movecheck_target(&o, 3, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "is taken on node 3")) TH_LOG("%s", why);

	o.pid = 999999999;
	snprintf(o.release, sizeof(o.release), "9.9.9-other");
	snprintf(o.cpu_flags, sizeof(o.cpu_flags), "fpu krg_no_such_flag");
	snprintf(line, sizeof(line), "1 0123456789abcdef /no/such/file\n%s", o.files);
	memcpy(o.files, line, sizeof(o.files) - 1);
	/* the first listed file (its binary) with another hash: differs */
	{
		char *second = strchr(o.files, '\n') + 1;
		char *h = strchr(second, ' ') + 1;

		h[0] = h[0] == '0' ? '1' : '0';
	}
	EXPECT_EQ(-EOPNOTSUPP, movecheck_target(&o, 3, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "node 3 runs Linux")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "lacks the feature krg_no_such_flag")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "/no/such/file is missing on node 3")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "differs on node 3")) TH_LOG("%s", why);
	end(c);
}

/* A file the process's user cannot open by its path is refused by name. */
TEST(files_as_user)
{
	char path[] = "/tmp/movecheck-XXXXXX";
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	fchmod(fd, 0600);
	memset(&o, 0, sizeof(o));
	o.uid = 65534;
	o.gid = 65534;
	snprintf(o.fds, sizeof(o.fds), "1 1 %s\n", path);
	if (getuid() != 0)
		SKIP(goto out, "needs root (it drops to the process's uid)");
	EXPECT_EQ(-EACCES, movecheck_files_as_user(&o, 2, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "cannot be opened by uid 65534 on node 2")) TH_LOG("%s", why);
	/* its own: fine */
	o.uid = 0;
	o.gid = 0;
	EXPECT_EQ(0, movecheck_files_as_user(&o, 2, why, sizeof(why))) TH_LOG("%s", why);
out:
	close(fd);
	unlink(path);
}

TEST_HARNESS_MAIN
