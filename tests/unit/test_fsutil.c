/*
 * test_fsutil.c - common/fsutil.c: folders opened without following
 * symlinks or "..", files published whole or not at all (temp + rename),
 * temporary names, bounded reads that refuse symlinks, the read/write loops
 * on pipes with short transfers and EINTR, and a full disk (a 64 KB tmpfs
 * mounted here; skipped with a SKIP line unless root can mount it).
 */
#include "common/err.h"
#include "common/fsutil.h"
#include "tests/unit/test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int n_dirs;

/* A fresh folder (created) for one case. */
static void fresh_dir(char *buf, size_t size)
{
    snprintf(buf, size, "%s/fstest.%ld.%d", test_tmpdir(), (long)getpid(),
             n_dirs++);
    if (mkdir(buf, 0777) < 0)
        printf("  cannot create %s\n", buf);
}

/* Entries of folder dfd (without "." and ".."), -1 on error. */
static int count_entries(int dfd)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

/* Names in folder dfd holding ".tmp." (temporary files left behind). */
static int count_temps(int dfd)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strstr(de->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* The content of dfd/name ("" and -1 length when missing). */
static char *slurp_at(int dfd, const char *name, ssize_t *plen)
{
    static char buf[70000];
    *plen = -1;
    buf[0] = '\0';
    int fd = openat(dfd, name, O_RDONLY);
    if (fd < 0)
        return buf;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n >= 0) {
        buf[n] = '\0';
        *plen = n;
    }
    return buf;
}

static int is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- folders ---------------------------------------------------------- */

static void fs_mkdirs__nested__every_level_made(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    CHECK(fs_mkdirs(path) == 0);
    CHECK(is_dir(path));
    CHECK(fs_mkdirs(path) == 0); /* already there: fine */
    snprintf(path, sizeof path, "%s/a/b/d/", dir); /* trailing slash */
    CHECK(fs_mkdirs(path) == 0);
    snprintf(path, sizeof path, "%s/a/b/d", dir);
    CHECK(is_dir(path));
}

static void fs_mkdirs__through_a_file__error_names_folder(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/file", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/file/sub", dir);
    CHECK(fs_mkdirs(path) == -1);
    CHECK(strstr(err_get(), "create folder") != NULL);
    CHECK(strstr(err_get(), "file/sub") != NULL);
    CHECK(err_get_errno() == ENOTDIR);
    CHECK(fs_mkdirs("") == -1);
    CHECK(strstr(err_get(), "bad folder name") != NULL);
}

static void fs_open_dir__create__folder_made_and_opened(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x/y", dir);
    CHECK(fs_open_dir(path, 0) == -1); /* missing, not created */
    CHECK(strstr(err_get(), "open folder") && strstr(err_get(), "x/y"));
    int fd = fs_open_dir(path, 1);
    CHECK(fd >= 0);
    struct stat a, b;
    CHECK(fd >= 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
          a.st_ino == b.st_ino);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    if (fd >= 0)
        close(fd);
}

static void fs_open_dir__regular_file__refused(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f", dir);
    close(open(path, O_WRONLY | O_CREAT, 0666));
    CHECK(fs_open_dir(path, 0) == -1);
    CHECK(err_get_errno() == ENOTDIR);
    CHECK(fs_open_dir(path, 1) == -1);
}

static void fs_open_subdir__nested_create__inside_base(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    int base = fs_open_dir(dir, 0);
    int fd = fs_open_subdir(base, "a/b/c", 1);
    CHECK(fd >= 0);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    struct stat a, b;
    CHECK(fd >= 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
          a.st_ino == b.st_ino);
    if (fd >= 0)
        close(fd);
    /* opened again without create */
    fd = fs_open_subdir(base, "a/b", 0);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    /* "" is the base folder itself */
    fd = fs_open_subdir(base, "", 0);
    CHECK(fd >= 0 && fstat(fd, &a) == 0 && fstat(base, &b) == 0 &&
          a.st_ino == b.st_ino);
    if (fd >= 0)
        close(fd);
    /* missing and not created: error names the component */
    CHECK(fs_open_subdir(base, "a/zz", 0) == -1);
    CHECK(strstr(err_get(), "zz") != NULL);
    close(base);
}

static void fs_open_subdir__dotdot_dot_absolute__refused_nothing_made(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    int base = fs_open_dir(dir, 0);
    CHECK(fs_open_subdir(base, "..", 1) == -1);
    CHECK(strstr(err_get(), "bad component '..'") != NULL);
    CHECK(fs_open_subdir(base, "a/../../escape", 1) == -1);
    CHECK(strstr(err_get(), "refusing path") != NULL);
    CHECK(fs_open_subdir(base, "./a", 1) == -1);
    CHECK(fs_open_subdir(base, "/tmp", 1) == -1);
    CHECK(strstr(err_get(), "not a relative path") != NULL);
    char bad[] = "a/b\001c";
    CHECK(fs_open_subdir(base, bad, 1) == -1);
    /* "a/../../escape" is refused at "..", after "a" was made; nothing
     * outside the base folder is created */
    snprintf(path, sizeof path, "%s/../escape", dir);
    CHECK(!is_dir(path));
    close(base);
}

static void fs_open_subdir__symlinked_component__refused(void)
{
    char dir[600], path[800], target[800];
    fresh_dir(dir, sizeof dir);
    snprintf(target, sizeof target, "%s/real", dir);
    mkdir(target, 0777);
    snprintf(path, sizeof path, "%s/link", dir);
    CHECK(symlink("real", path) == 0);
    int base = fs_open_dir(dir, 0);
    /* a symlink is refused even when it points inside the base folder */
    CHECK(fs_open_subdir(base, "link", 0) == -1);
    CHECK(strstr(err_get(), "not a real folder") != NULL);
    CHECK(strstr(err_get(), "link") != NULL);
    CHECK(fs_open_subdir(base, "link/sub", 1) == -1);
    snprintf(path, sizeof path, "%s/real/sub", dir);
    CHECK(!is_dir(path)); /* nothing created through the symlink */
    /* a symlink deeper down, too */
    snprintf(path, sizeof path, "%s/real/up", dir);
    CHECK(symlink("/tmp", path) == 0);
    CHECK(fs_open_subdir(base, "real/up", 1) == -1);
    CHECK(strstr(err_get(), "'up'") != NULL);
    close(base);
}

/* ---- publishing ------------------------------------------------------- */

static void fs_write_at__new_name__whole_file_no_temp(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    CHECK(fs_write_at(dfd, "a.txt", "hello\n", 6, 1) == 0);
    ssize_t n;
    CHECK(strcmp(slurp_at(dfd, "a.txt", &n), "hello\n") == 0 && n == 6);
    CHECK(fs_write_at(dfd, "empty", "", 0, 0) == 0);
    slurp_at(dfd, "empty", &n);
    CHECK(n == 0);
    CHECK(count_entries(dfd) == 2);
    CHECK(count_temps(dfd) == 0);
    close(dfd);
}

static void fs_write_at__existing_target__replaced_atomically(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    CHECK(fs_write_at(dfd, "t", "old content", 11, 1) == 0);
    /* a reader that opened the old file keeps reading the old file whole:
     * the new one arrives by rename, never by rewriting in place */
    int rfd = openat(dfd, "t", O_RDONLY);
    struct stat before, after;
    CHECK(rfd >= 0 && fstat(rfd, &before) == 0);
    CHECK(fs_write_at(dfd, "t", "NEW", 3, 1) == 0);
    char buf[32] = {0};
    CHECK(rfd >= 0 && pread(rfd, buf, sizeof buf - 1, 0) == 11);
    CHECK(strcmp(buf, "old content") == 0);
    ssize_t n;
    CHECK(strcmp(slurp_at(dfd, "t", &n), "NEW") == 0);
    CHECK(fstatat(dfd, "t", &after, 0) == 0 && after.st_ino != before.st_ino);
    CHECK(count_entries(dfd) == 1);
    if (rfd >= 0)
        close(rfd);
    close(dfd);
}

static void fs_write_at__rename_fails__temp_removed_target_kept(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    /* a non-empty folder where the file should go: rename() fails */
    snprintf(path, sizeof path, "%s/busy/inner", dir);
    fs_mkdirs(path);
    int dfd = fs_open_dir(dir, 0);
    CHECK(fs_write_at(dfd, "busy", "x", 1, 1) == -1);
    CHECK(strstr(err_get(), "rename into busy") != NULL);
    CHECK(count_temps(dfd) == 0);
    CHECK(count_entries(dfd) == 1);
    snprintf(path, sizeof path, "%s/busy/inner", dir);
    CHECK(is_dir(path));
    close(dfd);
}

typedef struct {
    int fail_after; /* bytes written before failing; -1 = never fail */
    int calls;
} WriterCtx;

static int writer(FILE *fp, void *vctx)
{
    WriterCtx *c = vctx;
    c->calls++;
    for (int i = 0; i < 5000; i++) {
        if (c->fail_after >= 0 && i * 10 >= c->fail_after)
            return err_set("writer gave up at line %d", i);
        fprintf(fp, "line %04d\n", i); /* 10 bytes a line */
    }
    return 0;
}

static void fs_publish_stream_at__writer_ok__published_whole(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    WriterCtx c = {-1, 0};
    CHECK(fs_publish_stream_at(dfd, "out.txt", writer, &c) == 0);
    CHECK(c.calls == 1);
    ssize_t n;
    const char *s = slurp_at(dfd, "out.txt", &n);
    CHECK(n == 50000);
    CHECK(strncmp(s, "line 0000\n", 10) == 0);
    CHECK(strcmp(s + 49990, "line 4999\n") == 0);
    CHECK(count_entries(dfd) == 1);
    close(dfd);
}

static void fs_publish_stream_at__writer_fails__no_temp_no_target(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    /* past stdio's buffer: part of it already reached the temp file */
    WriterCtx c = {20000, 0};
    CHECK(fs_publish_stream_at(dfd, "out.txt", writer, &c) == -1);
    CHECK(strcmp(err_get(), "writer gave up at line 2000") == 0);
    CHECK(count_entries(dfd) == 0);
    /* and with an older file there: the older file stays, whole */
    CHECK(fs_write_at(dfd, "out.txt", "previous", 8, 0) == 0);
    c.fail_after = 0;
    CHECK(fs_publish_stream_at(dfd, "out.txt", writer, &c) == -1);
    ssize_t n;
    CHECK(strcmp(slurp_at(dfd, "out.txt", &n), "previous") == 0);
    CHECK(count_entries(dfd) == 1);
    close(dfd);
}

static void fs_publish_stream_at__existing_target__replaced(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    CHECK(fs_write_at(dfd, "out.txt", "previous", 8, 0) == 0);
    WriterCtx c = {-1, 0};
    CHECK(fs_publish_stream_at(dfd, "out.txt", writer, &c) == 0);
    ssize_t n;
    slurp_at(dfd, "out.txt", &n);
    CHECK(n == 50000);
    CHECK(count_entries(dfd) == 1);
    close(dfd);
}

static void fs_publish_at__finished_temp__renamed(void)
{
    char dir[600], tmp[256];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    CHECK(fs_write_at(dfd, "page.tif", "old", 3, 0) == 0);
    int fd = fs_create_temp_at(dfd, "page.tif", tmp);
    CHECK(fd >= 0);
    CHECK(fd >= 0 && write(fd, "newer", 5) == 5);
    if (fd >= 0)
        close(fd);
    CHECK(fs_publish_at(dfd, tmp, "page.tif") == 0);
    ssize_t n;
    CHECK(strcmp(slurp_at(dfd, "page.tif", &n), "newer") == 0);
    CHECK(count_entries(dfd) == 1);
    close(dfd);
}

static void fs_publish_at__cannot_rename__temp_removed(void)
{
    char dir[600], path[800], tmp[256];
    fresh_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/busy/inner", dir);
    fs_mkdirs(path);
    int dfd = fs_open_dir(dir, 0);
    int fd = fs_create_temp_at(dfd, "busy", tmp);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK(fs_publish_at(dfd, tmp, "busy") == -1);
    CHECK(strstr(err_get(), "rename into busy") != NULL);
    CHECK(count_temps(dfd) == 0);
    /* a temp file that is not there: error, nothing created */
    CHECK(fs_publish_at(dfd, ".gone.tmp.1.1", "gone") == -1);
    CHECK(faccessat(dfd, "gone", F_OK, 0) == -1);
    fs_set_sync(0);
    CHECK(fs_publish_at(dfd, ".gone.tmp.1.1", "gone") == -1);
    fs_set_sync(1);
    CHECK(count_entries(dfd) == 1);
    close(dfd);
}

static void fs_create_temp_at__name__hidden_pid_unique(void)
{
    char dir[600], a[256], b[256], want[64];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    int fa = fs_create_temp_at(dfd, "x.hocr", a);
    int fb = fs_create_temp_at(dfd, "x.hocr", b);
    CHECK(fa >= 0 && fb >= 0);
    snprintf(want, sizeof want, ".x.hocr.tmp.%ld.", (long)getpid());
    CHECK(strncmp(a, want, strlen(want)) == 0);
    CHECK(strncmp(b, want, strlen(want)) == 0);
    CHECK(strcmp(a, b) != 0);
    struct stat st;
    CHECK(fa >= 0 && fstat(fa, &st) == 0 && S_ISREG(st.st_mode) &&
          st.st_size == 0);
    CHECK(fcntl(fa, F_GETFL) & O_WRONLY);
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    /* a very long name still gives a name that fits */
    char longname[256];
    memset(longname, 'n', 250);
    longname[250] = '\0';
    int fc = fs_create_temp_at(dfd, longname, a);
    CHECK(fc >= 0);
    CHECK(strlen(a) < 256 && a[0] == '.' && strstr(a, ".tmp.") != NULL);
    if (fc >= 0)
        close(fc);
    close(dfd);
}

static void fs_create_temp_at__planted_symlink__skipped_not_followed(void)
{
    char dir[600], a[256], next[256], victim[800], *dot;
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    int fd = fs_create_temp_at(dfd, "f", a);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    /* plant a symlink under the name the next call will try first */
    dot = strrchr(a, '.');
    unsigned seq = (unsigned)strtoul(dot + 1, NULL, 10);
    snprintf(next, sizeof next, "%.*s%u", (int)(dot + 1 - a), a, seq + 1);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    CHECK(symlinkat(victim, dfd, next) == 0);
    fd = fs_create_temp_at(dfd, "f", a);
    CHECK(fd >= 0);
    CHECK(strcmp(a, next) != 0);
    CHECK(access(victim, F_OK) == -1); /* the link was not followed */
    if (fd >= 0)
        close(fd);
    close(dfd);
}

static void fs_create_temp_at__missing_folder__error_names_file(void)
{
    char dir[600], tmp[256];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    /* root ignores permissions; a removed folder refuses everyone */
    CHECK(rmdir(dir) == 0);
    CHECK(fs_create_temp_at(dfd, "out.txt", tmp) == -1);
    CHECK(strstr(err_get(), "create temporary file for out.txt") != NULL);
    CHECK(fs_write_at(dfd, "out.txt", "x", 1, 1) == -1);
    close(dfd);
}

/* ---- reading ---------------------------------------------------------- */

static void fs_read_at__small_file__content_and_length(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    fs_write_at(dfd, "k", "a=1\nb=2\n", 8, 0);
    size_t len = 99;
    char *s = fs_read_at(dfd, "k", 100, &len);
    CHECK(s && strcmp(s, "a=1\nb=2\n") == 0 && len == 8);
    free(s);
    /* exactly max bytes is allowed; plen is optional */
    s = fs_read_at(dfd, "k", 8, NULL);
    CHECK(s && strlen(s) == 8);
    free(s);
    fs_write_at(dfd, "e", "", 0, 0);
    s = fs_read_at(dfd, "e", 8, &len);
    CHECK(s && s[0] == '\0' && len == 0);
    free(s);
    close(dfd);
}

static void fs_read_at__over_max__refused(void)
{
    char dir[600];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    fs_write_at(dfd, "big", "123456789", 9, 0);
    CHECK(fs_read_at(dfd, "big", 8, NULL) == NULL);
    CHECK(strstr(err_get(), "big is not a regular file of at most 8 bytes"));
    close(dfd);
}

static void fs_read_at__symlink_or_folder__refused(void)
{
    char dir[600], path[800];
    fresh_dir(dir, sizeof dir);
    int dfd = fs_open_dir(dir, 0);
    fs_write_at(dfd, "real", "secret", 6, 0);
    CHECK(symlinkat("real", dfd, "link") == 0);
    CHECK(fs_read_at(dfd, "link", 100, NULL) == NULL);
    CHECK(strstr(err_get(), "link is a symlink; refusing to follow it"));
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0777);
    CHECK(fs_read_at(dfd, "sub", 100, NULL) == NULL);
    CHECK(strstr(err_get(), "sub is not a regular file"));
    CHECK(fs_read_at(dfd, "missing", 100, NULL) == NULL);
    CHECK(strstr(err_get(), "open missing") != NULL);
    CHECK(err_get_errno() == ENOENT);
    /* a FIFO is not read (it could block forever) */
    CHECK(mkfifoat(dfd, "fifo", 0666) == 0);
    int wfd = openat(dfd, "fifo", O_RDWR); /* so that open does not block */
    CHECK(fs_read_at(dfd, "fifo", 100, NULL) == NULL);
    if (wfd >= 0)
        close(wfd);
    close(dfd);
}

/* ---- read/write loops ------------------------------------------------- */

static volatile sig_atomic_t n_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    n_alarms++;
}

/* SIGALRM every ms without SA_RESTART: blocking reads and writes are
 * cut short (partial counts) or fail with EINTR. */
static void interrupts_on(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void interrupts_off(void)
{
    struct itimerval it = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    /* an alarm still pending (valgrind delivers them late) must not meet
     * the default action, which ends the process: SIG_IGN discards it */
    signal(SIGALRM, SIG_IGN);
}

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 13);
}

static void fs_write_full__pipe_slow_reader__every_byte_in_order(void)
{
    enum { N = 1 << 20 }; /* 16 times a pipe's buffer */
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* the reader: small reads, a pause every 32 (so that the writer
         * waits on a full pipe for milliseconds, whatever the machine's
         * speed: it once wrote all before the first 1 ms alarm), checks
         * the pattern, exits 0 if whole */
        close(p[1]);
        size_t got = 0;
        unsigned char buf[3000];
        int bad = 0;
        for (int n = 1;; n++) {
            if (n % 32 == 0)
                usleep(300);
            ssize_t r = read(p[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            for (ssize_t i = 0; i < r; i++)
                bad |= buf[i] != pattern_byte(got + (size_t)i);
            got += (size_t)r;
        }
        _exit(bad ? 2 : got == N ? 0 : 3);
    }
    close(p[0]);
    unsigned char *data = malloc(N);
    for (size_t i = 0; i < N; i++)
        data[i] = pattern_byte(i);
    n_alarms = 0;
    interrupts_on();
    int rc = fs_write_full(p[1], data, N);
    interrupts_off();
    CHECK(rc == 0);
    CHECK(n_alarms > 0); /* the writes really were interrupted */
    close(p[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(data);
}

static void fs_read_full__pipe_in_pieces__whole_then_short_at_eof(void)
{
    enum { N = 300000 };
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* the writer: uneven pieces with pauses, then closes */
        close(p[0]);
        unsigned char buf[7000];
        size_t sent = 0;
        for (int k = 0; sent < N; k++) {
            size_t n = (size_t)(1 + (k * 997) % 7000);
            if (n > N - sent)
                n = N - sent;
            for (size_t i = 0; i < n; i++)
                buf[i] = pattern_byte(sent + i);
            if (fs_write_full(p[1], buf, n) < 0)
                _exit(2);
            sent += n;
            if (k % 16 == 0)
                usleep(1000);
        }
        _exit(0);
    }
    close(p[1]);
    unsigned char *buf = malloc(N + 100);
    n_alarms = 0;
    interrupts_on();
    ssize_t first = fs_read_full(p[0], buf, 200000);
    ssize_t rest = fs_read_full(p[0], buf + 200000, 100100);
    unsigned char more[10];
    ssize_t after = fs_read_full(p[0], more, sizeof more);
    interrupts_off();
    CHECK(first == 200000);    /* all that was asked for */
    CHECK(rest == N - 200000); /* fewer: the writer closed */
    CHECK(after == 0);
    CHECK(n_alarms > 0);
    int bad = 0;
    for (size_t i = 0; i < (size_t)N; i++)
        bad |= buf[i] != pattern_byte(i);
    CHECK(!bad);
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    free(buf);
}

static void fs_write_full__reader_gone__epipe(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    close(p[0]);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old);
    errno = 0;
    CHECK(fs_write_full(p[1], "abc", 3) == -1);
    CHECK(errno == EPIPE);
    sigaction(SIGPIPE, &old, NULL);
    close(p[1]);
    /* a bad fd: -1 with errno, no loop */
    CHECK(fs_read_full(-1, (char[4]){0}, 4) == -1 && errno == EBADF);
    CHECK(fs_write_full(-1, "x", 1) == -1 && errno == EBADF);
}

/* ---- a full disk ------------------------------------------------------ */

/* Mount a 64 KB tmpfs on a fresh folder dir; 0, or -1 after printing a
 * SKIP line for case (not root, or no mount allowed here). */
static int mount_tiny(char *dir, size_t size, const char *name)
{
    fresh_dir(dir, size);
    if (geteuid() != 0 ||
        mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0777") != 0) {
        printf("SKIP %s (needs root and a tmpfs mount)\n", name);
        return -1;
    }
    return 0;
}

/* Fill the tiny tmpfs at dfd: "page.txt" (old content) and a ballast that
 * leaves one 4 KB page free. */
static void fill_tiny(int dfd)
{
    static char ballast[56 * 1024];
    memset(ballast, 'b', sizeof ballast);
    CHECK(fs_write_at(dfd, "page.txt", "old page\n", 9, 1) == 0);
    CHECK(fs_write_at(dfd, "ballast", ballast, sizeof ballast, 1) == 0);
}

static void fs_publish__full_filesystem__enospc_nothing_left(void)
{
    char dir[600];
    if (mount_tiny(dir, sizeof dir, __func__) < 0)
        return;
    int dfd = fs_open_dir(dir, 0);
    fill_tiny(dfd);
    static char big[32 * 1024];
    memset(big, 'x', sizeof big);

    /* fs_write_at: ENOSPC, the old file whole, no temp */
    CHECK(fs_write_at(dfd, "page.txt", big, sizeof big, 1) == -1);
    CHECK(err_get_errno() == ENOSPC);
    CHECK(strstr(err_get(), "page.txt") != NULL);
    ssize_t n;
    CHECK(strcmp(slurp_at(dfd, "page.txt", &n), "old page\n") == 0);
    CHECK(count_temps(dfd) == 0);
    CHECK(fs_write_at(dfd, "new.txt", big, sizeof big, 1) == -1);
    CHECK(err_get_errno() == ENOSPC);
    CHECK(faccessat(dfd, "new.txt", F_OK, 0) == -1);

    /* fs_publish_stream_at: the writer succeeds, the flush does not */
    WriterCtx c = {-1, 0};
    CHECK(fs_publish_stream_at(dfd, "page.txt", writer, &c) == -1);
    CHECK(err_get_errno() == ENOSPC);
    CHECK(strcmp(slurp_at(dfd, "page.txt", &n), "old page\n") == 0);
    CHECK(fs_publish_stream_at(dfd, "new.hocr", writer, &c) == -1);
    CHECK(err_get_errno() == ENOSPC);
    CHECK(faccessat(dfd, "new.hocr", F_OK, 0) == -1);
    CHECK(count_temps(dfd) == 0);
    CHECK(count_entries(dfd) == 2); /* page.txt, ballast */

    /* once there is room again, the same publish goes through */
    CHECK(unlinkat(dfd, "ballast", 0) == 0);
    CHECK(fs_publish_stream_at(dfd, "page.txt", writer, &c) == 0);
    slurp_at(dfd, "page.txt", &n);
    CHECK(n == 50000);
    close(dfd);
    CHECK(umount(dir) == 0);
}

typedef struct {
    int dfd;
} FreeingCtx;

/* Writes 50000 bytes, the middle of which cannot reach the full disk,
 * then (as another process might) frees the space and returns 0 without
 * looking at ferror(): the publish must still not happen. */
static int writer_space_freed(FILE *fp, void *vctx)
{
    FreeingCtx *c = vctx;
    for (int i = 0; i < 5000; i++)
        fprintf(fp, "line %04d\n", i);
    unlinkat(c->dfd, "ballast", 0);
    return 0;
}

static void fs_publish_stream_at__write_lost_then_space_freed__refused(void)
{
    char dir[600];
    if (mount_tiny(dir, sizeof dir, __func__) < 0)
        return;
    int dfd = fs_open_dir(dir, 0);
    fill_tiny(dfd);
    FreeingCtx c = {dfd};
    /* stdio dropped the bytes of the failed write(); the final fflush
     * succeeds (room again), so only ferror() tells the file is not whole */
    CHECK(fs_publish_stream_at(dfd, "page.txt", writer_space_freed, &c) ==
          -1);
    CHECK(strstr(err_get(), "write page.txt") != NULL);
    CHECK(err_get_errno() == ENOSPC); /* left by the failed write() */
    ssize_t n;
    const char *got = slurp_at(dfd, "page.txt", &n);
    CHECK(strcmp(got, "old page\n") == 0);
    if (strcmp(got, "old page\n"))
        printf("  published %zd bytes of 50000\n", n);
    CHECK(count_temps(dfd) == 0);
    close(dfd);
    CHECK(umount(dir) == 0);
}

static void check_rel(const char *target, const char *dir, const char *want)
{
    char *got = fs_path_relative(target, dir);
    CHECK(got && !strcmp(got, want));
    if (!got || strcmp(got, want))
        printf("  %s from %s: got '%s', want '%s'\n", target, dir,
               got ? got : "(null)", want);
    free(got);
}

static void fs_path_normalise__slashes_dots_dotdot__plain_absolute(void)
{
    char *p = fs_path_normalise("/jobs/../scans//box02/./form.tif");
    CHECK(p && !strcmp(p, "/scans/box02/form.tif"));
    free(p);
    p = fs_path_normalise("/../a/");
    CHECK(p && !strcmp(p, "/a"));
    free(p);
    char cwd[4096], want[4200];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(want, sizeof want, "%s/x", strcmp(cwd, "/") ? cwd : "");
    p = fs_path_normalise("y/../x");
    CHECK(p && !strcmp(p, want));
    free(p);
}

static void fs_path_relative__various__from_the_folder(void)
{
    check_rel("/jobs/../scans//box02/form.tif", "/jobs/out/box02",
              "../../../scans/box02/form.tif");
    check_rel("/a/b/c.png", "/a/b", "c.png");
    check_rel("/a/b/c.png", "/a/bb", "../b/c.png");
    check_rel("/a/bb/c.png", "/a/b/", "../bb/c.png");
    check_rel("/a/b/c.png", "/", "a/b/c.png");
    check_rel("/a/b", "/a/b", ".");
    check_rel("/a", "/a/b/c", "../..");
}

int main(void)
{
    RUN(fs_path_normalise__slashes_dots_dotdot__plain_absolute);
    RUN(fs_path_relative__various__from_the_folder);
    fs_set_sync(1);
    RUN(fs_mkdirs__nested__every_level_made);
    RUN(fs_mkdirs__through_a_file__error_names_folder);
    RUN(fs_open_dir__create__folder_made_and_opened);
    RUN(fs_open_dir__regular_file__refused);
    RUN(fs_open_subdir__nested_create__inside_base);
    RUN(fs_open_subdir__dotdot_dot_absolute__refused_nothing_made);
    RUN(fs_open_subdir__symlinked_component__refused);
    RUN(fs_write_at__new_name__whole_file_no_temp);
    RUN(fs_write_at__existing_target__replaced_atomically);
    RUN(fs_write_at__rename_fails__temp_removed_target_kept);
    RUN(fs_publish_stream_at__writer_ok__published_whole);
    RUN(fs_publish_stream_at__writer_fails__no_temp_no_target);
    RUN(fs_publish_stream_at__existing_target__replaced);
    RUN(fs_publish_at__finished_temp__renamed);
    RUN(fs_publish_at__cannot_rename__temp_removed);
    RUN(fs_create_temp_at__name__hidden_pid_unique);
    RUN(fs_create_temp_at__planted_symlink__skipped_not_followed);
    RUN(fs_create_temp_at__missing_folder__error_names_file);
    RUN(fs_read_at__small_file__content_and_length);
    RUN(fs_read_at__over_max__refused);
    RUN(fs_read_at__symlink_or_folder__refused);
    RUN(fs_write_full__pipe_slow_reader__every_byte_in_order);
    RUN(fs_read_full__pipe_in_pieces__whole_then_short_at_eof);
    RUN(fs_write_full__reader_gone__epipe);
    RUN(fs_publish__full_filesystem__enospc_nothing_left);
    RUN(fs_publish_stream_at__write_lost_then_space_freed__refused);
    TEST_EXIT();
}
