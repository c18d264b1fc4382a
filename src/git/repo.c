/*
 * Opening the repository and reading from it (see repo.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/common.h"
#include "git/repo.h"

/* Adds DIR to ODB as an object store of its own. */
static int add_dir(git_odb *odb, const char *dir)
{
	int rc = git_odb_add_disk_alternate(odb, dir);
	return rc < 0 ? gate_error_from_git(rc, dir) : 0;
}

/*
 * Adds each directory of LIST (colon-separated, may be NULL) to ODB; *SAME
 * (when not NULL) is set when one of them is the directory SAME_AS names.
 */
static int add_dir_list(git_odb *odb, const char *list, const struct stat *same_as, int *same)
{
	while (list && *list) {
		const char *end = strchr(list, ':');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		if (len) {
			char *dir = gate_strndup(list, len);
			struct stat st;
			int rc = dir ? add_dir(odb, dir) : GATE_ENOMEM;
			if (rc == 0 && same_as && stat(dir, &st) == 0 && st.st_dev == same_as->st_dev &&
			    st.st_ino == same_as->st_ino)
				*same = 1;
			gate_free(dir);
			if (rc < 0)
				return rc;
		}
		list = end ? end + 1 : NULL;
	}
	return 0;
}

/* Whether gate_repo_open lets libgit2 read the environment (see there). */
static int opened_from_env(void)
{
	return !getenv("GIT_WORK_TREE") && !getenv("GIT_COMMON_DIR");
}

/*
 * Adds the repository's own object store to ODB, spelled as the handle
 * gate_repo_open gave reads it: libgit2 shares a pack file's structure (its
 * mapping, its delta-base cache) between handles only when they name it by
 * the same string.  Opened from the environment with GIT_OBJECT_DIRECTORY
 * set (a quarantine), that handle has no default store: git names the
 * repository's objects in GIT_ALTERNATE_OBJECT_DIRECTORIES.  Otherwise it is
 * the common dir's "objects/" as libgit2 spells it, then those alternates.
 */
static int add_main_store(git_odb *odb, git_repository *repo)
{
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	const char *common = git_repository_commondir(repo);
	size_t len = strlen(common);
	gate_buf dir = GATE_BUF_INIT;
	struct stat own;
	int rc = 0, named = 0;

	/* libgit2's own spelling: the common dir (ending in '/') and "objects/" */
	gate_buf_printf(&dir, "%s%sobjects/", common, len && common[len - 1] == '/' ? "" : "/");
	if (dir.oom)
		return GATE_ENOMEM;
	if (objdir && *objdir && opened_from_env()) {
		/*
		 * Under a quarantine the store must be among the alternates.  If
		 * no entry is it (git quotes a path with a ':' in that list), it
		 * is added as libgit2 spells it, so old objects stay readable.
		 */
		if (stat(gate_buf_cstr(&dir), &own) < 0)
			memset(&own, 0, sizeof(own));
		rc = add_dir_list(odb, getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"), &own, &named);
		if (rc == 0 && !named)
			rc = add_dir(odb, gate_buf_cstr(&dir));
	} else {
		/*
		 * (With GIT_WORK_TREE or GIT_COMMON_DIR set, a GIT_OBJECT_DIRECTORY
		 * naming this same store by another spelling maps its packs twice:
		 * libgit2 keeps the first spelling it is given.)
		 */
		rc = add_dir(odb, gate_buf_cstr(&dir));
		if (rc == 0)
			rc = add_dir_list(odb, getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"), NULL, NULL);
	}
	gate_buf_dispose(&dir);
	return rc;
}

static int add_object_dirs(git_repository *repo)
{
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	git_odb *odb = NULL;
	int rc = git_repository_odb(&odb, repo);

	if (rc < 0)
		return gate_error_from_git(rc, "opening the object database");
	if (objdir && *objdir)
		rc = add_dir(odb, objdir);
	if (rc == 0)
		rc = add_dir_list(odb, getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"), NULL, NULL);
	git_odb_free(odb);
	return rc;
}

int gate_repo_open(git_repository **out)
{
	const char *gitdir = getenv("GIT_DIR");
	int rc;

	*out = NULL;
	if (opened_from_env()) {
		rc = git_repository_open_ext(out, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
		if (rc < 0)
			return gate_error_from_git(rc, "opening the repository");
		return 0;
	}
	rc = git_repository_open_ext(out, gitdir && *gitdir ? gitdir : ".",
				     GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0)
		return gate_error_from_git(rc, "opening the repository");
	rc = add_object_dirs(*out);
	if (rc < 0) {
		git_repository_free(*out);
		*out = NULL;
	}
	return rc;
}

int gate_repo_open_reader(git_repository **out, git_repository *repo)
{
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	git_odb *odb = NULL;
	int rc;

	*out = NULL;
	if ((rc = git_odb_new(&odb)) < 0)
		return gate_error_from_git(rc, "opening the object database");
	/* the pushed objects first (quarantine), then the repository's own */
	if (objdir && *objdir)
		rc = add_dir(odb, objdir);
	if (rc == 0)
		rc = add_main_store(odb, repo);
	if (rc == 0 && (rc = git_repository_wrap_odb(out, odb)) < 0)
		rc = gate_error_from_git(rc, "opening the object database");
	git_odb_free(odb);
	return rc;
}

int gate_repo_open_main_store(git_odb **out, git_repository *repo)
{
	int rc = git_odb_new(out);
	if (rc < 0)
		return gate_error_from_git(rc, "opening the object database");
	if ((rc = add_main_store(*out, repo)) < 0) {
		git_odb_free(*out);
		*out = NULL;
	}
	return rc;
}

int gate_repo_config(char **out, git_repository *repo, const char *key)
{
	git_config *cfg = NULL;
	git_buf buf = GIT_BUF_INIT;
	int rc;

	*out = NULL;
	rc = git_repository_config_snapshot(&cfg, repo);
	if (rc < 0)
		return gate_error_from_git(rc, "reading git config");
	rc = git_config_get_string_buf(&buf, cfg, key);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 0;
	} else if (rc < 0) {
		rc = gate_error_from_git(rc, key);
	} else {
		*out = gate_strdup(buf.ptr);
		rc = *out ? 0 : GATE_ENOMEM;
	}
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return rc;
}

int gate_repo_trusted_ref(char **out, git_repository *repo, const char *configured)
{
	git_reference *head = NULL;
	int rc, valid = 0;

	*out = NULL;
	if (configured && *configured) {
		gate_buf b = GATE_BUF_INIT;
		if (strncmp(configured, "refs/", 5))
			gate_buf_puts(&b, "refs/heads/");
		gate_buf_puts(&b, configured);
		if (b.oom)
			return GATE_ENOMEM;
		if (git_reference_name_is_valid(&valid, gate_buf_cstr(&b)) < 0 || !valid) {
			rc = gate_error_set(GATE_ECONFIG, "gatehouse.trustedRef '%.200s' is not a valid ref",
					    configured);
			gate_buf_dispose(&b);
			return rc;
		}
		*out = gate_buf_detach(&b);
		return *out ? 0 : GATE_ENOMEM;
	}
	rc = git_reference_lookup(&head, repo, "HEAD");
	if (rc < 0)
		return gate_error_from_git(rc, "reading HEAD to find the trusted branch");
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		git_reference_free(head);
		return gate_error_set(GATE_ECONFIG, "HEAD is detached: set git config "
						    "gatehouse.trustedRef to the branch holding the matrix");
	}
	*out = gate_strdup(git_reference_symbolic_target(head));
	git_reference_free(head);
	return *out ? 0 : GATE_ENOMEM;
}

int gate_repo_read_file_at(char **data, size_t *len, git_repository *repo,
			   const git_oid *commitish, const char *path, size_t max)
{
	git_object *obj = NULL, *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	*data = NULL;
	*len = 0;
	git_oid_tostr(hex, sizeof(hex), commitish);
	if ((rc = git_object_lookup(&obj, repo, commitish, GIT_OBJECT_ANY)) < 0 ||
	    (rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT)) < 0 ||
	    (rc = git_commit_tree(&tree, (git_commit *)commit)) < 0) {
		rc = gate_error_from_git(rc, hex);
		if (rc == GATE_ENOTFOUND)
			rc = GATE_EGIT; /* a missing commit is corruption, not "no file" */
		goto out;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = gate_error_set(GATE_ENOTFOUND, "%s has no %s", hex, path);
		goto out;
	}
	if (rc < 0) {
		rc = gate_error_from_git(rc, path);
		goto out;
	}
	if (git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB_EXECUTABLE) {
		rc = gate_error_set(GATE_EMATRIX, "%s at %.12s is not a regular file (symlink or "
						  "directory)", path, hex);
		goto out;
	}
	{
		/* the size from the object header first: never load an oversize pushed file */
		git_odb *odb = NULL;
		size_t size = 0;
		git_object_t type;
		if (git_repository_odb(&odb, repo) == 0 &&
		    git_odb_read_header(&size, &type, odb, git_tree_entry_id(entry)) == 0 && size > max) {
			git_odb_free(odb);
			rc = gate_error_set(GATE_EMATRIX, "%s is %zu bytes, over the limit of %zu", path,
					    size, max);
			goto out;
		}
		git_odb_free(odb);
		git_error_clear();
	}
	if ((rc = git_blob_lookup(&blob, repo, git_tree_entry_id(entry))) < 0) {
		rc = gate_error_from_git(rc, path);
		if (rc == GATE_ENOTFOUND)
			rc = GATE_EGIT;
		goto out;
	}
	if ((size_t)git_blob_rawsize(blob) > max) {
		rc = gate_error_set(GATE_EMATRIX, "%s is %lld bytes, over the limit of %zu", path,
				    (long long)git_blob_rawsize(blob), max);
		goto out;
	}
	*len = (size_t)git_blob_rawsize(blob);
	*data = gate_strndup(git_blob_rawcontent(blob), *len);
	rc = *data ? 0 : GATE_ENOMEM;
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

int gate_repo_hide_refs(git_revwalk *walk, git_repository *repo)
{
	return gate_repo_hide_refs_under(walk, repo, NULL);
}

int gate_repo_hide_refs_under(git_revwalk *walk, git_repository *repo, const char *prefix)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc = git_reference_iterator_glob_new(&it, repo, "refs/*");

	if (rc < 0)
		return gate_error_from_git(rc, "listing refs");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);
		int wanted = prefix ? !strncmp(name, prefix, strlen(prefix))
				    : !strncmp(name, "refs/heads/", 11) || !strncmp(name, "refs/tags/", 10);
		if (wanted && git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    git_revwalk_hide(walk, git_reference_target(ref)) < 0)
			git_error_clear();
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER)
		return gate_error_from_git(rc, "listing refs");
	return 0;
}
