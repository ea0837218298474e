/*
 * fsutil.c - folders without symlinks, files by temp + rename (fsutil.h).
 */
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"

static int sync_on = 1;

void fs_set_sync(int on) { sync_on = on != 0; }

int fs_sync_enabled(void) { return sync_on; }

int fs_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return err_set("bad folder name '%s'", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return err_set_errno("create folder %s", buf);
        *p = '/';
    }
    if (mkdir(buf, 0777) < 0 && errno != EEXIST)
        return err_set_errno("create folder %s", buf);
    return 0;
}

int fs_open_dir(const char *path, int create)
{
    if (create && fs_mkdirs(path) < 0)
        return -1;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set_errno("open folder %s", path);
    return fd;
}

int fs_component_ok(const char *c, size_t n)
{
    if (n == 0 || (n == 1 && c[0] == '.') ||
        (n == 2 && c[0] == '.' && c[1] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (c[i] == '/' || (unsigned char)c[i] < 0x20 || c[i] == 0x7f)
            return 0;
    return 1;
}

/**
 * Open a folder below dfd one component at a time, refusing symlinks.
 *
 * @param[in] dfd     base folder (not closed)
 * @param[in] rel     relative path "a/b/c"; "" opens dfd again
 * @param[in] create  1 = create missing components
 * @return new fd, or -1 (message names the component)
 *
 * Notes:
 *   (1) ".." and "." components and absolute paths are refused, so the
 *       result is always inside dfd.
 */
int fs_open_subdir(int dfd, const char *rel, int create)
{
    int cur = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0)
        return err_set_errno("open folder");
    const char *p = rel;
    if (*p == '/') {
        close(cur);
        return err_set("'%s' is not a relative path", rel);
    }
    while (*p) {
        size_t n = strcspn(p, "/");
        char comp[256];
        if (!fs_component_ok(p, n) || n >= sizeof comp) {
            close(cur);
            return err_set("refusing path '%s': bad component '%.*s'", rel,
                           (int)n, p);
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (create && mkdirat(cur, comp, 0777) < 0 && errno != EEXIST) {
            err_set_errno("create folder %s (in %s)", comp, rel);
            close(cur);
            return -1;
        }
        int next = openat(cur, comp,
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            if (errno == ELOOP || errno == ENOTDIR)
                err_set("refusing '%s' in %s: not a real folder (symlink?)",
                        comp, rel);
            else
                err_set_errno("open folder %s (in %s)", comp, rel);
            close(cur);
            return -1;
        }
        close(cur);
        cur = next;
        p += n;
        while (*p == '/')
            p++;
    }
    return cur;
}

/**
 * Read up to n bytes from fd, going on after short reads and EINTR.
 *
 * @param[in]  fd   open file
 * @param[out] buf  room for n bytes
 * @param[in]  n    bytes wanted
 * @return the bytes read (n, or fewer at end of file), or -1 with errno set
 *         (no message: callers add the context)
 */
ssize_t fs_read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/**
 * Write all n bytes to fd, going on after short writes and EINTR.
 *
 * @param[in] fd   open file or pipe
 * @param[in] buf  bytes to write
 * @param[in] n    their count
 * @return 0, or -1 with errno set (no message: callers add the context)
 */
int fs_write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int fs_create_temp_at(int dfd, const char *name, char *tmpname)
{
    static unsigned seq;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(tmpname, 256, ".%.180s.tmp.%ld.%u", name, (long)getpid(),
                 seq++);
        int fd = openat(dfd, tmpname,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            return err_set_errno("create temporary file for %s", name);
    }
    return err_set("create temporary file for %s: too many tries", name);
}

/**
 * Publish a file atomically: temp file in the same folder, then rename.
 *
 * @param[in] dfd   folder
 * @param[in] name  final plain name
 * @param[in] data  bytes to write
 * @param[in] n     their count
 * @param[in] sync  1 = fsync the file before the rename
 * @return 0, or -1 (temp file removed)
 */
int fs_write_at(int dfd, const char *name, const void *data, size_t n,
                int sync)
{
    char tmp[256];
    int fd = fs_create_temp_at(dfd, name, tmp);
    if (fd < 0)
        return -1;
    if (fs_write_full(fd, data, n) < 0) {
        err_set_errno("write %s", name);
        goto fail;
    }
    if (sync && fs_sync_enabled() && fsync(fd) < 0) {
        err_set_errno("fsync %s", name);
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        err_set_errno("close %s", name);
        goto fail;
    }
    fd = -1;
    if (renameat(dfd, tmp, dfd, name) < 0) {
        err_set_errno("rename into %s", name);
        goto fail;
    }
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlinkat(dfd, tmp, 0);
    return -1;
}

/**
 * Publish a finished temporary file: fsync it (when on), then rename it.
 *
 * @param[in] dfd   folder of both names
 * @param[in] tmp   the temporary file (from fs_create_temp_at), closed or not
 * @param[in] name  the final plain name
 * @return 0, or -1 (the temporary file is removed)
 */
int fs_publish_at(int dfd, const char *tmp, const char *name)
{
    if (fs_sync_enabled()) {
        int fd = openat(dfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0) {
            err_set_errno("fsync %s", tmp);
            if (fd >= 0)
                close(fd);
            unlinkat(dfd, tmp, 0);
            return -1;
        }
        close(fd);
    }
    if (renameat(dfd, tmp, dfd, name) < 0) {
        err_set_errno("rename into %s", name);
        unlinkat(dfd, tmp, 0);
        return -1;
    }
    return 0;
}

/**
 * Publish dfd/name from a writer on a FILE*, whole or not at all.
 *
 * @param[in] dfd    folder
 * @param[in] name   final plain name
 * @param[in] write  writes the content; 0, or -1 with the message set
 * @param[in] ctx    passed to write
 * @return 0, or -1 (the temporary file is removed)
 *
 * Notes:
 *   (1) A write error anywhere in the stream (ferror) refuses the publish,
 *       even when write returned 0 and the final flush went through.
 */
int fs_publish_stream_at(int dfd, const char *name,
                         int (*write)(FILE *fp, void *ctx), void *ctx)
{
    char tmp[256];
    int fd = fs_create_temp_at(dfd, name, tmp);
    if (fd < 0)
        return -1;
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlinkat(dfd, tmp, 0);
        return err_set_errno("%s", name);
    }
    int rc = write(fp, ctx);
    /* stdio drops the bytes of a failed write(); a later fflush can then
     * succeed (space freed meanwhile), so only ferror() tells */
    if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
        rc = err_set_errno("write %s", name);
    if (rc == 0 && fs_sync_enabled() && fsync(fileno(fp)) != 0)
        rc = err_set_errno("fsync %s", name);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_set_errno("close %s", name);
    if (rc == 0 && renameat(dfd, tmp, dfd, name) != 0)
        rc = err_set_errno("rename into %s", name);
    if (rc != 0)
        unlinkat(dfd, tmp, 0);
    return rc;
}

char *fs_read_at(int dfd, const char *name, size_t max, size_t *plen)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP)
            err_set("%s is a symlink; refusing to follow it", name);
        else
            err_set_errno("open %s", name);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > max) {
        close(fd);
        err_set("%s is not a regular file of at most %zu bytes", name, max);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        err_set("out of memory");
        return NULL;
    }
    ssize_t r = fs_read_full(fd, buf, (size_t)st.st_size);
    size_t got = r > 0 ? (size_t)r : 0;
    close(fd);
    buf[got] = '\0';
    if (plen)
        *plen = got;
    return buf;
}

/**
 * Make path absolute and normalise it by its text (fsutil.h).
 *
 * @param[in] path  a path, relative to the current folder or absolute
 * @return "/a/b" (malloc'ed), or NULL (message set)
 */
char *fs_path_normalise(const char *path)
{
    char cwd[4096] = "";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) {
        err_set_errno("current folder");
        return NULL;
    }
    size_t n = strlen(cwd) + strlen(path) + 3;
    char *in = malloc(n), *out = malloc(n);
    if (!in || !out) {
        free(in);
        free(out);
        err_set("out of memory");
        return NULL;
    }
    snprintf(in, n, "%s/%s", cwd, path);
    size_t len = 0; /* out holds "/a/b" without a trailing slash */
    for (char *c = in; *c;) {
        while (*c == '/')
            c++;
        size_t cl = strcspn(c, "/");
        if (cl == 0)
            break;
        if (cl == 1 && c[0] == '.') {
            /* nothing */
        } else if (cl == 2 && c[0] == '.' && c[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* the slash before it */
        } else {
            out[len++] = '/';
            memcpy(out + len, c, cl);
            len += cl;
        }
        c += cl;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    free(in);
    return out;
}

/**
 * The path of target relative to folder from_dir (fsutil.h).
 *
 * @param[in] target    a file's path (relative to the current folder or
 *                      absolute)
 * @param[in] from_dir  a folder's path (likewise)
 * @return "../x/file.png" or "file.png" (malloc'ed), or NULL (message set)
 */
char *fs_path_relative(const char *target, const char *from_dir)
{
    char *t = fs_path_normalise(target), *d = fs_path_normalise(from_dir);
    char *r = NULL;
    if (!t || !d)
        goto out;
    /* the longest common run of whole components */
    size_t common = 0;
    if (!strcmp(d, "/"))
        d[0] = '\0'; /* the root: no component */
    for (size_t i = 0;; i++) {
        if ((d[i] == '\0' || d[i] == '/') && (t[i] == '/' || !t[i]))
            common = i;
        if (!d[i] || d[i] != t[i])
            break;
    }
    int ups = 0;
    for (const char *c = d + common; *c; c++)
        ups += *c == '/';
    const char *rest = t + common + (t[common] == '/');
    size_t n = 3 * (size_t)ups + strlen(rest) + 2;
    if (!(r = malloc(n))) {
        err_set("out of memory");
        goto out;
    }
    r[0] = '\0';
    for (int k = 0; k < ups; k++)
        strcat(r, k + 1 < ups || *rest ? "../" : "..");
    strcat(r, *rest ? rest : (ups ? "" : "."));
out:
    free(t);
    free(d);
    return r;
}
