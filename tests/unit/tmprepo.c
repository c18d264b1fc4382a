/*
 * Throwaway bare repositories for the unit suites (see tmprepo.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmprepo.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tmprepo_up(char *dir, git_repository **repo)
{
	git_libgit2_init();
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	cr_assert_eq(git_repository_init(repo, dir, 1), 0);
}

void tmprepo_down(const char *dir, git_repository **repo)
{
	git_repository_free(*repo);
	*repo = NULL;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	git_libgit2_shutdown();
}
