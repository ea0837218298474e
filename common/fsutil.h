/*
 * fsutil.h - the file-system moves the pipeline relies on: folders opened
 * without following symlinks, files published by temp + rename.
 *
 * Files (prefix fs_): fsutil.c.
 *
 * Design: everything the pipeline writes (spool, outputs) is reached through
 * a directory fd and single path components opened with O_NOFOLLOW, so a
 * symlink or a ".." planted in the spool or the output tree makes the call
 * fail instead of writing elsewhere. A published file is written under a
 * unique temporary name in the same folder, optionally fsync'ed, and renamed
 * into place: readers see the old file or the whole new one, never a part.
 */
#ifndef INKPIPE_FSUTIL_H
#define INKPIPE_FSUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* mkdir -p (mode 0777 & ~umask). Returns 0 or -1. */
int fs_mkdirs(const char *path);

/* Open folder path (created when create) as a directory fd. Returns fd or
 * -1. */
int fs_open_dir(const char *path, int create);

/* Open dfd/rel, a relative folder path of plain components ("a/b/c"; no
 * "..", ".", empty components, leading "/"), one component at a time with
 * O_NOFOLLOW; created when create. Returns fd or -1. */
int fs_open_subdir(int dfd, const char *rel, int create);

/* Write data to dfd/name by temp file + rename; fsync when sync.
 * Returns 0 or -1. */
int fs_write_at(int dfd, const char *name, const void *data, size_t n,
                int sync);

/* Create a fresh empty temporary file in dfd (O_EXCL, O_NOFOLLOW), named
 * after name; its name goes to tmpname (size >= 256). Returns fd or -1. */
int fs_create_temp_at(int dfd, const char *name, char *tmpname);

/* Read up to n bytes (short reads and EINTR retried); the count read (less
 * than n only at end of file), or -1 with errno. */
ssize_t fs_read_full(int fd, void *buf, size_t n);

/* Write all n bytes (short writes and EINTR retried); 0, or -1 with errno. */
int fs_write_full(int fd, const void *buf, size_t n);

/* Read regular file dfd/name (not a symlink) of at most max bytes; the
 * result is NUL-terminated (caller frees). NULL on error. */
char *fs_read_at(int dfd, const char *name, size_t max, size_t *plen);

/* 1 if component is a plain name usable in a path: no '/', not "." or "..",
 * not empty, no control characters. */
int fs_component_ok(const char *component, size_t n);

/* Whether fsync is on ($INKPIPE_FSYNC=0 turns it off, for tests on slow
 * disks). */
int fs_sync_enabled(void);

/* Publish dfd/name from a writer on a FILE*: temporary file, write,
 * fflush, fsync (when on), close, rename; the temporary file is removed on
 * any failure. write returns 0 or -1 (message set). Returns 0 or -1. */
int fs_publish_stream_at(int dfd, const char *name,
                         int (*write)(FILE *fp, void *ctx), void *ctx);
/* fsync (when on) the finished temporary file dfd/tmp, then rename it to
 * dfd/name; the temporary file is removed on failure. Returns 0 or -1. */
int fs_publish_at(int dfd, const char *tmp, const char *name);
/* path made absolute (against the current folder) and normalised by its
 * text: no "//", no "." component, "x/.." removed (".." above "/" stays
 * "/"); symlinks are not looked at. Caller frees; NULL on error. */
char *fs_path_normalise(const char *path);
/* The path of target seen from folder from_dir (both normalised first, see
 * fs_path_normalise): "../scans/a.png". Caller frees; NULL on error. */
char *fs_path_relative(const char *target, const char *from_dir);
/* Turn fsync on (1, the default) or off (0; tests on slow disks). Process-
 * wide; the command line sets it from INKPIPE_FSYNC. */
void fs_set_sync(int on);

#endif
