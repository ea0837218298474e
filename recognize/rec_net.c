/*
 * rec_net.c - RecNet: architecture strings, create/destroy, scratch arena,
 * model files (load/save), the seeded PRNG.
 *
 * Architecture grammar: comma-separated tokens, input 1 x 32 x 32:
 *   cN    conv 3x3, pad 1, N maps, + ReLU
 *   cNb   conv 3x3 + batch norm + ReLU (the norm is folded into the conv
 *         weights by rec_net_save, so a loaded net runs plain convs)
 *   p     max-pool 2x2, stride 2
 *   dP    dropout with probability P (0 <= P < 1) during training
 *   fN    dense N + ReLU; the last token must be f62 (logits -> softmax)
 * Default: REC_ARCH_DEFAULT (recognize.h).
 *
 * Model file (all fields little-endian, fixed width):
 *   "INKPCNN\0"  u32 version (1)  u32 flags (0)  u32 input size (32)
 *   u32 nclasses  nclasses bytes (class chars)
 *   f32 norm_mean  f32 norm_scale            input -> (x - mean) * scale
 *   u32 len + arch string   u32 len + metadata string (free text)
 *   u32 ntensors, then per tensor: u32 count + count x f32
 *     (W then b of each conv and dense layer, in order)
 *   u64 total file size   u32 CRC-32 (zlib) of every byte before it
 * Saving writes a temporary file and renames it over the target, so a
 * reader never sees half a model.
 *
 * Ownership: a RecNet owns its parameters, metadata and scratch; one net
 * per thread.
 */
#include "recognize/rec_net_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/binio.h"
#include "common/err.h"
#include "common/rng.h"

#define REC_MAGIC "INKPCNN"
#define REC_VERSION 1u

/* ---- architecture ----------------------------------------------------- */

static RecLayer *add_layer(RecNet *net, RecLayerType t, int c, int h, int w)
{
    if (net->nl >= REC__MAX_LAYERS) {
        err_set("architecture \"%s\": more than %d layers", net->arch,
                REC__MAX_LAYERS);
        return NULL;
    }
    RecLayer *l = &net->l[net->nl++];
    memset(l, 0, sizeof *l);
    l->type = t;
    l->cin = l->cout = c;
    l->hin = l->hout = h;
    l->win = l->wout = w;
    l->w_off = l->b_off = l->s_off = -1;
    return l;
}

/* At most this many parameters in a net (256 MB of floats), so that no
 * product overflows and a crafted model cannot ask for absurd memory. */
#define REC_MAX_PARAMS ((size_t)1 << 26)

static int add_params(RecNet *net, RecLayer *l, int64_t nw, int64_t nb)
{
    if (nw < 0 || nb < 0 || (size_t)(nw + nb) > REC_MAX_PARAMS - net->nparams)
        return err_set("architecture \"%s\": more than %zu parameters",
                       net->arch, REC_MAX_PARAMS);
    l->nw = nw;
    l->nb = nb;
    l->w_off = (ptrdiff_t)net->nparams;
    net->nparams += (size_t)nw;
    l->b_off = (ptrdiff_t)net->nparams;
    net->nparams += (size_t)nb;
    return 0;
}

/* Parse arch into net->l; shapes and parameter offsets only. */
static int arch_parse(RecNet *net, const char *arch)
{
    int c = 1, h = REC_INPUT_SIZE, w = REC_INPUT_SIZE;
    const char *s = arch;
    int col = 1;
    if (strlen(arch) >= REC__ARCH_MAX)
        return err_set("architecture string longer than %d characters",
                       REC__ARCH_MAX - 1);
    snprintf(net->arch, sizeof net->arch, "%s", arch);
    while (*s) {
        const char *tok = s;
        size_t len = strcspn(s, ",");
        char buf[64];
        char *end;
        int last = s[len] == '\0';
        if (len == 0 || len >= sizeof buf)
            return err_set("architecture \"%s\", column %d: empty or overlong "
                           "layer token", arch, col);
        memcpy(buf, tok, len);
        buf[len] = '\0';
        if (buf[0] == 'c') {
            long n = strtol(buf + 1, &end, 10);
            int bn = 0;
            if (*end == 'b') {
                bn = 1;
                end++;
            }
            if (end == buf + 1 || *end || n < 1 || n > 4096)
                return err_set("architecture \"%s\", column %d: bad conv "
                               "token \"%s\" (want cN or cNb, 1 <= N <= 4096)",
                               arch, col, buf);
            if (h == 1 && w == 1 && c != 1)
                return err_set("architecture \"%s\", column %d: conv after "
                               "dense layer", arch, col);
            RecLayer *l = add_layer(net, REC__CONV, c, h, w);
            if (!l)
                return -1;
            l->cout = (int)n;
            if (add_params(net, l, (int64_t)n * c * 9, n) < 0)
                return -1;
            c = (int)n;
            if (bn) {
                l = add_layer(net, REC__BN, c, h, w);
                if (!l)
                    return -1;
                if (add_params(net, l, c, c) < 0)
                    return -1;
                l->s_off = (ptrdiff_t)net->nstats;
                net->nstats += 2 * (size_t)c;
            }
            if (!add_layer(net, REC__RELU, c, h, w))
                return -1;
        } else if (buf[0] == 'p' && len == 1) {
            if (h < 2 || w < 2 || h % 2 || w % 2)
                return err_set("architecture \"%s\", column %d: cannot pool "
                               "a %dx%d map", arch, col, w, h);
            RecLayer *l = add_layer(net, REC__POOL, c, h, w);
            if (!l)
                return -1;
            h /= 2;
            w /= 2;
            l->hout = h;
            l->wout = w;
        } else if (buf[0] == 'd') {
            double p = strtod(buf + 1, &end);
            if (end == buf + 1 || *end || !(p >= 0.0 && p < 1.0))
                return err_set("architecture \"%s\", column %d: bad dropout "
                               "token \"%s\" (want dP, 0 <= P < 1)",
                               arch, col, buf);
            RecLayer *l = add_layer(net, REC__DROP, c, h, w);
            if (!l)
                return -1;
            l->p = (float)p;
        } else if (buf[0] == 'f') {
            long n = strtol(buf + 1, &end, 10);
            if (end == buf + 1 || *end || n < 1 || n > 65536)
                return err_set("architecture \"%s\", column %d: bad dense "
                               "token \"%s\" (want fN)", arch, col, buf);
            if (h * w > 1) {
                RecLayer *l = add_layer(net, REC__FLAT, c, h, w);
                if (!l)
                    return -1;
                c = c * h * w;
                h = w = 1;
                l->cout = c;
                l->hout = l->wout = 1;
            }
            RecLayer *l = add_layer(net, REC__DENSE, c, 1, 1);
            if (!l)
                return -1;
            l->cout = (int)n;
            if (add_params(net, l, (int64_t)n * c, n) < 0)
                return -1;
            c = (int)n;
            if (!last && !add_layer(net, REC__RELU, c, 1, 1))
                return -1;
            if (last && n != REC_NCLASSES)
                return err_set("architecture \"%s\": the last layer must be "
                               "f%d (one logit per class), not \"%s\"",
                               arch, REC_NCLASSES, buf);
        } else {
            return err_set("architecture \"%s\", column %d: unknown layer "
                           "token \"%s\" (want cN, cNb, p, dP or fN)",
                           arch, col, buf);
        }
        s += len;
        col += (int)len + 1;
        if (*s == ',') {
            s++;
            if (!*s)
                return err_set("architecture \"%s\": trailing comma", arch);
        }
    }
    if (net->nl == 0 || net->l[net->nl - 1].type != REC__DENSE)
        return err_set("architecture \"%s\": must end with f%d", arch,
                       REC_NCLASSES);
    return 0;
}

static RecNet *net_alloc(const char *arch)
{
    RecNet *net = calloc(1, sizeof *net);
    if (!net) {
        err_set("out of memory");
        return NULL;
    }
    net->norm_mean = 0.0f;
    net->norm_scale = 1.0f;
    if (arch_parse(net, arch) < 0)
        goto fail;
    size_t np = net->nparams ? net->nparams : 1;
    /* gradients and optimiser moments come with the first training
     * reserve (rec__net_reserve), so inference nets do not carry them */
    net->params = calloc(np, sizeof(float));
    net->stats = calloc(net->nstats ? net->nstats : 1, sizeof(float));
    if (!net->params || !net->stats) {
        err_set("out of memory for %zu parameters", net->nparams);
        goto fail;
    }
    return net;
fail:
    rec_net_destroy(&net);
    return NULL;
}

/**
 * Create a new net with freshly initialised weights.
 *
 * @param[in] arch  [optional] architecture string (grammar in the file
 *                  header); NULL or "" = REC_ARCH_DEFAULT
 * @param[in] seed  seeds the He-normal weight initialisation
 * @return new net (caller owns; rec_net_destroy()), or NULL on a bad
 *         architecture (message names the token and column)
 *
 * Notes:
 *   (1) Conv/dense weights ~ N(0, 2/fan_in) (He), the last dense layer
 *       N(0, 1/fan_in); biases 0; batch norm gamma 1, beta 0, running
 *       mean 0, variance 1.
 */
RecNet *rec_net_create(const char *arch, uint64_t seed)
{
    if (!arch || !*arch)
        arch = REC_ARCH_DEFAULT;
    RecNet *net = net_alloc(arch);
    if (!net)
        return NULL;
    Rng rng;
    rng_seed(&rng, seed);
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        float *w = l->w_off >= 0 ? net->params + l->w_off : NULL;
        if (l->type == REC__CONV || l->type == REC__DENSE) {
            int fan_in = l->type == REC__CONV ? l->cin * 9 : l->cin;
            float sd = sqrtf((i == net->nl - 1 ? 1.0f : 2.0f) / (float)fan_in);
            for (int k = 0; k < l->nw; k++)
                w[k] = sd * (float)rng_normal_d(&rng);
        } else if (l->type == REC__BN) {
            for (int k = 0; k < l->nw; k++)
                w[k] = 1.0f;
            for (int k = 0; k < l->cout; k++)
                net->stats[l->s_off + l->cout + k] = 1.0f;
        }
    }
    return net;
}

/**
 * Free a net and set *pnet to NULL; NULL or *pnet NULL is a no-op.
 */
void rec_net_destroy(RecNet **pnet)
{
    if (!pnet || !*pnet)
        return;
    RecNet *net = *pnet;
    free(net->params);
    free(net->grads);
    free(net->adam_m);
    free(net->adam_v);
    free(net->stats);
    free(net->arena);
    free(net->meta);
    rec__quant_free(net);
    free(net);
    *pnet = NULL;
}

/**
 * Make the scratch buffers hold a batch of cap samples.
 *
 * @param[in] net    the net
 * @param[in] cap    batch capacity (>= 1)
 * @param[in] train  1: also the gradient, mask and x-hat buffers
 * @return 0, or -1 (out of memory)
 *
 * Notes:
 *   (1) Nothing happens when the buffers are already big enough, so
 *       calls with the same batch size allocate nothing.
 */
/* 1 if layer i writes its own output at inference; 0 for layers that the
 * forward pass fuses into the conv/dense before them (bn, ReLU) or skips
 * (dropout). Mirrors epilogue() and the REC__DROP case in rec_forward.c. */
static int infer_has_out(const RecNet *net, int i)
{
    const RecLayer *l = net->l;
    int t = l[i].type;
    int prod = i >= 1 && (l[i - 1].type == REC__CONV || l[i - 1].type == REC__DENSE);
    if (t == REC__DROP)
        return 0;
    if (t == REC__BN)
        return !prod;
    if (t == REC__RELU)
        return !(prod || (i >= 2 && l[i - 1].type == REC__BN &&
                          (l[i - 2].type == REC__CONV ||
                           l[i - 2].type == REC__DENSE)));
    return 1;
}

int rec__net_reserve(RecNet *net, int cap, int train)
{
    if (cap <= net->cap && (!train || net->cap_train))
        return 0;
    if (cap < net->cap)
        cap = net->cap;
    train = train || net->cap_train;
    if (train && !net->grads) {
        size_t np = net->nparams ? net->nparams : 1;
        net->grads = calloc(np, sizeof(float));
        net->adam_m = calloc(np, sizeof(float));
        net->adam_v = calloc(np, sizeof(float));
        if (!net->grads || !net->adam_m || !net->adam_v)
            return err_set("out of memory for %zu gradients", net->nparams);
    }
    size_t n = (size_t)cap;
    size_t in = (size_t)REC_INPUT_SIZE * REC_INPUT_SIZE;
    size_t total = in * n * (train ? 2 : 1); /* in, din */
    size_t colsz = 1, logits = (size_t)REC_NCLASSES * n;
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        size_t o = (size_t)l->cout * l->hout * l->wout * n;
        if (train)
            total += 2 * o;
        else if (infer_has_out(net, i))
            total += o;
        if (train && (l->type == REC__BN || l->type == REC__DROP))
            total += o;
        if (train && l->type == REC__BN)
            total += 2 * (size_t)l->cout;
        if (l->type == REC__CONV) {
            size_t c = (size_t)l->cin * 9 * l->hin * l->win * n;
            if (c > colsz)
                colsz = c;
            if (train)
                total += c;
        }
    }
    total += colsz * (train ? 2 : 1) + logits;
    float *a = malloc(total * sizeof(float));
    if (!a)
        return err_set("out of memory for a batch of %d (%zu MB)", cap,
                       total * sizeof(float) >> 20);
    free(net->arena);
    net->arena = a;
    net->in = a;
    a += in * n;
    net->din = NULL;
    if (train) {
        net->din = a;
        a += in * n;
    }
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        size_t o = (size_t)l->cout * l->hout * l->wout * n;
        l->out = NULL;
        if (train || infer_has_out(net, i)) {
            l->out = a;
            a += o;
        }
        l->dout = l->aux = l->bn_mean = l->bn_invstd = l->col = NULL;
        if (train) {
            l->dout = a;
            a += o;
            if (l->type == REC__BN || l->type == REC__DROP) {
                l->aux = a;
                a += o;
            }
            if (l->type == REC__BN) {
                l->bn_mean = a;
                a += l->cout;
                l->bn_invstd = a;
                a += l->cout;
            }
            if (l->type == REC__CONV) {
                l->col = a;
                a += (size_t)l->cin * 9 * l->hin * l->win * n;
            }
        }
    }
    net->col = a;
    a += colsz;
    net->col2 = NULL;
    if (train) {
        net->col2 = a;
        a += colsz;
    }
    net->logits_t = a;
    net->cap = cap;
    net->cap_train = train;
    return 0;
}

size_t rec__layer_flops(const RecLayer *l)
{
    if (l->type == REC__CONV)
        return 2 * (size_t)l->cout * l->cin * 9 * l->hout * l->wout;
    if (l->type == REC__DENSE)
        return 2 * (size_t)l->cout * l->cin;
    return 0;
}

/* ---- public accessors --------------------------------------------- */

/** Floating-point operations of one glyph's forward pass (2 per MAC,
 * conv and dense layers only). */
double rec_net_flops(const RecNet *net)
{
    double f = 0;
    for (int i = 0; i < net->nl; i++)
        f += (double)rec__layer_flops(&net->l[i]);
    return f;
}

/** Number of trainable parameters. */
size_t rec_net_nparams(const RecNet *net) { return net->nparams; }

/** The architecture string (owned by the net). */
const char *rec_net_arch(const RecNet *net) { return net->arch; }

/** The free-text metadata ("" when none; owned by the net). */
const char *rec_net_meta(const RecNet *net)
{
    return net->meta ? net->meta : "";
}

/**
 * Replace the free-text metadata stored with the model.
 * @param[in] meta  [optional] text (copied); NULL clears it
 * @return 0, or -1 (out of memory)
 */
int rec_net_set_meta(RecNet *net, const char *meta)
{
    char *m = NULL;
    if (meta && !(m = strdup(meta)))
        return err_set("out of memory");
    free(net->meta);
    net->meta = m;
    return 0;
}

/* ---- model file ------------------------------------------------------- */

#define REC__MODEL_MAX ((size_t)1 << 31) /* largest model file read */

static void put_str(BinBuf *b, const char *s)
{
    size_t n = strlen(s);
    binio_buf_u32(b, (uint32_t)n);
    binio_buf_write(b, s, n);
}

static void put_tensor(BinBuf *b, const float *x, int n)
{
    binio_buf_u32(b, (uint32_t)n);
    for (int i = 0; i < n; i++)
        binio_buf_f32(b, x[i]);
}

/* The saved architecture: the same tokens with batch norm folded away. */
static void arch_strip_bn(const char *arch, char *dst, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; arch[i] && j + 1 < cap; i++) {
        if (arch[i] == 'b')
            continue;
        dst[j++] = arch[i];
    }
    dst[j] = '\0';
}

/**
 * Save a net as a model file (format in the file header).
 *
 * @param[in] net   the net; batch norm is folded into the conv weights
 *                  written (the net itself is not modified)
 * @param[in] path  target; written as path.tmp.PID then renamed
 * @return 0, or -1 (message names the file)
 */
int rec_net_save(const RecNet *net, const char *path)
{
    BinBuf b = {0};
    char arch[REC__ARCH_MAX];
    int ntensors = 0;
    float *fw = NULL, *fb = NULL;
    int rc = -1;

    arch_strip_bn(net->arch, arch, sizeof arch);
    for (int i = 0; i < net->nl; i++)
        if (net->l[i].type == REC__CONV || net->l[i].type == REC__DENSE)
            ntensors += 2;
    binio_buf_write(&b, REC_MAGIC, 8);
    binio_buf_u32(&b, REC_VERSION);
    binio_buf_u32(&b, 0);
    binio_buf_u32(&b, REC_INPUT_SIZE);
    binio_buf_u32(&b, REC_NCLASSES);
    binio_buf_write(&b, rec_class_chars, REC_NCLASSES);
    binio_buf_f32(&b, net->norm_mean);
    binio_buf_f32(&b, net->norm_scale);
    put_str(&b, arch);
    put_str(&b, rec_net_meta(net));
    binio_buf_u32(&b, (uint32_t)ntensors);
    for (int i = 0; i < net->nl; i++) {
        const RecLayer *l = &net->l[i];
        if (l->type != REC__CONV && l->type != REC__DENSE)
            continue;
        const float *w = net->params + l->w_off, *bias = net->params + l->b_off;
        const RecLayer *bn = i + 1 < net->nl && net->l[i + 1].type == REC__BN
                                 ? &net->l[i + 1] : NULL;
        if (bn) {
            /* y = gamma * (Wx + b - mean) * invstd + beta */
            int k = l->nw / l->cout;
            const float *gamma = net->params + bn->w_off;
            const float *beta = net->params + bn->b_off;
            const float *mean = net->stats + bn->s_off;
            const float *var = mean + bn->cout;
            fw = malloc((size_t)l->nw * sizeof(float));
            fb = malloc((size_t)l->nb * sizeof(float));
            if (!fw || !fb) {
                err_set("%s: out of memory", path);
                goto done;
            }
            for (int o = 0; o < l->cout; o++) {
                float s = gamma[o] / sqrtf(var[o] + REC__BN_EPS);
                for (int j = 0; j < k; j++)
                    fw[o * k + j] = w[o * k + j] * s;
                fb[o] = (bias[o] - mean[o]) * s + beta[o];
            }
            w = fw;
            bias = fb;
        }
        put_tensor(&b, w, l->nw);
        put_tensor(&b, bias, l->nb);
        free(fw);
        free(fb);
        fw = fb = NULL;
    }
    binio_buf_u64(&b, (uint64_t)b.n + 12);
    if (b.oom) {
        err_set("%s: out of memory", path);
        goto done;
    }
    binio_buf_u32(&b, binio_crc32(0, b.p, b.n));
    if (b.oom) {
        err_set("%s: out of memory", path);
        goto done;
    }

    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof tmp) {
        err_set("%s: path too long", path);
        goto done;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        err_set_errno("%s: cannot create", tmp);
        goto done;
    }
    int werr = fwrite(b.p, 1, b.n, f) != b.n;
    werr |= fflush(f) != 0;
    werr |= fsync(fileno(f)) != 0;
    if (fclose(f) != 0 || werr) {
        err_set_errno("%s: write failed", tmp);
        unlink(tmp);
        goto done;
    }
    if (rename(tmp, path) != 0) {
        err_set_errno("%s: cannot rename to %s", tmp, path);
        unlink(tmp);
        goto done;
    }
    rc = 0;
done:
    free(fw);
    free(fb);
    binio_buf_cleanup(&b);
    return rc;
}

/* A length-prefixed string: into dst (cap bytes) or, with dst NULL, a new
 * heap copy in *pdup. */
static int rd_str(BinReader *r, char *dst, size_t cap, char **pdup,
                  const char *what)
{
    uint32_t n = binio_read_u32(r, what);
    const unsigned char *q = binio_read_bytes(r, n, what);
    if (!q)
        return -1;
    if (memchr(q, '\0', n))
        return err_set("%s: %s contains a NUL byte", r->name, what);
    if (dst) {
        if (n >= cap)
            return err_set("%s: %s is %u bytes (at most %zu)", r->name, what,
                           n, cap - 1);
    } else {
        dst = malloc((size_t)n + 1);
        if (!dst)
            return err_set("%s: out of memory", r->name);
        *pdup = dst;
    }
    memcpy(dst, q, n);
    dst[n] = '\0';
    return 0;
}

/* The fields of a model file before its tensors. */
typedef struct {
    float nmean, nscale;      /* input normalisation */
    char arch[REC__ARCH_MAX]; /* architecture string */
    char *meta;               /* metadata (owned) */
} ModelHead;

/* Check the model file p (n bytes, reader r at its start) as a whole -
 * magic, version, the size in the trailer and the CRC-32 - then read the
 * fields before the tensors into mh (r ends before the trailer): input
 * size, class list, normalisation, architecture (batch norm folded),
 * metadata. 0, or -1 with the reason naming the file. */
static int model_head_read(BinReader *r, const unsigned char *p, size_t n,
                           ModelHead *mh)
{
    const char *path = r->name;
    if (n < 8 || memcmp(p, REC_MAGIC, 8) != 0)
        return err_set("%s: not an inkpipe model (bad magic)", path);
    if (n < 8 + 4 + 12)
        return err_set("%s: truncated model file (%zu bytes)", path, n);
    binio_read_bytes(r, 8, "magic"); /* checked above */
    uint32_t version = binio_read_u32(r, "version");
    if (version != REC_VERSION)
        return err_set("%s: model version %u, this build reads version %u",
                       path, version, REC_VERSION);
    uint64_t size = binio_get_u64(p + n - 12);
    uint32_t crc = binio_get_u32(p + n - 4);
    if (size != n)
        return err_set("%s: truncated or extended model file: %zu bytes, "
                       "the trailer says %llu", path, n,
                       (unsigned long long)size);
    uint32_t got = binio_crc32(0, p, n - 4);
    if (got != crc)
        return err_set("%s: corrupt model file: CRC-32 %08x, expected %08x",
                       path, got, crc);
    if (binio_reader_end_at(r, n - 12, "fields") < 0)
        return -1; /* cannot happen: n >= 8 + 4 + 12 */
    (void)binio_read_u32(r, "flags"); /* none defined yet */
    uint32_t isize = binio_read_u32(r, "input size");
    uint32_t ncl = binio_read_u32(r, "class count");
    if (r->failed)
        return -1;
    if (isize != REC_INPUT_SIZE || ncl != REC_NCLASSES)
        return err_set("%s: model has input %u and %u classes, this build "
                       "wants %d and %d", path, isize, ncl, REC_INPUT_SIZE,
                       REC_NCLASSES);
    const unsigned char *classes = binio_read_bytes(r, ncl, "class list");
    if (!classes)
        return -1;
    if (memcmp(classes, rec_class_chars, ncl) != 0)
        return err_set("%s: model's class list differs from \"%s\"", path,
                       rec_class_chars);
    mh->nmean = binio_read_f32(r, "norm mean");
    mh->nscale = binio_read_f32(r, "norm scale");
    if (r->failed ||
        rd_str(r, mh->arch, sizeof mh->arch, NULL, "architecture") < 0 ||
        rd_str(r, NULL, 0, &mh->meta, "metadata") < 0)
        return -1;
    if (!isfinite(mh->nmean) || !isfinite(mh->nscale) || mh->nscale == 0.0f)
        return err_set("%s: bad input normalisation (mean %g, scale %g)",
                       path, (double)mh->nmean, (double)mh->nscale);
    if (strchr(mh->arch, 'b'))
        return err_set("%s: architecture \"%s\" has unfolded batch norm",
                       path, mh->arch);
    return 0;
}

/* Parse arch and compare the tensor bytes it needs with the left bytes of
 * r, before anything big is allocated. 0, or -1 with the reason. */
static int model_arch_check(const BinReader *r, const char *arch)
{
    RecNet *probe = calloc(1, sizeof *probe);
    if (!probe)
        return err_set("%s: out of memory", r->name);
    int bad = arch_parse(probe, arch) < 0;
    size_t need = probe->nparams * 4;
    free(probe);
    if (bad) {
        err_prefix("%s", r->name);
        return -1;
    }
    if (need > binio_read_left(r))
        return err_set("%s: architecture \"%s\" needs %zu bytes of weights, "
                       "the file has %zu left", r->name, arch, need,
                       binio_read_left(r));
    return 0;
}

/* Read the tensors (weights and bias of each conv and dense layer, sizes
 * as net's architecture wants, values finite) into net->params; nothing
 * may follow them. 0, or -1 with the reason. */
static int model_tensors_read(BinReader *r, RecNet *net, const char *arch)
{
    const char *path = r->name;
    uint32_t nt, want = 0;
    for (int i = 0; i < net->nl; i++)
        if (net->l[i].type == REC__CONV || net->l[i].type == REC__DENSE)
            want += 2;
    nt = binio_read_u32(r, "tensor count");
    if (r->failed)
        return -1;
    if (nt != want)
        return err_set("%s: %u tensors, architecture \"%s\" needs %u", path,
                       nt, arch, want);
    int ti = 0;
    for (int i = 0; i < net->nl; i++) {
        RecLayer *l = &net->l[i];
        if (l->type != REC__CONV && l->type != REC__DENSE)
            continue;
        for (int k = 0; k < 2; k++, ti++) {
            uint32_t cnt;
            int expect = k ? l->nb : l->nw;
            float *dst = net->params + (k ? l->b_off : l->w_off);
            cnt = binio_read_u32(r, "tensor size");
            if (r->failed)
                return -1;
            if (cnt != (uint32_t)expect)
                return err_set("%s: tensor %d (layer %d) has %u values, "
                               "expected %d", path, ti, i, cnt, expect);
            if (binio_read_need(r, (size_t)cnt * 4, "tensor data") < 0)
                return -1;
            for (uint32_t j = 0; j < cnt; j++) {
                dst[j] = binio_read_f32(r, "tensor data");
                if (!isfinite(dst[j]))
                    return err_set("%s: tensor %d value %u is not finite",
                                   path, ti, j);
            }
        }
    }
    if (binio_read_left(r) != 0)
        return err_set("%s: %zu unexpected bytes after the tensors", path,
                       binio_read_left(r));
    return 0;
}

/**
 * Load a model file written by rec_net_save().
 *
 * @param[in] path  the model file
 * @return new net (caller owns; rec_net_destroy()), or NULL; the message
 *         names the file and the fault (not a model, version, truncated,
 *         CRC mismatch, architecture, tensor sizes)
 *
 * Notes:
 *   (1) The whole file is checked (size field and CRC-32) before any
 *       field is trusted (model_head_read), and the weights the
 *       architecture needs against the file's size before the net is
 *       allocated (model_arch_check).
 */
RecNet *rec_net_load(const char *path)
{
    size_t n;
    unsigned char *p = binio_file_read(path, REC__MODEL_MAX, &n);
    if (!p)
        return NULL;
    RecNet *net = NULL;
    ModelHead mh = {0};
    BinReader r;
    binio_reader_init(&r, p, n, path, "model file");
    if (model_head_read(&r, p, n, &mh) < 0 ||
        model_arch_check(&r, mh.arch) < 0)
        goto fail;
    net = net_alloc(mh.arch);
    if (!net) {
        err_prefix("%s", path);
        goto fail;
    }
    net->norm_mean = mh.nmean;
    net->norm_scale = mh.nscale;
    net->meta = mh.meta;
    mh.meta = NULL;
    if (model_tensors_read(&r, net, mh.arch) < 0)
        goto fail;
    free(p);
    /* int8 weights once, at load; a net that cannot run int8 (input
     * normalisation with a negative range) simply stays fp32 */
    if (rec__quant_prepare(net) < 0)
        err_clear();
    return net;
fail:
    free(mh.meta);
    free(p);
    rec_net_destroy(&net);
    return NULL;
}
